/**
 * A trained fastText model: load it from a model file or from any checkpoint
 * of a fastText job, then predict labels for lines of text or evaluate it on a
 * labelled file (fastText's `predict` and `test`).
 *
 * Lines are encoded natively by the training dictionary (the same tokenizer,
 * n-gram hashing and ids as training) and scored by the native predictor
 * (FastTextPredictor: mean of the input rows → linear → softmax, on worker
 * threads, no scratch files). Every line, labelled or not, yields one
 * prediction; its own labels are not part of its input.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

import { regularFileOf } from '../../checkpoint/regularFile.js';
import { inspectCheckpoint, loadCheckpoint, saveCheckpoint } from '../../checkpoint/files.js';
import { DataError, HogwildError, InvalidArgumentError } from '../../errors/index.js';
import { Workspace } from '../../runtime/Workspace.js';
import type { LocalSession } from '../../session/LocalSession.js';
import { parseDictionaryRecord, type DictionaryInfo } from './dictionaryRecord.js';
import { FASTTEXT_BLOBS, FASTTEXT_MODEL_BLOBS, type FastTextJob } from './FastTextJob.js';
import { FastTextPredictor, PREDICT_OUTPUT } from './FastTextPredictor.js';
import { Meter, type Prediction } from './metrics.js';
import type { BatchPredictor } from './predictStream.js';
import { FastTextBinBatchPredictor } from './fastTextBin/batchPredictor.js';
import { loadFastTextBinModel, scorerOfConvertedModel, type FastTextBinScorer } from './fastTextBin/load.js';

/** fastText's own .bin files start with this int32 (FASTTEXT_FILEFORMAT_MAGIC_INT32). */
const FASTTEXT_MAGIC = 793712314;
/** Lines scored per native call (bounds the memory of one call). */
const CHUNK_LINES = 20_000;
/** Value of the `format` metadata key of model files. */
export const FASTTEXT_MODEL_FORMAT = 'hogwild-fasttext/1';

/** Result of {@link FastTextModel.test}. */
export interface FastTextTestResult {
  /** Examples evaluated (lines with at least one label the model knows). */
  examples: number;
  precision: number;
  recall: number;
  /** The lines `fasttext test` prints. */
  text: string;
}

/**
 * Writes the model file of a trained job: the dictionary and parameters from
 * `session`'s workspace, as one safetensors checkpoint with `format` metadata.
 */
export async function saveFastTextModel(session: LocalSession, path: string, ft: FastTextJob, epoch: number, meta: Record<string, string> = {}): Promise<void> {
  await saveCheckpoint(session.workspace, FASTTEXT_MODEL_BLOBS, path, {
    epoch,
    node: 'model',
    meta: { format: FASTTEXT_MODEL_FORMAT, dim: String(ft.options.dim), loss: ft.options.loss, neg: String(ft.options.neg), wordNgrams: String(ft.options.wordNgrams), ...meta },
  });
}

/** `path`, or `path.bin` when only that exists (fastText users type `-output model`, then `model.bin`). */
export function resolveModelPath(path: string): string {
  if (!existsSync(path) && existsSync(`${path}.bin`)) return `${path}.bin`;
  return path;
}

