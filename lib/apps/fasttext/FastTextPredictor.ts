/**
 * The native fastText predictor: the dictionary and the parameters of a model,
 * scoring batches of text lines on worker threads (encode → mean of rows →
 * linear → softmax → k best). Immutable, so many batches may run at once.
 */
import {
  PREDICT_OUTPUT,
  type FastTextPredictResult,
  type NativeFastTextPredictor,
  type PredictOutputKind,
} from '../../native/predictTypes.js';
import { captureCallerStack, fromNative } from '../../errors/index.js';
import { callNative } from '../../runtime/errors.js';
import { nativeWorkspaceOf, predictNative } from '../../runtime/nativeAreas.js';
import type { Workspace } from '../../runtime/Workspace.js';
import { FASTTEXT_BLOBS } from './FastTextJob.js';

export { PREDICT_OUTPUT, type FastTextPredictResult, type PredictOutputKind };

/** What to compute for each line of a batch. */
export interface PredictBatchOptions {
  k: number;
  threshold: number;
  output: PredictOutputKind;
  /** With the test output: also count per label. */
  perLabel?: boolean;
}

export class FastTextPredictor {
  private constructor(private readonly _native: NativeFastTextPredictor) {}

  /** A predictor over the fastText blobs of `ws` (by shared storage: no copy of the parameters). */
  static fromWorkspace(ws: Workspace): FastTextPredictor {
    return new FastTextPredictor(
      callNative(() =>
        predictNative().fastTextPredictor(nativeWorkspaceOf(ws, 'ws'), {
          dictionary: FASTTEXT_BLOBS.dictionary,
          input: FASTTEXT_BLOBS.input,
          output: FASTTEXT_BLOBS.output,
          bias: FASTTEXT_BLOBS.bias,
        }),
      ),
    );
  }

  /** The dictionary's longest allowed line, in bytes. */
  get maxLineBytes(): number {
    return this._native.maxLineBytes;
  }

  /**
   * Scores every line of `bytes` ('\n'-separated UTF-8; a last line without
   * '\n' counts). Data errors reject with a DataError whose message starts
   * with "line N:", N counted from `firstLine`.
   */
  async predict(bytes: Uint8Array, options: PredictBatchOptions, firstLine = 1): Promise<FastTextPredictResult> {
    const stack = captureCallerStack();
    try {
      return await predictNative().fastTextPredict(this._native.handle, bytes, { ...options, firstLine });
    } catch (err) {
      throw fromNative(err, stack);
    }
  }
}
