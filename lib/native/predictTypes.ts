/**
 * Types of the prediction part of the native surface: a fastText predictor
 * made from a workspace's blobs, and batch prediction off the JS thread.
 */
import type { NativeWorkspace } from './coreTypes.js';

/** What a batch call returns: 0 arrays, 1 `predict` text, 2 `predict-prob` text, 3 test counts. */
export const PREDICT_OUTPUT = { arrays: 0, labels: 1, labelsProb: 2, test: 3 } as const;
export type PredictOutputKind = (typeof PREDICT_OUTPUT)[keyof typeof PREDICT_OUTPUT];

/** An immutable native predictor; `handle` is passed back to fastTextPredict. */
export interface NativeFastTextPredictor {
  readonly handle: unknown;
  /** The dictionary's longest line, in bytes. */
  readonly maxLineBytes: number;
  readonly nlabels: number;
  readonly dim: number;
}

export interface FastTextPredictRequest {
  k: number;
  threshold: number;
  output: PredictOutputKind;
  /** Number of the batch's first line, for error messages ("line N: …"). */
  firstLine: number;
  /** Test: also count per label (`hogwild test-label`). */
  perLabel?: boolean;
}

export interface FastTextPredictResult {
  /** Input lines in the batch. */
  lines: number;
  /** Labels / LabelsProb: one '\n'-ended output line per input line. */
  text?: Buffer;
  /** Arrays: per input line, how many (label, prob) pairs follow in labels/probs, best first. */
  counts?: Int32Array;
  labels?: Int32Array;
  probs?: Float32Array;
  /** Test: fastText's meter counts. */
  examples?: number;
  gold?: number;
  predicted?: number;
  predictedGold?: number;
  /** Test with perLabel: the same counts per label index. */
  labelGold?: Float64Array;
  labelPredicted?: Float64Array;
  labelPredictedGold?: Float64Array;
}

export interface PredictBinding {
  /** A predictor over the dictionary and parameter blobs of `ws` (shared storage, no copy). */
  fastTextPredictor(ws: NativeWorkspace, blobs: { dictionary: string; input: string; output: string; bias: string }): NativeFastTextPredictor;
  /** Predicts every line of `bytes` on a worker thread; many calls may run at once. */
  fastTextPredict(handle: unknown, bytes: Uint8Array, request: FastTextPredictRequest): Promise<FastTextPredictResult>;
}
