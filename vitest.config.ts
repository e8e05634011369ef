import { defineConfig } from 'vitest/config';

// Native addons are unsafe in worker_threads pools (vitest#5047): run each file in a forked process.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
