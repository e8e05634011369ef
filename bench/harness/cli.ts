/**
 * The command line of `npm run bench` (bench/main.ts calls it; tests call it in-process).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { SUITES } from '../suites.js';
import { benchDir } from './paths.js';
import { reportFromJson, runBench } from './runner.js';

/** Runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      repeat: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      results: { type: 'string' },
      report: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench -- [--quick] [--repeat N] [--only a,b] [--out DIR] [--results PATH] [--report FILE.json] [--list]\n');
    return 0;
  }
  if (values.list) {
    for (const s of SUITES) process.stdout.write(`${s.name}\t${s.title}\n`);
    return 0;
  }
  const log = (m: string) => process.stderr.write(`${m}\n`);
  if (values.report) {
    await reportFromJson(values.report, values.results ?? join(benchDir(), 'RESULTS.md'), log);
    return 0;
  }
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`Expected a positive integer for --repeat but received ${values.repeat}`);
  const outcome = await runBench({
    quick: values.quick,
    repeat,
    ...(values.only ? { only: values.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(values.out ? { outDir: values.out } : {}),
    ...(values.results ? { resultsPath: values.results } : {}),
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
    log,
  });
  return outcome.failed > 0 ? 1 : 0;
}
