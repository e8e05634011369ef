/**
 * Accuracy parity of `hogwild supervised` with `fasttext supervised` (same
 * flags, same file): P@1 on held-out documents for lr ∈ {0.1, 0.5, 1.0},
 * epoch ∈ {5, 25}, dim ∈ {16, 100}, on three generated corpora of different
 * shapes (2 labels with long documents and flat word frequencies; 20 labels
 * with short documents and steep frequencies; 200 labels with medium
 * documents), plus -wordNgrams 2 on each corpus. hogwild trains in process
 * with the CLI's own job (buildFastTextJob) and is scored like `fasttext test`.
 *
 * Full size (the bound is 0.3 pt per cell):
 *   npx tsc -p bench && node dist-bench/bench/parity_matrix.js [--threads 2] [--out bench/out/parity.json]
 * `npm run bench -- --only parity_matrix` runs it as a suite (RESULTS.md: one
 * case per cell, fastText and hogwild side by side; --quick: reduced corpora,
 * one cell per shape). test/apps/parity_matrix.test.ts runs the same matrix on
 * reduced corpora in CI.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { buildFastTextJob, FastTextModel, JobRunner, LocalSession, saveFastTextModel } from '../lib/index.js';
import { FULL_CORPUS, ensureCorpusFiles, type CorpusConfig, type CorpusFiles } from './data/corpus.js';
import { type BenchRow, OURS, skippedRow, type SuiteOptions } from './harness/types.js';

export interface ParityShape {
  name: string;
  corpus: CorpusConfig;
}

/** One cell: the flags both programs get. */
export interface ParityCell {
  shape: string;
  lr: number;
  epoch: number;
  dim: number;
  wordNgrams: number;
}

export interface ParityResult extends ParityCell {
  fasttext: number;
  /** fastText again with -seed 2: how far its own P@1 moves in this cell (its noise). */
  fasttextSeed2: number;
  hogwild: number;
  /** hogwild − fastText, in P@1 points (fractions: 0.003 = 0.3 pt). */
  gap: number;
}

/** The three shapes; `scale` 1 is the full size, smaller for CI. */
export function parityShapes(scale: 'full' | 'reduced'): ParityShape[] {
  const full = scale === 'full';
  const base = { ...FULL_CORPUS, labelNoise: 0.03 };
  return [
    {
      name: '2 labels, long docs, flat frequencies',
      corpus: { ...base, seed: 21, classes: 2, vocab: 20_000, train: full ? 20_000 : 400, test: full ? 5_000 : 1_000, minLength: full ? 60 : 40, maxLength: full ? 120 : 60, globalZipf: 0.6, classVocab: 200, classZipf: 0.6, classProb: 0.1 },
    },
    {
      name: '20 labels, short docs, steep frequencies',
      corpus: { ...base, seed: 22, classes: 20, vocab: 30_000, train: full ? 100_000 : 2_000, test: full ? 10_000 : 1_000, minLength: 5, maxLength: 15, globalZipf: 1.2, classVocab: 300, classZipf: 1.2, classProb: 0.3 },
    },
    {
      name: '200 labels, medium docs',
      corpus: { ...base, seed: 23, classes: 200, vocab: 50_000, train: full ? 100_000 : 2_000, test: full ? 10_000 : 1_000, minLength: full ? 20 : 10, maxLength: full ? 40 : 20, globalZipf: 1.0, classVocab: 50, classZipf: 1.0, classProb: 0.4 },
    },
  ];
}

/** Every cell of the matrix for these shapes. */
export function parityCells(shapes: readonly ParityShape[]): ParityCell[] {
  const cells: ParityCell[] = [];
  for (const s of shapes) {
    for (const lr of [0.1, 0.5, 1.0]) for (const epoch of [5, 25]) for (const dim of [16, 100]) cells.push({ shape: s.name, lr, epoch, dim, wordNgrams: 1 });
    cells.push({ shape: s.name, lr: 0.5, epoch: 5, dim: 16, wordNgrams: 2 });
  }
  return cells;
}

let fasttextBin: string | null | undefined;
/** The fastText binary, or null when it is not installed. */
export function findFasttext(): string | null {
  if (fasttextBin !== undefined) return fasttextBin;
  try {
    execFileSync('fasttext', ['help'], { stdio: 'ignore' });
    fasttextBin = 'fasttext';
  } catch (err) {
    // `fasttext help` exits non-zero after printing its usage: it exists.
    fasttextBin = (err as { code?: string }).code === 'ENOENT' ? null : 'fasttext';
  }
  return fasttextBin;
}

function flags(c: ParityCell, threads: number, seed: number): string[] {
  return ['-dim', `${c.dim}`, '-epoch', `${c.epoch}`, '-lr', `${c.lr}`, '-wordNgrams', `${c.wordNgrams}`, '-thread', `${threads}`, '-seed', `${seed}`];
}

function fasttextP1(files: CorpusFiles, c: ParityCell, threads: number, dir: string, seed = 1): number {
  const out = join(dir, 'ft');
  execFileSync('fasttext', ['supervised', '-input', files.trainTxt, '-output', out, ...flags(c, threads, seed), '-verbose', '0'], { stdio: 'pipe' });
  const text = execFileSync('fasttext', ['test', `${out}.bin`, files.testTxt], { encoding: 'utf8' });
  const m = /P@1\s+([0-9.]+)/.exec(text);
  if (!m) throw new Error(`fasttext test printed no P@1: ${text}`);
  return Number(m[1]);
}

