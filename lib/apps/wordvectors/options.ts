/**
 * Options of fastText's unsupervised models (`fasttext cbow`, `fasttext
 * skipgram`), with fastText's names and defaults, checked once.
 */
import { availableParallelism } from 'node:os';

import { InvalidArgumentError } from '../../errors/index.js';

/** The two word-vector models. */
export type WordVectorsModel = 'cbow' | 'skipgram';

/** Options of {@link buildWordVectorsJob} (fastText's `cbow`/`skipgram` arguments). */
export interface WordVectorsTrainOptions {
  /** Training file: plain text, tokens split on whitespace, one sentence or document per line. */
  input: string;
  /** cbow (default) or skipgram. */
  model?: WordVectorsModel;
  /** Size of word vectors (default 100). */
  dim?: number;
  /** Size of the context window (default 5; each word draws its window in [1, ws]). */
  ws?: number;
  /** Number of epochs (default 5). */
  epoch?: number;
  /** Learning rate, decayed linearly to 0 over the tokens of the whole run (default 0.05). */
  lr?: number;
  /** Tokens a thread processes between updates of the shared progress (and so of the rate; default 100). */
  lrUpdateRate?: number;
  /** Negatives sampled per prediction (default 5). */
  neg?: number;
  /** Sampling threshold: a word of frequency f is kept with probability sqrt(t/f) + t/f (default 1e-4). */
  t?: number;
  /** Hogwild threads (default: min(12, cores)). */
  thread?: number;
  /** Hash buckets of character n-grams (default 2 000 000; 0 without n-grams). */
  bucket?: number;
  /** Min length of character n-grams (default 3). */
  minn?: number;
  /** Max length of character n-grams (default 6; 0: none). */
  maxn?: number;
  /** Minimal number of word occurrences (default 5). */
  minCount?: number;
  /** Seed of the initialization and of every thread's draws (default 0). */
  seed?: number;
  /** Label prefix: tokens starting with it are not words (default `__label__`). */
  label?: string;
  /** Line pieces per batch a thread takes from the shared cursor (default 32). */
  batchSize?: number;
}

/** The options with every default filled in. */
export type ResolvedWordVectorsOptions = Required<WordVectorsTrainOptions>;

function int(v: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`Expected an integer in [${min}, ${max}] for ${name} but received ${String(v)}`);
  }
  return v;
}

function positive(v: unknown, name: string, max = Number.MAX_VALUE): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) throw new InvalidArgumentError(`Expected a number in (0, ${max}] for ${name} but received ${String(v)}`);
  return v;
}

/** Fills fastText's defaults and validates; throws InvalidArgumentError naming the option. */
export function resolveWordVectorsOptions(o: WordVectorsTrainOptions): ResolvedWordVectorsOptions {
  if (typeof o?.input !== 'string' || o.input.length === 0) throw new InvalidArgumentError(`Expected a file path for input but received ${String(o?.input)}`);
  const model = o.model ?? 'cbow';
  if (model !== 'cbow' && model !== 'skipgram') throw new InvalidArgumentError(`Expected cbow or skipgram for model but received ${String(model)}`);
  const label = o.label ?? '__label__';
  if (typeof label !== 'string' || label.length === 0 || /\s/.test(label)) {
    throw new InvalidArgumentError(`Expected a non-empty label prefix without spaces for label but received ${String(label)}`);
  }
  const minn = int(o.minn ?? 3, 'minn', 0, 64);
  const maxn = int(o.maxn ?? 6, 'maxn', 0, 64);
  if (maxn > 0 && minn > maxn) throw new InvalidArgumentError(`Expected minn <= maxn but received minn ${minn} and maxn ${maxn}`);
  const bucket = int(o.bucket ?? 2_000_000, 'bucket', 0, 1 << 30);
  if (maxn > 0 && bucket === 0) throw new InvalidArgumentError(`Expected bucket > 0 with character n-grams (maxn ${maxn}) but received 0`);
  return {
    input: o.input,
    model,
    dim: int(o.dim ?? 100, 'dim', 1, 1 << 16),
    ws: int(o.ws ?? 5, 'ws', 1, 1 << 20),
    epoch: int(o.epoch ?? 5, 'epoch', 1, 1_000_000),
    lr: positive(o.lr ?? 0.05, 'lr', 1e6),
    lrUpdateRate: int(o.lrUpdateRate ?? 100, 'lrUpdateRate', 1),
    neg: int(o.neg ?? 5, 'neg', 0, 1 << 20),
    t: positive(o.t ?? 1e-4, 't', 1),
    thread: int(o.thread ?? Math.min(12, availableParallelism()), 'thread', 1, 1024),
    bucket: maxn > 0 ? bucket : 0,
    minn,
    maxn,
    minCount: int(o.minCount ?? 5, 'minCount', 1),
    seed: int(o.seed ?? 0, 'seed', 0, 0x7fffffff),
    label,
    batchSize: int(o.batchSize ?? 32, 'batchSize', 1, 1 << 20),
  };
}
