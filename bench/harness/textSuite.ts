/**
 * The text-classification suite: the fastText model (mean of token embeddings →
 * linear → softmax) trained by Hogwild on the seeded corpus, side by side with Debian's
 * fasttext and with PyTorch, every case on the same files in the same run.
 *
 * Our side is bench/text_hogwild.ts, loaded when it exists. It exports
 *
 *   export async function run(opts: TextSuiteOptions): Promise<BenchRow[]>
 *
 * and returns one row per entry of opts.text.cases with `case: textCase(dim, threads)`,
 * `impl: 'hogwild'` and the metrics of textMetrics().
 */
import type { CorpusConfig, CorpusFiles } from '../data/corpus.js';
import { corpusConfig, ensureCorpusFiles } from '../data/corpus.js';
import { runFasttext } from '../peers/fasttext.js';
import { runTorchText } from '../peers/torch_text.js';
import type { TextPeerResult } from '../peers/types.js';
import { loadSuiteModule, runOurs } from './modules.js';
import { peerRow } from './peerRow.js';
import { type BenchRow, OURS, type Suite, type SuiteOptions, skippedRow } from './types.js';

export interface TextBenchConfig {
  corpus: CorpusConfig;
  epochs: number;
  /** fastText's learning rate (per example, decayed linearly to 0). */
  lr: number;
  cases: { dim: number; threads: number }[];
  /** PyTorch's batch size. */
  torchBatch: number;
}

export interface TextSuiteOptions extends SuiteOptions {
  text: TextBenchConfig;
  corpus: CorpusFiles;
}

export function textBenchConfig(quick: boolean): TextBenchConfig {
  const dims = quick ? [16] : [16, 64];
  return {
    corpus: corpusConfig(quick),
    epochs: quick ? 2 : 5,
    lr: 0.5,
    cases: dims.flatMap((dim) => [1, 2].map((threads) => ({ dim, threads }))),
    torchBatch: 64,
  };
}

export function textCase(dim: number, threads: number): string {
  return `dim ${dim} · ${threads} thread${threads === 1 ? '' : 's'}`;
}

/** The metrics every implementation reports for a text case, in this order. */
export function textMetrics(r: TextPeerResult): Record<string, number> {
  return {
    'tokens/s': r.tokensPerSec,
    'train s': r.trainSeconds,
    'wall s': r.wallSeconds,
    ...(r.cpuSeconds === undefined ? {} : { 'CPU s': r.cpuSeconds }),
    'peak RSS MB': r.peakRssBytes / 2 ** 20,
    'P@1': r.p1,
  };
}

async function run(opts: SuiteOptions): Promise<BenchRow[]> {
  const text = textBenchConfig(opts.quick);
  opts.log(`corpus: ${text.corpus.train} train / ${text.corpus.test} test documents`);
  const corpus = ensureCorpusFiles(text.corpus, opts.cacheDir);
  const timeoutMs = opts.quick ? 120_000 : 600_000;
  const rows: BenchRow[] = [];

  const ours = await loadSuiteModule<TextSuiteOptions>('text_hogwild');
  const oursFailed = (reason: string) => text.cases.map((c) => skippedRow(textCase(c.dim, c.threads), OURS, reason));
  rows.push(...(ours.ok ? await runOurs(opts, () => ours.run({ ...opts, text, corpus }), oursFailed) : oursFailed(ours.reason)));

  for (const { dim, threads } of text.cases) {
    const kase = textCase(dim, threads);
    rows.push(await peerRow(opts, {
      kase, impl: 'fasttext', metrics: textMetrics,
      run: () => runFasttext({ corpus, dim, epochs: text.epochs, lr: text.lr, threads, workDir: opts.outDir, timeoutMs }),
    }));
    rows.push(await peerRow(opts, {
      kase, impl: 'pytorch', metrics: textMetrics, ...(threads > 1 ? { note: `Hogwild, ${threads} processes` } : {}),
      run: () => runTorchText({ corpus, dim, epochs: text.epochs, procs: threads, batch: text.torchBatch, timeoutMs }),
    }));
  }
  return rows;
}

export const textSuite: Suite = {
  name: 'text',
  title: 'Hogwild text classification vs fastText and PyTorch',
  run,
};