function checkNotFastTextBinary(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    if (readSync(fd, head, 0, 4, 0) === 4 && head.readInt32LE(0) === FASTTEXT_MAGIC) {
      throw new InvalidArgumentError(
        `Expected a model written by hogwild (hogwild supervised) but ${path} is a model of the fasttext program, which hogwild cannot read`,
        'HOGWILD_DATA',
      );
    }
  } catch (err) {
    if (err instanceof HogwildError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new DataError('HOGWILD_IO', `Expected a model file at ${path} but there is none`);
    throw new DataError('HOGWILD_IO', `Could not read the model file ${path}: ${(err as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A trained fastText model loaded from a model file or a checkpoint, for
 * predictions and evaluation. Concurrent calls are queued (one workspace);
 * dispose it (or `await using`) to free its native memory.
 *
 * @example
 * await using model = await FastTextModel.load('model.bin');
 * const [[best]] = await model.predict(['some words to classify']);
 * console.log(best.label, best.prob);
 * console.log((await model.test(testLines, 1)).text); // N, P@1, R@1 as fastText prints them
 */
export class FastTextModel {
  /** Label strings (prefix included), by index. */
  readonly labels: readonly string[];
  readonly dim: number;
  readonly dictionary: DictionaryInfo;
  /** Where it was loaded from. */
  readonly path: string;
  /** The `meta` strings of the file. */
  readonly meta: Readonly<Record<string, string>>;
  private readonly _ws: Workspace;
  /** The native predictor, made on first use (a model read from fastText's .bin predicts with its own scorer). */
  private _native: FastTextPredictor | undefined;
  private _queue: Promise<unknown> = Promise.resolve();
  private _disposed = false;
  /** Set for a model read from fastText's own model file: predicts as fastText does. */
  private _fastText: FastTextBinScorer | null = null;

  private constructor(path: string, ws: Workspace, dictionary: DictionaryInfo, dim: number, meta: Record<string, string>) {
    this.path = path;
    this._ws = ws;
    this.dictionary = dictionary;
    this.labels = dictionary.labels;
    this.dim = dim;
    this.meta = meta;
  }

  /**
   * Loads a model file written by `hogwild supervised` / {@link saveFastTextModel},
   * or the model part of a checkpoint of a fastText job. Rejects with a
   * HogwildError naming the file when it is missing, corrupt, or not a model.
   */
  static async load(path: string): Promise<FastTextModel> {
    // Symlinks followed; a FIFO refused before any open() that would block.
    const file = regularFileOf(resolveModelPath(path), 'model file');
    const fromFastText = loadFastTextBinModel(file);
    if (fromFastText) {
      const model = new FastTextModel(file, fromFastText.ws, fromFastText.dictionary, fromFastText.dim, fromFastText.meta);
      model._fastText = fromFastText.scorer;
      return model;
    }
    checkNotFastTextBinary(file);
    const info = await inspectCheckpoint(file);
    const names = new Set(info.blobs.map((b) => b.name));
    const missing = FASTTEXT_MODEL_BLOBS.filter((b) => !names.has(b));
    if (missing.length > 0) {
      throw new InvalidArgumentError(`Expected a hogwild fastText model in ${file} but it lacks ${missing.join(', ')}`, 'HOGWILD_DATA');
    }
    const ws = new Workspace();
    try {
      await loadCheckpoint(ws, file, { blobNames: FASTTEXT_MODEL_BLOBS });
      const record = ws.serializeBlob(FASTTEXT_BLOBS.dictionary);
      if (!record) throw new InvalidArgumentError(`Expected a fastText dictionary in ${file} but its blob is not one`, 'HOGWILD_DATA');
      const dictionary = parseDictionaryRecord(record.data as Uint8Array);
      const dim = info.blobs.find((b) => b.name === FASTTEXT_BLOBS.input)!.shape[1] ?? 0;
      const model = new FastTextModel(file, ws, dictionary, dim, info.meta);
      model._fastText = scorerOfConvertedModel(ws, info.meta);
      return model;
    } catch (err) {
      ws.dispose();
      throw err;
    }
  }

  /** The gold labels of a line: its tokens with the label prefix that the model knows, in order. */
  goldLabels(line: string): string[] {
    const prefix = this.dictionary.labelPrefix;
    const known = new Set(this.labels);
    return line.split(/[ \t\r\v\f\0]+/).filter((t) => t.startsWith(prefix) && known.has(t));
  }

  private _nativePredictor(): FastTextPredictor {
    this._native ??= FastTextPredictor.fromWorkspace(this._ws);
    return this._native;
  }

  /** The batch predictor of this model, for streaming (predictStream); valid until dispose(). */
  predictor(): BatchPredictor {
    if (this._disposed) throw new InvalidArgumentError('Expected a live FastTextModel but it was disposed', 'HOGWILD_DISPOSED');
    if (this._fastText) return new FastTextBinBatchPredictor(this._fastText, this.labels);
    return this._nativePredictor();
  }

  /**
   * Predicts the `k` most probable labels (with probability >= `threshold`)
   * of every line, best first; one list per line, in order.
   */
  async predict(lines: readonly string[], k = 1, threshold = 0): Promise<Prediction[][]> {
    checkKAndThreshold(k, threshold);
    if (this._fastText) return this._fastText.predict(lines, k, threshold);
    const out: Prediction[][] = [];
    for (let i = 0; i < lines.length; i += CHUNK_LINES) {
      const r = await this._exclusive(() => this._nativePredictor().predict(joinLines(lines, i), { k, threshold, output: PREDICT_OUTPUT.arrays }, i + 1));
      let at = 0;
      for (const n of r.counts!) {
        const row: Prediction[] = [];
        for (let j = 0; j < n; j++, at++) row.push({ label: this.labels[r.labels![at]!]!, prob: r.probs![at]! });
        out.push(row);
      }
    }
    return out;
  }

  /** fastText's `test`: precision and recall at k over the lines with a known label. */
  async test(lines: readonly string[], k = 1, threshold = 0): Promise<FastTextTestResult> {
    checkKAndThreshold(k, threshold);
    if (this._fastText) return this._fastText.test(lines, k, threshold);
    const meter = new Meter();
    for (let i = 0; i < lines.length; i += CHUNK_LINES) {
      const r = await this._exclusive(() => this._nativePredictor().predict(joinLines(lines, i), { k, threshold, output: PREDICT_OUTPUT.test }, i + 1));
      meter.examples += r.examples!;
      meter.gold += r.gold!;
      meter.predicted += r.predicted!;
      meter.predictedGold += r.predictedGold!;
    }
    return { examples: meter.examples, precision: meter.precision(), recall: meter.recall(), text: meter.format(k) };
  }

  /** Frees the native memory (after predictions in flight; batches already started keep the parameters alive). */
  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._queue.catch(() => undefined);
    this._ws.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** Runs `fn` after every earlier call (calls answer in order and one at a time). */
  private _exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this._disposed) throw new InvalidArgumentError('Expected a live FastTextModel but it was disposed', 'HOGWILD_DISPOSED');
    const run = this._queue.then(fn, fn);
    this._queue = run.catch(() => undefined);
    return run;
  }
}

function checkKAndThreshold(k: number, threshold: number): void {
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for k but received ${String(k)}`);
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new InvalidArgumentError(`Expected a number in [0, 1] for threshold but received ${String(threshold)}`);
  }
}

/** Lines [from, from + CHUNK_LINES) as one UTF-8 text, one line each ('\n' inside a line becomes a space). */
function joinLines(lines: readonly string[], from: number): Buffer {
  const chunk = lines.slice(from, from + CHUNK_LINES);
  return Buffer.from(chunk.map((l) => `${l.includes('\n') ? l.replace(/\n/g, ' ') : l}\n`).join(''));
}

/** The model file path of `-output <prefix>`: `<prefix>.bin`, as fastText. */
export function modelFileOf(outputPrefix: string): string {
  return `${outputPrefix}.bin`;
}
