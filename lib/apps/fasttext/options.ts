/**
 * Options of the fastText supervised model, with fastText's names and
 * defaults (`fasttext supervised -h`), checked once, with one message grammar.
 */
import { availableParallelism } from 'node:os';

import { InvalidArgumentError } from '../../errors/index.js';

/** The losses fastText knows, all trained by hogwild (`softmax` is fastText's supervised default). */
export const FASTTEXT_LOSSES = ['softmax', 'ns', 'hs', 'ova'] as const;
export type FastTextLoss = (typeof FASTTEXT_LOSSES)[number];

/** Options of {@link buildFastTextJob} (fastText's `supervised` arguments). */
export interface FastTextTrainOptions {
  /** Training file, fastText format (`__label__x tok tok …` per line). */
  input: string;
  /** Size of word vectors (default 100). */
  dim?: number;
  /** Number of epochs (default 5). */
  epoch?: number;
  /** Learning rate, decayed linearly to 0 over the whole run (default 0.1). */
  lr?: number;
  /** Hogwild threads: concurrent task instances sharing the parameters (default: min(12, cores)). */
  thread?: number;
  /** Max length of word n-grams (default 1). */
  wordNgrams?: number;
  /** Hash buckets for word and character n-grams (default 2 000 000; 0 without n-grams, as in fastText). */
  bucket?: number;
  /** Min length of character n-grams (default 0: none, fastText's supervised default). */
  minn?: number;
  /** Max length of character n-grams (default 0). */
  maxn?: number;
  /** Minimal number of word occurrences (default 1). */
  minCount?: number;
  /** Minimal number of label occurrences (default 0). */
  minCountLabel?: number;
  /**
   * Loss function (default softmax): `hs` hierarchical softmax over fastText's
   * Huffman tree of the label counts, `ns` negative sampling, `ova` one logistic
   * loss per label. A line with several labels trains on its first one.
   */
  loss?: FastTextLoss;
  /** Negatives sampled per example with `loss: 'ns'` (default 5, as fastText). */
  neg?: number;
  /** Seed of the parameter initialization and of the example order (default 0). */
  seed?: number;
  /** Label prefix (default `__label__`). */
  label?: string;
  /**
   * Examples per update; -lr stays per example (the step is lr × batchSize on
   * the batch-mean loss). 1 is fastText's. Default 0: chosen from lr and the
   * file (see autoBatchSize), up to 16.
   */
  batchSize?: number;
  /**
   * With thread > 1: batches between merges of each thread's replica of the
   * output layer into the shared one (pipe()'s `replicate`); 0 shares it in
   * place like fastText. Default 16.
   */
  syncEvery?: number;
  /**
   * With thread > 1: input rows of the most frequent words (the first rows:
   * the dictionary numbers words by decreasing count) that each thread trains
   * in its own copy, merged every `syncEvery` batches (pipe()'s
   * `replicate.rows`; docs/hogwild.md §2). Default 0: shared in place.
   */
  hotRows?: number;
  /** Skip lines without a known label instead of failing (fastText skips them silently; default false). */
  skipInvalid?: boolean;
  /**
   * fastText's -pretrainedVectors: the words of this .vec file join the
   * dictionary (as fastText adds them); the CLI also sets their input rows
   * (pretrainedVectorsSession). Default '' (none).
   */
  pretrainedVectors?: string;
}

/** The options with every default filled in. */
export type ResolvedFastTextOptions = Required<FastTextTrainOptions>;

function int(v: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`Expected an integer in [${min}, ${max}] for ${name} but received ${String(v)}`);
  }
  return v;
}

