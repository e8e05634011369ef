/**
 * Our side of the text-classification benchmark (bench/harness/textSuite.ts):
 * the `hogwild` command itself, as a user runs it, on the same file and flags
 * as `fasttext supervised`:
 *
 *   hogwild supervised -input train.txt -output model -dim D -epoch E -lr 0.5 -thread T -seed 1
 *   hogwild test model.bin test.txt                  (P@1; not timed)
 *   hogwild predict model.bin - < lines.txt          (prediction throughput)
 *
 * Timing: `wall s` is the whole `supervised` process (start, reading and encoding
 * the file, training, saving the model), measured from outside like the peers';
 * `in-loop s` is the training loop alone, from the CLI's own --json `done` event.
 *
 * Standalone (after `npm run build:ts`):
 *   npx tsc -p bench/tsconfig.json && node dist-bench/bench/text_hogwild.js [--quick] [--dims 16,64] [--threads 1,2] [--extra '-hot-rows 256']
 * (--extra: more `hogwild supervised` flags, e.g. to compare per-thread hot rows with the default).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ensureCorpusFiles, type CorpusFiles } from './data/corpus.js';
import { repoRoot } from './harness/paths.js';
import { peerRow } from './harness/peerRow.js';
import { runMeasured } from './harness/proc.js';
import { supervisedFlags, textBenchConfig, textCase, textMetrics, type TextSuiteOptions } from './harness/textSuite.js';
import { type BenchRow, SuiteUnavailable } from './harness/types.js';
import type { PeerOutcome, TextPeerResult } from './peers/types.js';

/** The installed command's entry point (package.json "bin"): dist/cli/main.js. */
export function hogwildCli(): string {
  const main = join(repoRoot(), 'dist', 'cli', 'main.js');
  if (!existsSync(main)) throw new SuiteUnavailable(`no ${main}: build it first (npm run build:ts)`);
  return main;
}

/** Where runHogwildSupervised leaves `model.bin` for a given workDir. */
export function hogwildModelDir(workDir: string): string {
  return join(workDir, 'hogwild');
}

export interface HogwildTextOptions {
  corpus: CorpusFiles;
  dim: number;
  threads: number;
  epochs: number;
  lr: number;
  /** Folder for the model and its checkpoints (its `hogwild` subfolder, emptied first, so a run never resumes an old one). */
  workDir: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** More `hogwild supervised` flags (standalone runs only; the suite runs the same flags as fastText). */
  extraFlags?: readonly string[];
}

/** The JSON events `hogwild supervised --json` printed. */
function events(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Trains with `hogwild supervised`, then evaluates with `hogwild test`. */
export async function runHogwildSupervised(o: HogwildTextOptions): Promise<PeerOutcome<TextPeerResult>> {
  const main = hogwildCli();
  const dir = hogwildModelDir(o.workDir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const model = join(dir, 'model');
  const env = o.env ?? process.env;
  const flags = supervisedFlags(o.corpus.trainTxt, model, o);
  // --json only changes what is printed (events instead of progress lines); per-epoch
  // checkpoints are written as by default (charts only with -charts, off by default as in
  // fastText), so the wall time is what a user waits for.
  const train = await runMeasured(process.execPath, [main, 'supervised', ...flags, ...(o.extraFlags ?? []), '--json'], { env, timeoutMs: o.timeoutMs });
  if (train.code !== 0) throw new Error(`hogwild supervised exited with ${train.signal ?? train.code}: ${train.stderr.slice(-500)}`);
  const done = events(train.stdout).findLast((e) => e.event === 'done');
  const inLoop = Number(done?.seconds ?? done?.trainSeconds);
  if (!(inLoop > 0)) throw new Error(`hogwild supervised --json printed no 'done' event with seconds: ${train.stdout.slice(-300)}`);
  const test = await runMeasured(process.execPath, [main, 'test', `${model}.bin`, o.corpus.testTxt, '1', '--json'], { env, timeoutMs: o.timeoutMs });
  if (test.code !== 0) throw new Error(`hogwild test exited with ${test.signal ?? test.code}: ${test.stderr.slice(-500)}`);
  const { precision } = JSON.parse(test.stdout) as { precision: number };
  return {
    name: 'hogwild',
    available: true,
    tokensPerSec: (o.corpus.trainTokens * o.epochs) / inLoop,
    trainSeconds: inLoop,
    wallSeconds: train.wallSeconds,
    ...(train.cpuSeconds === undefined ? {} : { cpuSeconds: train.cpuSeconds }),
    peakRssBytes: train.peakRssBytes,
    p1: precision,
  };
}

/** The harness entry point: one row per (dim, threads) case; 2-thread cases are the median of >= 3 runs. */
export async function run(opts: TextSuiteOptions): Promise<BenchRow[]> {
  hogwildCli();
  const rows: BenchRow[] = [];
  for (const { dim, threads } of opts.text.cases) {
    const kase = textCase(dim, threads);
    const workDir = join(opts.outDir, `hogwild-d${dim}-t${threads}`);
    rows.push(await peerRow(opts, {
      kase,
      impl: 'hogwild',
      metrics: textMetrics,
      lowerIsBetter: true,
      runs: opts.text.runs(threads, opts.repeat),
      threadpools: () => `-thread ${threads}: its own threads (no BLAS or OpenMP pool)`,
      command: `hogwild supervised ${supervisedFlags('train.txt', 'model', { dim, threads, epochs: opts.text.epochs, lr: opts.text.lr }).join(' ')} --json`,
      run: () => runHogwildSupervised({ corpus: opts.corpus, dim, threads, epochs: opts.text.epochs, lr: opts.text.lr, workDir, timeoutMs: opts.timeoutMs }),
    }));
  }
  return rows;
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const config = textBenchConfig(quick);
  const dims = (arg('--dims') ?? [...new Set(config.cases.map((c) => c.dim))].join(',')).split(',').map(Number);
  const threads = (arg('--threads') ?? '1,2').split(',').map(Number);
  const extraFlags = (arg('--extra') ?? '').split(' ').filter((f) => f.length > 0);
  const corpus = ensureCorpusFiles(config.corpus, arg('--cache') ?? 'bench/out/cache');
  console.log(`corpus ${corpus.config.train} train / ${corpus.config.test} test docs, ${corpus.trainTokens} tokens; ${config.epochs} epochs`);
  for (const dim of dims) {
    for (const t of threads) {
      const r = await runHogwildSupervised({ corpus, dim, threads: t, epochs: config.epochs, lr: config.lr, workDir: join('bench/out/tmp', `text-d${dim}-t${t}`), extraFlags });
      if (!r.available) throw new Error(r.reason);
      console.log(
        `dim ${dim} · ${t} thread(s): wall ${r.wallSeconds.toFixed(2)} s, in loop ${r.trainSeconds.toFixed(2)} s ` +
          `(${(r.tokensPerSec / 1e6).toFixed(1)} M tokens/s), P@1 ${r.p1.toFixed(4)}, RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MB`,
      );
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
