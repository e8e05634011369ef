/**
 * fastText's `-loss hs` with many labels (issue 15): `hogwild supervised -loss
 * hs` end to end (the command, as a user runs it: reading the file, training,
 * saving) against `fasttext supervised -loss hs` with the same flags on a
 * generated 2 000-label corpus (bench/data/labelCorpus.ts), P@1 of both from
 * their own `test` command; softmax on the same corpus for contrast; 1 and 2
 * threads. Targets: wall ≥ 2× faster than fastText, P@1 ≥ fastText − 0.5 pt.
 *
 * Every hs case runs 3 times or more (median wall, best and spread reported),
 * the implementations interleaved per case so that load on a shared machine
 * hits both alike; the softmax contrast runs once, at 1 thread (fastText's
 * softmax over 2 000 labels takes minutes).
 *
 * Standalone: npx tsc -p bench && node dist-bench/bench/fasttext_losses.js [--quick] [--loss hs|softmax]
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ensureLabelCorpus, MANY_LABELS, type LabelCorpusFiles } from './data/labelCorpus.js';
import { summarize } from './harness/peerRow.js';
import { runMeasured } from './harness/proc.js';
import { type BenchRow, type SuiteOptions, skippedRow, FAILED_PREFIX } from './harness/types.js';
import { fasttextBinary, fasttextUnavailable, parsePrecisionAt1 } from './peers/fasttext.js';
import { pinnedEnv } from './peers/pinnedEnv.js';
import { hogwildCli } from './text_hogwild.js';

interface LossCase {
  loss: 'hs' | 'softmax';
  threads: number;
}

interface Measured {
  wallSeconds: number;
  p1: number;
  peakRssBytes: number;
}

const DIM = 32;
const EPOCHS = 5;
const LR = 0.5;

function flags(input: string, output: string, c: LossCase): string[] {
  return ['-input', input, '-output', output, '-dim', String(DIM), '-epoch', String(EPOCHS), '-lr', String(LR), '-thread', String(c.threads), '-loss', c.loss, '-seed', '1'];
}

async function runHogwild(corpus: LabelCorpusFiles, c: LossCase, dir: string, timeoutMs: number): Promise<Measured> {
  const main = hogwildCli();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const model = join(dir, 'model');
  const train = await runMeasured(process.execPath, [main, 'supervised', ...flags(corpus.trainTxt, model, c), '--json'], { timeoutMs });
  if (train.code !== 0) throw new Error(`hogwild supervised exited with ${train.signal ?? train.code}: ${train.stderr.slice(-400)}`);
  const test = await runMeasured(process.execPath, [main, 'test', `${model}.bin`, corpus.testTxt, '1', '--json'], { timeoutMs });
  if (test.code !== 0) throw new Error(`hogwild test exited with ${test.signal ?? test.code}: ${test.stderr.slice(-400)}`);
  const { precision } = JSON.parse(test.stdout) as { precision: number };
  return { wallSeconds: train.wallSeconds, p1: precision, peakRssBytes: train.peakRssBytes };
}

async function runFastText(bin: string, corpus: LabelCorpusFiles, c: LossCase, dir: string, timeoutMs: number): Promise<Measured> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const model = join(dir, 'model');
  const train = await runMeasured(bin, ['supervised', ...flags(corpus.trainTxt, model, c), '-verbose', '1'], { env: pinnedEnv(c.threads), timeoutMs });
  if (train.code !== 0) throw new Error(`fasttext supervised exited with ${train.signal ?? train.code}: ${train.stderr.slice(-400)}`);
  const test = await runMeasured(bin, ['test', `${model}.bin`, corpus.testTxt], { timeoutMs });
  const p1 = parsePrecisionAt1(test.stdout);
  if (test.code !== 0 || p1 === undefined) throw new Error(`fasttext test failed: ${test.stderr.slice(-400)}`);
  return { wallSeconds: train.wallSeconds, p1, peakRssBytes: train.peakRssBytes };
}

function row(kase: string, impl: string, results: Measured[], command: string): BenchRow {
  const wall = summarize(results.map((r) => r.wallSeconds), true);
  const p1 = summarize(results.map((r) => r.p1), false);
  return {
    case: kase,
    impl,
    metrics: { 'wall s': wall.median, 'wall s best': wall.best, 'wall s spread': wall.spread, 'P@1': p1.median, 'P@1 spread': p1.spread, 'peak RSS MB': Math.max(...results.map((r) => r.peakRssBytes)) / 2 ** 20 },
    primary: 'wall s',
    lowerIsBetter: true,
    note: results.length > 1 ? `median of ${results.length} runs, interleaved with the other implementation` : '1 run',
    command,
  };
}

/** Softmax is the contrast: fastText's costs minutes here (every label's row, every example), so one run at 1 thread. */
const CASES: readonly LossCase[] = [{ loss: 'hs', threads: 1 }, { loss: 'hs', threads: 2 }, { loss: 'softmax', threads: 1 }];

