/**
 * `npm run bench` entry point: every suite of bench/suites.ts, results as JSON in
 * bench/out/ and as bench/RESULTS.md with SVG charts.
 *
 *   npm run bench                        full run (tens of minutes), rewrites bench/RESULTS.md
 *   npm run bench -- --quick             smoke run for CI (small data), report in bench/out/
 *   npm run bench -- --only text,mlp     some suites only (report in bench/out/)
 *   npm run bench -- --report FILE.json  rewrite RESULTS.md from earlier results, running nothing
 *
 * Other flags: --repeat N (best of N runs per measurement), --out DIR (results, caches),
 * --results PATH (where RESULTS.md goes), --list.
 * Exits 1 when a suite failed; a peer that is not installed is reported, never a failure.
 */
import { main } from './harness/cli.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
