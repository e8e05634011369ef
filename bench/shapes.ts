/**
 * Corpus shapes the main text suite (200k lines of 30 tokens, 20 labels, no
 * n-grams) does not cover: `hogwild supervised` end to end (the command as a
 * user runs it: reading the file, training, saving), then `hogwild test`,
 * against `fasttext supervised`/`fasttext test` with the same flags on the
 * same generated files (bench/data/shapesCorpus.ts), all at 2 threads:
 * - ngrams-small: 30k short lines, -wordNgrams 2 with the default 2M buckets
 *   (a 128 MB input table while an epoch trains in tens of ms, so setup and
 *   saving dominate);
 * - multilabel-softmax / multilabel-ova: a class and, on 70% of lines, a topic
 *   label; P@2 and R@2 from `test model file 2`;
 * - char-ngrams: words made of morphemes, -minn 3 -maxn 5;
 * - long-docs: 8k lines of ~600 tokens.
 *
 * Every case runs 3 times or more (median wall, best and spread), the two
 * implementations interleaved per run so that load on a shared machine hits
 * both alike.
 *
 * Standalone: npx tsc -p bench && node dist-bench/bench/shapes.js [--quick] [--case <name>]
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ensureShapeCorpus, type ShapeCorpusConfig, type ShapeCorpusFiles } from './data/shapesCorpus.js';
import { summarize } from './harness/peerRow.js';
import { runMeasured } from './harness/proc.js';
import { type BenchRow, type SuiteOptions, skippedRow, FAILED_PREFIX } from './harness/types.js';
import { fasttextBinary, fasttextUnavailable } from './peers/fasttext.js';
import { pinnedEnv } from './peers/pinnedEnv.js';
import { hogwildCli } from './text_hogwild.js';

interface ShapeCase {
  name: string;
  corpus: ShapeCorpusConfig;
  /** Flags after -input/-output, identical for both tools. */
  flags: string[];
  /** Labels predicted per line by `test` (2 for the multi-label cases). */
  k: number;
}

interface Measured {
  wallSeconds: number;
  precision: number;
  recall: number;
  peakRssBytes: number;
}

const THREADS = 2;
const COMMON = ['-epoch', '5', '-lr', '0.5', '-thread', String(THREADS), '-seed', '1'];

const WORDS: ShapeCorpusConfig = { kind: 'words', seed: 21, train: 30_000, test: 3_000, classes: 20, meanLength: 15, classProb: 0.2, classVocab: 40, sharedVocab: 8000 };
const MULTI: ShapeCorpusConfig = {
  kind: 'multilabel', seed: 22, train: 30_000, test: 3_000, classes: 6, meanLength: 15, classProb: 0.3, classVocab: 20, sharedVocab: 300, topics: 4, topicProb: 0.7, topicShare: 0.25,
};
const MORPH: ShapeCorpusConfig = { kind: 'morphemes', seed: 23, train: 40_000, test: 4_000, classes: 20, meanLength: 15, classProb: 0.25, classVocab: 50, sharedVocab: 8000 };
/** 2% class tokens (about 12 per document): both tools end far above chance (10%) but below 1.0 (5% saturated both). */
const LONG: ShapeCorpusConfig = { kind: 'words', seed: 24, train: 8_000, test: 800, classes: 10, meanLength: 600, classProb: 0.02, classVocab: 40, sharedVocab: 8000 };

export const CASES: readonly ShapeCase[] = [
  { name: 'ngrams-small', corpus: WORDS, flags: ['-dim', '16', ...COMMON, '-wordNgrams', '2'], k: 1 },
  { name: 'multilabel-softmax', corpus: MULTI, flags: ['-dim', '16', ...COMMON, '-loss', 'softmax'], k: 2 },
  { name: 'multilabel-ova', corpus: MULTI, flags: ['-dim', '16', ...COMMON, '-loss', 'ova'], k: 2 },
  { name: 'char-ngrams', corpus: MORPH, flags: ['-dim', '32', ...COMMON, '-minn', '3', '-maxn', '5', '-bucket', '200000'], k: 1 },
  { name: 'long-docs', corpus: LONG, flags: ['-dim', '32', ...COMMON], k: 1 },
];

/** A tenth of the lines: the CI smoke run stays within seconds per case. */
function quickCorpus(c: ShapeCorpusConfig): ShapeCorpusConfig {
  return { ...c, train: Math.round(c.train / 10), test: Math.round(c.test / 10) };
}

function freshDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return join(dir, 'model');
}

async function runHogwild(corpus: ShapeCorpusFiles, c: ShapeCase, dir: string, timeoutMs: number): Promise<Measured> {
  const main = hogwildCli();
  const model = freshDir(dir);
  const train = await runMeasured(process.execPath, [main, 'supervised', '-input', corpus.trainTxt, '-output', model, ...c.flags, '--json'], { timeoutMs });
  if (train.code !== 0) throw new Error(`hogwild supervised exited with ${train.signal ?? train.code}: ${train.stderr.slice(-400)}`);
  const test = await runMeasured(process.execPath, [main, 'test', `${model}.bin`, corpus.testTxt, String(c.k), '--json'], { timeoutMs });
  if (test.code !== 0) throw new Error(`hogwild test exited with ${test.signal ?? test.code}: ${test.stderr.slice(-400)}`);
  const { precision, recall } = JSON.parse(test.stdout) as { precision: number; recall: number };
  return { wallSeconds: train.wallSeconds, precision, recall, peakRssBytes: train.peakRssBytes };
}

/** P@k and R@k from `fasttext test … k` ("P@2\t0.806", "R@2\t0.7"). */
export function parseTestOutput(stdout: string, k: number): { precision: number; recall: number } | undefined {
  const p = new RegExp(`^P@${k}\\s+([0-9.]+)`, 'm').exec(stdout);
  const r = new RegExp(`^R@${k}\\s+([0-9.]+)`, 'm').exec(stdout);
  return p && r ? { precision: Number(p[1]), recall: Number(r[1]) } : undefined;
}