/** Fills defaults and validates; throws InvalidArgumentError naming the option. */
export function resolveFastTextOptions(o: FastTextTrainOptions): ResolvedFastTextOptions {
  if (typeof o?.input !== 'string' || o.input.length === 0) {
    throw new InvalidArgumentError(`Expected a file path for input but received ${String(o?.input)}`);
  }
  const loss = o.loss ?? 'softmax';
  if (!FASTTEXT_LOSSES.includes(loss)) {
    throw new InvalidArgumentError(`Expected one of ${FASTTEXT_LOSSES.join(', ')} for loss but received ${String(loss)}`);
  }
  const lr = o.lr ?? 0.1;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) throw new InvalidArgumentError(`Expected a number > 0 for lr but received ${String(lr)}`);
  const wordNgrams = int(o.wordNgrams ?? 1, 'wordNgrams', 1, 100);
  const label = o.label ?? '__label__';
  if (typeof label !== 'string' || label.length === 0 || /\s/.test(label)) {
    throw new InvalidArgumentError(`Expected a non-empty label prefix without spaces for label but received ${String(label)}`);
  }
  if ((o.maxn ?? 0) > 0 && (o.minn ?? 0) > (o.maxn ?? 0)) {
    throw new InvalidArgumentError(`Expected minn <= maxn but received minn ${String(o.minn)} and maxn ${String(o.maxn)}`);
  }
  return {
    input: o.input,
    dim: int(o.dim ?? 100, 'dim', 1, 1 << 16),
    epoch: int(o.epoch ?? 5, 'epoch', 1, 1_000_000),
    lr,
    thread: int(o.thread ?? Math.min(12, availableParallelism()), 'thread', 1, 1024),
    wordNgrams,
    bucket: int(o.bucket ?? 2_000_000, 'bucket', 0, 1 << 30),
    minn: int(o.minn ?? 0, 'minn', 0, 100),
    maxn: int(o.maxn ?? 0, 'maxn', 0, 100),
    minCount: int(o.minCount ?? 1, 'minCount', 1),
    minCountLabel: int(o.minCountLabel ?? 0, 'minCountLabel', 0),
    loss,
    neg: int(o.neg ?? 5, 'neg', 1, 1024),
    seed: int(o.seed ?? 0, 'seed', 0, 0x7fffffff),
    label,
    batchSize: int(o.batchSize ?? 0, 'batchSize', 0, 1 << 20),
    syncEvery: int(o.syncEvery ?? 16, 'syncEvery', 0, 1 << 20),
    hotRows: int(o.hotRows ?? 0, 'hotRows', 0, 1 << 24),
    skipInvalid: o.skipInvalid ?? false,
    pretrainedVectors: typeof o.pretrainedVectors === 'string' ? o.pretrainedVectors : '',
  };
}

/** The largest automatic batch. */
export const MAX_AUTO_BATCH = 16;

/**
 * The batch `hogwild supervised` uses when none is given. A batch applies the
 * summed per-example steps at once, so (1) a row in every example (fastText's
 * "</s>", the most frequent words) moves by about lr × batch / idsPerExample
 * in one update, with no feedback in between, and (2) an epoch makes
 * examples / batch updates instead of one per example. Measured with the
 * parity matrix (bench/parity_matrix.ts): 20 labels, 11 ids per line, lr 1.0
 * diverged with batch 16 (step 1.45) and matched fastText with batch 8
 * (0.73); 400 lines with batch 16 (25 updates per epoch) trailed fastText by
 * 4–6 pt after 5 epochs. The rule keeps that step at 0.5 or below, at least
 * 1 000 updates per epoch, and the batch in [1, 16].
 *
 * The logistic heads sum one loss per output row they touch, which the rule
 * above does not see: measured on 200 and 2 000 Zipf-distributed labels, lr
 * 0.5, 17 ids per line, `hs` diverged with batch 16 on 200 labels and matched
 * fastText with 8 (both corpora); `ova` (every label's row, every example)
 * diverged with 4 and matched fastText with 1. So hs and ns stop at 8, ova at 1.
 */
export function autoBatchSize(lr: number, idsPerExample: number, examples: number, loss: FastTextLoss = 'softmax'): number {
  const byStep = Math.floor((0.5 * Math.max(1, idsPerExample)) / lr);
  const byUpdates = Math.floor(examples / 1000);
  return Math.max(1, Math.min(MAX_AUTO_BATCH_BY_LOSS[loss], byStep, byUpdates));
}

/** The largest automatic batch of each loss (see autoBatchSize). */
const MAX_AUTO_BATCH_BY_LOSS: Readonly<Record<FastTextLoss, number>> = { softmax: MAX_AUTO_BATCH, hs: 8, ns: 8, ova: 1 };
