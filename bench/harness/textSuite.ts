/**
 * The text-classification suite: what a user runs, end to end, side by side.
 *
 * Training: `hogwild supervised` and `fasttext supervised` on the same seeded
 * corpus (200k documents, 20 labels, 50k words, 30 tokens per document on
 * average) with the same flags (`-dim D -epoch 5 -lr 0.5 -thread T -seed 1`),
 * timed from outside as whole processes (`wall s`, the primary metric); the
 * training loop alone is reported separately (`in-loop s`: the CLI's --json
 * `done` event for hogwild, fastText's own words/sec/thread). 2-thread cases
 * are the median of >= 3 runs with the best and the spread. PyTorch (the same
 * model as EmbeddingBag + Linear, one thread per process, Hogwild processes at
 * 2 threads) runs for reference from the binary corpus: its wall time does not
 * include parsing text.
 *
 * Prediction: `hogwild predict model.bin - < lines` vs `fasttext predict
 * model.bin - < lines` on a file of 1M lines (the training documents, repeated),
 * each with a model of the same shape trained by that tool at 1 thread above.
 *
 * Our side is bench/text_hogwild.ts (loaded when it exists).
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import type { CorpusConfig, CorpusFiles } from '../data/corpus.js';
import { corpusConfig, corpusKey, ensureCorpusFiles } from '../data/corpus.js';
import { fasttextModelDir, runFasttext, runFasttextPredict, runPredictCommand, type PredictResult } from '../peers/fasttext.js';
import { runTorchText } from '../peers/torch_text.js';
import type { TextPeerResult } from '../peers/types.js';
import { loadSuiteModule, runOurs } from './modules.js';
import { peerRow } from './peerRow.js';
import { supervisedFlags } from './textFlags.js';
import { type BenchRow, OURS, type Suite, type SuiteOptions, skippedRow } from './types.js';

export { supervisedFlags };

export interface TextBenchConfig {
  corpus: CorpusConfig;
  epochs: number;
  /** fastText's learning rate (per example, decayed linearly to 0). */
  lr: number;
  cases: { dim: number; threads: number }[];
  /** PyTorch's batch size. */
  torchBatch: number;
  /** Lines of the prediction input. */
  predictLines: number;
  /** Runs per case: >= 3 at 2 threads (median, best, spread), else --repeat. */
  runs(threads: number, repeat: number): number;
}

export interface TextSuiteOptions extends SuiteOptions {
  text: TextBenchConfig;
  corpus: CorpusFiles;
  timeoutMs: number;
}

export function textBenchConfig(quick: boolean): TextBenchConfig {
  const dims = quick ? [16] : [16, 64];
  return {
    corpus: corpusConfig(quick),
    epochs: quick ? 2 : 5,
    lr: 0.5,
    cases: dims.flatMap((dim) => [1, 2].map((threads) => ({ dim, threads }))),
    torchBatch: 64,
    predictLines: quick ? 100_000 : 1_000_000,
    runs: (threads, repeat) => (threads > 1 && !quick ? Math.max(3, repeat) : repeat),
  };
}

export function textCase(dim: number, threads: number): string {
  return `dim ${dim} · ${threads} thread${threads === 1 ? '' : 's'}`;
}

/** The metrics every implementation reports for a text case, in this order (wall time first). */
export function textMetrics(r: TextPeerResult): Record<string, number> {
  return {
    'wall s': r.wallSeconds,
    'in-loop s': r.trainSeconds,
    'tokens/s in loop': r.tokensPerSec,
    ...(r.cpuSeconds === undefined ? {} : { 'CPU s': r.cpuSeconds }),
    'peak RSS MB': r.peakRssBytes / 2 ** 20,
    'P@1': r.p1,
  };
}

export function predictMetrics(r: PredictResult): Record<string, number> {
  return {
    'lines/s': r.linesPerSec,
    'wall s': r.wallSeconds,
    ...(r.cpuSeconds === undefined ? {} : { 'CPU s': r.cpuSeconds }),
    'peak RSS MB': r.peakRssBytes / 2 ** 20,
  };
}

