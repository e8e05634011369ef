#!/usr/bin/env node
// The `hogwild` command (package.json "bin"). See lib/cli/program.ts.
import { main } from './program.js';

// `hogwild predict … | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`hogwild: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
