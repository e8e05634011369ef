import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

// Native addons are unsafe in worker_threads pools (vitest#5047): run each file in a forked process.
export default defineConfig({
  // Examples and docs import 'hogwild' as users do; in tests that is the source.
  resolve: { alias: [{ find: /^hogwild$/, replacement: fileURLToPath(new URL('./lib/index.ts', import.meta.url)) }] },
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