/** The harness entry point: one hogwild and one fasttext row per (loss, threads). */
export async function run(opts: SuiteOptions, cases: readonly LossCase[] = CASES): Promise<BenchRow[]> {
  hogwildCli();
  const config = opts.quick ? { ...MANY_LABELS, labels: 200, train: 10_000, test: 1_000 } : { ...MANY_LABELS };
  opts.log(`corpus: ${config.labels} labels, ${config.train} train / ${config.test} test lines`);
  const corpus = ensureLabelCorpus(opts.cacheDir, config);
  const runs = opts.quick ? 1 : Math.max(3, opts.repeat);
  const timeoutMs = opts.quick ? 120_000 : 1_200_000;
  const ft = fasttextBinary();
  const rows: BenchRow[] = [];
  for (const c of cases) {
    const caseRuns = c.loss === 'softmax' ? 1 : runs;
    const kase = `-loss ${c.loss} · ${config.labels} labels · ${c.threads} thread${c.threads > 1 ? 's' : ''}`;
    const ours: Measured[] = [];
    const theirs: Measured[] = [];
    let theirsFailed: string | undefined = ft ? undefined : fasttextUnavailable();
    for (let i = 0; i < caseRuns; i++) {
      opts.log(`${kase}: run ${i + 1}/${caseRuns}`);
      ours.push(await runHogwild(corpus, c, join(opts.outDir, `losses-hogwild-${c.loss}-t${c.threads}`), timeoutMs));
      if (theirsFailed === undefined) {
        try {
          theirs.push(await runFastText(ft!, corpus, c, join(opts.outDir, `losses-fasttext-${c.loss}-t${c.threads}`), timeoutMs));
        } catch (err) {
          theirsFailed = `${FAILED_PREFIX}${(err as Error).message.split('\n')[0]}`;
        }
      }
    }
    const shown = flags('train.txt', 'model', c).join(' ');
    rows.push(row(kase, 'hogwild', ours, `hogwild supervised ${shown}`));
    rows.push(theirsFailed !== undefined ? skippedRow(kase, 'fasttext', theirsFailed) : row(kase, 'fasttext', theirs, `fasttext supervised ${shown}`));
  }
  return rows;
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--loss');
  const only = i >= 0 ? argv[i + 1] : undefined;
  const opts = { quick: argv.includes('--quick'), outDir: 'bench/out/tmp/fasttext_losses', cacheDir: 'bench/out/cache', repeat: 1, log: (m: string) => console.error(m) };
  const rows = await run(opts, only ? CASES.filter((c) => c.loss === only) : CASES);
  for (const r of rows) {
    const m = r.metrics;
    console.log(r.skipped ? `${r.case} | ${r.impl} | ${r.skipped}` : `${r.case} | ${r.impl} | wall ${m['wall s']!.toFixed(2)} s (spread ${m['wall s spread']!.toFixed(2)}) | P@1 ${m['P@1']!.toFixed(4)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