/** The prediction input: the training file's lines repeated to `lines` lines (cached). */
export function ensurePredictInput(corpus: CorpusFiles, lines: number, cacheDir: string): string {
  const file = join(cacheDir, `predict-${corpusKey(corpus.config)}-${lines}.txt`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const train = readFileSync(corpus.trainTxt);
  const perCopy = corpus.config.train;
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let left = lines;
    while (left >= perCopy) {
      writeSync(fd, train);
      left -= perCopy;
    }
    if (left > 0) {
      let at = 0;
      for (let i = 0; i < left; i++) at = train.indexOf(0x0a, at) + 1;
      writeSync(fd, train.subarray(0, at));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return file;
}

async function run(opts: SuiteOptions): Promise<BenchRow[]> {
  const text = textBenchConfig(opts.quick);
  opts.log(`corpus: ${text.corpus.train} train / ${text.corpus.test} test documents`);
  const corpus = ensureCorpusFiles(text.corpus, opts.cacheDir);
  const timeoutMs = opts.quick ? 120_000 : 600_000;
  const rows: BenchRow[] = [];

  const ours = await loadSuiteModule<TextSuiteOptions>('text_hogwild');
  const oursFailed = (reason: string) => text.cases.map((c) => skippedRow(textCase(c.dim, c.threads), OURS, reason));
  rows.push(...(ours.ok ? await runOurs(opts, () => ours.run({ ...opts, text, corpus, timeoutMs }), oursFailed) : oursFailed(ours.reason)));

  for (const { dim, threads } of text.cases) {
    const kase = textCase(dim, threads);
    const flags = { dim, threads, epochs: text.epochs, lr: text.lr };
    rows.push(await peerRow(opts, {
      kase, impl: 'fasttext', metrics: textMetrics, lowerIsBetter: true, runs: text.runs(threads, opts.repeat),
      command: `fasttext supervised ${supervisedFlags('train.txt', 'model', flags).join(' ')}`,
      threadpools: () => `-thread ${threads}: its own threads (no BLAS or OpenMP pool)`,
      run: () => runFasttext({ corpus, ...flags, workDir: join(opts.outDir, `fasttext-d${dim}-t${threads}`), timeoutMs }),
    }));
    rows.push(await peerRow(opts, {
      kase, impl: 'pytorch', metrics: textMetrics, lowerIsBetter: true, runs: text.runs(threads, opts.repeat),
      note: `${threads > 1 ? `Hogwild, ${threads} processes of 1 thread; ` : '1 thread; '}reads the pre-tokenized binary corpus (no text parsing in its wall time)`,
      threadpools: (r) => r.threadpools,
      run: () => runTorchText({ corpus, dim, epochs: text.epochs, procs: threads, batch: text.torchBatch, timeoutMs }),
    }));
  }

  // The training loop alone, side by side too (the same runs; not a separate measurement).
  for (const r of [...rows]) {
    if (r.skipped || r.metrics['tokens/s in loop'] === undefined) continue;
    rows.push({ case: `${r.case}, training loop only`, impl: r.impl, metrics: { 'tokens/s in loop': r.metrics['tokens/s in loop']!, 'in-loop s': r.metrics['in-loop s']! }, primary: 'tokens/s in loop' });
  }

  // Prediction throughput, each tool with its own 1-thread model of the case's shape.
  const input = ensurePredictInput(corpus, text.predictLines, opts.cacheDir);
  const millions = text.predictLines / 1e6;
  for (const dim of [...new Set(text.cases.map((c) => c.dim))]) {
    const kase = `predict ${millions >= 1 ? `${millions}M` : `${text.predictLines / 1e3}k`} lines from stdin · dim ${dim}`;
    const ourModel = join(opts.outDir, `hogwild-d${dim}-t1`, 'hogwild', 'model.bin');
    rows.push(await peerRow(opts, {
      kase, impl: OURS, metrics: predictMetrics,
      command: 'hogwild predict model.bin - < lines.txt > /dev/null',
      run: async () => {
        if (!existsSync(ourModel)) return { name: OURS, available: false, reason: `failed: no model from hogwild supervised (${ourModel})` };
        const { hogwildCli } = await import('../text_hogwild.js');
        return { name: OURS, available: true, ...(await runPredictCommand(process.execPath, [hogwildCli(), 'predict', ourModel, '-'], input, text.predictLines, { timeoutMs })) };
      },
    }));
    rows.push(await peerRow(opts, {
      kase, impl: 'fasttext', metrics: predictMetrics,
      command: 'fasttext predict model.bin - < lines.txt > /dev/null',
      run: () => runFasttextPredict({ model: join(fasttextModelDir(join(opts.outDir, `fasttext-d${dim}-t1`)), 'model.bin'), input, lines: text.predictLines, timeoutMs }),
    }));
  }
  return rows;
}

export const textSuite: Suite = {
  name: 'text',
  title: 'Text classification: hogwild supervised / predict vs fastText (and PyTorch)',
  run,
};