async function runFastText(bin: string, corpus: ShapeCorpusFiles, c: ShapeCase, dir: string, timeoutMs: number): Promise<Measured> {
  const model = freshDir(dir);
  const train = await runMeasured(bin, ['supervised', '-input', corpus.trainTxt, '-output', model, ...c.flags, '-verbose', '1'], { env: pinnedEnv(THREADS), timeoutMs });
  if (train.code !== 0) throw new Error(`fasttext supervised exited with ${train.signal ?? train.code}: ${train.stderr.slice(-400)}`);
  const test = await runMeasured(bin, ['test', `${model}.bin`, corpus.testTxt, String(c.k)], { timeoutMs });
  const scores = parseTestOutput(test.stdout, c.k);
  if (test.code !== 0 || scores === undefined) throw new Error(`fasttext test failed: ${test.stderr.slice(-400)}`);
  return { wallSeconds: train.wallSeconds, ...scores, peakRssBytes: train.peakRssBytes };
}

/** Accuracy metrics: P@1 for single-label cases, P@k and R@k (with spreads) otherwise. */
function accuracyMetrics(results: Measured[], k: number): Record<string, number> {
  const p = summarize(results.map((r) => r.precision), false);
  if (k === 1) return { 'P@1': p.median, 'P@1 spread': p.spread };
  const r = summarize(results.map((x) => x.recall), false);
  return { [`P@${k}`]: p.median, [`P@${k} spread`]: p.spread, [`R@${k}`]: r.median, [`R@${k} spread`]: r.spread };
}

function row(c: ShapeCase, impl: string, results: Measured[], command: string, note?: string): BenchRow {
  const wall = summarize(results.map((r) => r.wallSeconds), true);
  return {
    case: c.name,
    impl,
    metrics: {
      'wall s': wall.median,
      'wall s best': wall.best,
      'wall s spread': wall.spread,
      ...accuracyMetrics(results, c.k),
      'peak RSS MB': Math.max(...results.map((r) => r.peakRssBytes)) / 2 ** 20,
    },
    primary: 'wall s',
    lowerIsBetter: true,
    note: [results.length > 1 ? `median of ${results.length} runs, interleaved with the other implementation` : '1 run', note].filter(Boolean).join('; '),
    command,
  };
}

function medianWall(results: Measured[]): number {
  return summarize(results.map((r) => r.wallSeconds), true).median;
}

/** The harness entry point: one hogwild and one fasttext row per case. */
export async function run(opts: SuiteOptions, cases: readonly ShapeCase[] = CASES): Promise<BenchRow[]> {
  hogwildCli();
  const runs = opts.quick ? 1 : Math.max(3, opts.repeat);
  const timeoutMs = opts.quick ? 120_000 : 600_000;
  const ft = fasttextBinary();
  const rows: BenchRow[] = [];
  for (const c of cases) {
    const config = opts.quick ? quickCorpus(c.corpus) : c.corpus;
    opts.log(`${c.name}: ${config.train} train / ${config.test} test lines`);
    const corpus = ensureShapeCorpus(opts.cacheDir, config);
    const ours: Measured[] = [];
    const theirs: Measured[] = [];
    let theirsFailed: string | undefined = ft ? undefined : fasttextUnavailable();
    for (let i = 0; i < runs; i++) {
      opts.log(`${c.name}: run ${i + 1}/${runs}`);
      ours.push(await runHogwild(corpus, c, join(opts.outDir, `shapes-hogwild-${c.name}`), timeoutMs));
      if (theirsFailed === undefined) {
        try {
          theirs.push(await runFastText(ft!, corpus, c, join(opts.outDir, `shapes-fasttext-${c.name}`), timeoutMs));
        } catch (err) {
          theirsFailed = `${FAILED_PREFIX}${(err as Error).message.split('\n')[0]}`;
        }
      }
    }
    const shown = ['-input', 'train.txt', '-output', 'model', ...c.flags].join(' ');
    const ratio = theirsFailed === undefined ? `fastText/hogwild wall ${(medianWall(theirs) / medianWall(ours)).toFixed(2)}×` : undefined;
    rows.push(row(c, 'hogwild', ours, `hogwild supervised ${shown}`, ratio));
    rows.push(theirsFailed !== undefined ? skippedRow(c.name, 'fasttext', theirsFailed) : row(c, 'fasttext', theirs, `fasttext supervised ${shown}`));
  }
  return rows;
}

function formatRow(r: BenchRow): string {
  if (r.skipped) return `${r.case} | ${r.impl} | ${r.skipped}`;
  const m = r.metrics;
  const accuracy = Object.keys(m).filter((k) => /^[PR]@\d+$/.test(k)).map((k) => `${k} ${m[k]!.toFixed(4)}`).join(' | ');
  return `${r.case} | ${r.impl} | wall ${m['wall s']!.toFixed(2)} s (best ${m['wall s best']!.toFixed(2)}, spread ${m['wall s spread']!.toFixed(2)}) | ${accuracy} | RSS ${m['peak RSS MB']!.toFixed(0)} MB${r.note ? ` | ${r.note}` : ''}`;
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--case');
  const only = i >= 0 ? argv[i + 1] : undefined;
  const opts = { quick: argv.includes('--quick'), outDir: 'bench/out/tmp/shapes', cacheDir: 'bench/out/cache', repeat: 1, log: (m: string) => console.error(m) };
  const rows = await run(opts, only ? CASES.filter((c) => c.name === only) : CASES);
  for (const r of rows) console.log(formatRow(r));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
