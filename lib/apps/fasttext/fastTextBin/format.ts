/**
 * The layout of fastText's model file (`.bin`, format version 12, as written
 * by fastText 0.9): a signature, the training arguments, the dictionary, and
 * the input and output matrices. Everything is little-endian.
 *
 *   int32 magic 793712314, int32 version 12
 *   args: int32 dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket,
 *         minn, maxn, lrUpdateRate; float64 t
 *   dictionary: int32 size, nwords, nlabels; int64 ntokens, pruneidxSize;
 *         size × {bytes word, 0x00, int64 count, int8 type (0 word, 1 label)};
 *         pruneidxSize × {int32, int32}
 *   bool quantInput; input matrix: int64 rows, int64 cols, rows×cols float32
 *   bool quantOutput; output matrix (same layout)
 */
import { DataError } from '../../../errors/index.js';

export const FASTTEXT_BIN_MAGIC = 793712314;
export const FASTTEXT_BIN_VERSION = 12;
/** Stable code of every error about a fastText model file. */
export const FASTTEXT_BIN_ERROR = 'HOGWILD_FASTTEXT_BIN';

/** fastText's loss_name enum values. */
export const LOSS_IDS = Object.freeze({ hs: 1, ns: 2, softmax: 3, ova: 4 } as const);
/** fastText's model_name enum values. */
export const MODEL_IDS = Object.freeze({ cbow: 1, sg: 2, sup: 3 } as const);
export type FastTextBinLoss = keyof typeof LOSS_IDS;
export type FastTextBinModelKind = keyof typeof MODEL_IDS;

/** The arguments fastText stores with a model (the rest are not saved). */
export interface FastTextBinArgs {
  dim: number;
  ws: number;
  epoch: number;
  minCount: number;
  neg: number;
  wordNgrams: number;
  loss: FastTextBinLoss;
  model: FastTextBinModelKind;
  bucket: number;
  minn: number;
  maxn: number;
  lrUpdateRate: number;
  t: number;
}

export interface FastTextBinEntry {
  word: string;
  count: bigint;
  /** 0 word, 1 label. */
  type: 0 | 1;
}

/** A dense row-major float32 matrix. */
export interface FastTextMatrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** A whole fastText model file, as read or to be written. */
export interface FastTextBin {
  args: FastTextBinArgs;
  /** Entries in id order: the words, then the labels. */
  entries: FastTextBinEntry[];
  nwords: number;
  nlabels: number;
  ntokens: bigint;
  /** rows nwords + bucket, cols dim. */
  input: FastTextMatrix;
  /** rows nlabels (supervised) or nwords (cbow/skipgram), cols dim. */
  output: FastTextMatrix;
}

/** The error for a model file that is not a readable fastText model. */
export function binError(name: string, what: string): DataError {
  return new DataError(FASTTEXT_BIN_ERROR, `Expected a fastText model file (.bin, version ${FASTTEXT_BIN_VERSION}) in ${name} but ${what}`);
}

export function lossName(id: number): FastTextBinLoss | undefined {
  return (Object.keys(LOSS_IDS) as FastTextBinLoss[]).find((k) => LOSS_IDS[k] === id);
}

export function modelName(id: number): FastTextBinModelKind | undefined {
  return (Object.keys(MODEL_IDS) as FastTextBinModelKind[]).find((k) => MODEL_IDS[k] === id);
}