async function hogwildP1(files: CorpusFiles, c: ParityCell, threads: number, dir: string, testLines: readonly string[]): Promise<number> {
  const ft = await buildFastTextJob({ input: files.trainTxt, dim: c.dim, epoch: c.epoch, lr: c.lr, wordNgrams: c.wordNgrams, thread: threads, seed: 1 });
  const session = new LocalSession();
  const path = join(dir, 'hw.bin');
  try {
    const last = await new JobRunner(ft.job, { report: ft.report }).train(session, { maxEpochs: c.epoch });
    await saveFastTextModel(session, path, ft, last);
  } finally {
    await session.close();
  }
  const model = await FastTextModel.load(path);
  try {
    return (await model.test(testLines)).precision;
  } finally {
    await model.dispose();
  }
}

/** Runs the cells (both programs, `threads` threads each); `log` gets one line per cell. */
export async function runParity(
  shapes: readonly ParityShape[],
  options: { threads: number; cacheDir: string; log?: (line: string) => void; cells?: ParityCell[] },
): Promise<ParityResult[]> {
  const files = new Map(shapes.map((s) => [s.name, ensureCorpusFiles(s.corpus, options.cacheDir)] as const));
  const tests = new Map([...files].map(([k, f]) => [k, readFileSync(f.testTxt, 'utf8').split('\n').filter((l) => l.length > 0)] as const));
  const dir = mkdtempSync(join(tmpdir(), 'hogwild-parity-'));
  const results: ParityResult[] = [];
  try {
    for (const c of options.cells ?? parityCells(shapes)) {
      const f = files.get(c.shape)!;
      const fasttext = fasttextP1(f, c, options.threads, dir);
      const fasttextSeed2 = fasttextP1(f, c, options.threads, dir, 2);
      const hogwild = await hogwildP1(f, c, options.threads, dir, tests.get(c.shape)!);
      const r = { ...c, fasttext, fasttextSeed2, hogwild, gap: hogwild - fasttext };
      results.push(r);
      options.log?.(formatRow(r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

export function formatRow(r: ParityResult): string {
  const pt = (x: number) => (100 * x).toFixed(1);
  return `| ${r.shape} | ${r.lr} | ${r.epoch} | ${r.dim} | ${r.wordNgrams} | ${r.fasttext.toFixed(3)} | ${r.fasttextSeed2.toFixed(3)} | ${r.hogwild.toFixed(3)} | ${r.gap >= 0 ? '+' : ''}${pt(r.gap)} |`;
}

export const TABLE_HEADER =
  '| corpus | lr | epoch | dim | wordNgrams | fastText P@1 | fastText -seed 2 | hogwild P@1 | gap (pt) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |';

/** The suite's case name of a cell. */
export function cellCase(c: ParityCell): string {
  return `${c.shape} · lr ${c.lr} · epoch ${c.epoch} · dim ${c.dim}${c.wordNgrams > 1 ? ` · wordNgrams ${c.wordNgrams}` : ''}`;
}

/** The bench suite: P@1 of both programs per cell (2 threads each), side by side. */
export async function run(opts: SuiteOptions): Promise<BenchRow[]> {
  const shapes = parityShapes(opts.quick ? 'reduced' : 'full');
  // --quick: a smoke run, one cell per corpus shape.
  const cells = parityCells(shapes).filter((c) => !opts.quick || (c.lr === 0.5 && c.epoch === 5 && c.dim === 16 && c.wordNgrams === 1));
  if (!findFasttext()) return cells.flatMap((c) => [skippedRow(cellCase(c), 'fasttext', 'not installed: fasttext (apt install fasttext)'), skippedRow(cellCase(c), OURS, 'no peer to compare with: fasttext is not installed')]);
  const threads = 2;
  const results = await runParity(shapes, { threads, cacheDir: opts.cacheDir, cells, log: (l) => opts.log(l) });
  return results.flatMap((r): BenchRow[] => {
    const f = flags(r, threads, 1).join(' ');
    return [
      { case: cellCase(r), impl: OURS, metrics: { 'P@1': r.hogwild, 'gap pt': 100 * r.gap }, command: `hogwild supervised -input train.txt -output model ${f}` },
      { case: cellCase(r), impl: 'fasttext', metrics: { 'P@1': r.fasttext, 'P@1 -seed 2': r.fasttextSeed2 }, command: `fasttext supervised -input train.txt -output model ${f}` },
    ];
  });
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (!findFasttext()) {
    console.log('parity matrix: fasttext is not installed (apt install fasttext); nothing to compare');
    return;
  }
  const threads = Number(arg('--threads') ?? 2);
  const scale = argv.includes('--reduced') ? 'reduced' : 'full';
  const out = arg('--out') ?? 'bench/out/parity.json';
  console.log(TABLE_HEADER);
  const results = await runParity(parityShapes(scale), { threads, cacheDir: arg('--cache') ?? 'bench/out/cache', log: (l) => console.log(l) });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ threads, scale, results }, null, 2)}\n`);
  const worst = results.reduce((a, b) => (b.gap < a.gap ? b : a));
  const misses = results.filter((r) => r.gap < -0.003);
  console.log(`\n${results.length} cells; mean gap ${((100 * results.reduce((s, r) => s + r.gap, 0)) / results.length).toFixed(2)} pt; worst ${(100 * worst.gap).toFixed(1)} pt; ${misses.length} below −0.3 pt`);
  if (misses.length > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
