/**
 * A trained fastText model: load it from a model file or from any checkpoint
 * of a fastText job, then predict labels for lines of text or evaluate it on a
 * labelled file (fastText's `predict` and `test`).
 *
 * Lines are encoded natively by the training dictionary (the same tokenizer,
 * n-gram hashing and ids as training) and scored by one plan per chunk of
 * lines: mean of the input rows → linear → softmax. Each line is given a known
 * label before encoding, so every line, labelled or not, yields one prediction.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { regularFileOf } from '../../checkpoint/regularFile.js';
import { inspectCheckpoint, loadCheckpoint, saveCheckpoint } from '../../checkpoint/files.js';
import { DataError, HogwildError, InvalidArgumentError } from '../../errors/index.js';
import { Net } from '../../net/Net.js';
import { Workspace } from '../../runtime/Workspace.js';
import { LocalSession } from '../../session/LocalSession.js';
import { parseDictionaryRecord, type DictionaryInfo } from './dictionaryRecord.js';
import { FASTTEXT_BLOBS, FASTTEXT_MODEL_BLOBS, type FastTextJob } from './FastTextJob.js';
import { Meter, topK, type Prediction } from './metrics.js';

/** fastText's own .bin files start with this int32 (FASTTEXT_FILEFORMAT_MAGIC_INT32). */
const FASTTEXT_MAGIC = 793712314;
/** Lines scored per plan run (bounds the memory of one run). */
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
    meta: { format: FASTTEXT_MODEL_FORMAT, dim: String(ft.options.dim), loss: ft.options.loss, wordNgrams: String(ft.options.wordNgrams), ...meta },
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
  private readonly _session: LocalSession;
  private readonly _dir: string;
  private readonly _input: string;
  private readonly _net: Net;
  private _queue: Promise<unknown> = Promise.resolve();
  private _disposed = false;

  private constructor(path: string, ws: Workspace, dictionary: DictionaryInfo, dim: number, meta: Record<string, string>) {
    this.path = path;
    this._ws = ws;
    this.dictionary = dictionary;
    this.labels = dictionary.labels;
    this.dim = dim;
    this.meta = meta;
    this._session = new LocalSession({ workspace: ws });
    this._dir = mkdtempSync(join(tmpdir(), 'hogwild-predict-'));
    this._input = join(this._dir, `lines-${randomBytes(4).toString('hex')}.txt`);
    const net = new Net('fasttext_predict');
    const [, lengths, values] = net.op('ReadFastTextFile', [FASTTEXT_BLOBS.dictionary], ['predict/label', 'predict/lengths', 'predict/values'], {
      path: this._input,
      index_dtype: 'int32',
    }) as [unknown, string, string];
    const hidden = net.SparseLengthsMean([FASTTEXT_BLOBS.input, values, lengths], ['predict/hidden']);
    const logits = net.FC([hidden, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias], ['predict/logits']);
    net.Softmax(logits, ['predict/probs']);
    this._net = net;
  }

  /**
   * Loads a model file written by `hogwild supervised` / {@link saveFastTextModel},
   * or the model part of a checkpoint of a fastText job. Rejects with a
   * HogwildError naming the file when it is missing, corrupt, or not a model.
   */
  static async load(path: string): Promise<FastTextModel> {
    // Symlinks followed; a FIFO refused before any open() that would block.
    const file = regularFileOf(resolveModelPath(path), 'model file');
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
      return new FastTextModel(file, ws, dictionary, dim, info.meta);
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

  /**
   * Predicts the `k` most probable labels (with probability >= `threshold`)
   * of every line, best first; one list per line, in order.
   */
  async predict(lines: readonly string[], k = 1, threshold = 0): Promise<Prediction[][]> {
    if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for k but received ${String(k)}`);
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
      throw new InvalidArgumentError(`Expected a number in [0, 1] for threshold but received ${String(threshold)}`);
    }
    const out: Prediction[][] = [];
    for (let i = 0; i < lines.length; i += CHUNK_LINES) {
      const chunk = lines.slice(i, i + CHUNK_LINES);
      const probs = await this._exclusive(() => this._score(chunk, i));
      const n = this.labels.length;
      for (let j = 0; j < chunk.length; j++) out.push(topK(probs, j * n, n, this.labels, k, threshold));
    }
    return out;
  }

  /** fastText's `test`: precision and recall at k over the lines with a known label. */
  async test(lines: readonly string[], k = 1, threshold = 0): Promise<FastTextTestResult> {
    const meter = new Meter();
    const labelled = lines.map((l) => [l, this.goldLabels(l)] as const).filter(([, g]) => g.length > 0);
    const predictions = await this.predict(
      labelled.map(([l]) => l),
      k,
      threshold,
    );
    labelled.forEach(([, gold], i) => meter.log(gold, predictions[i]!));
    return { examples: meter.examples, precision: meter.precision(), recall: meter.recall(), text: meter.format(k) };
  }

  /** Frees the native memory and the scratch directory (after predictions in flight). */
  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._queue.catch(() => undefined);
    await this._session.close();
    this._ws.dispose();
    rmSync(this._dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** Runs `fn` after every earlier scoring run (one workspace, one scratch file). */
  private _exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this._disposed) throw new InvalidArgumentError('Expected a live FastTextModel but it was disposed', 'HOGWILD_DISPOSED');
    const run = this._queue.then(fn, fn);
    this._queue = run.catch(() => undefined);
    return run;
  }

  /** Scores `lines` (`offset`: index of the first one, for error messages). */
  private async _score(lines: readonly string[], offset: number): Promise<Float32Array> {
    const label = this.labels[0]!;
    // One line in, one line out: a known label first, and no '\n' inside.
    const text = lines.map((l) => `${label} ${l.replace(/\n/g, ' ')}\n`).join('');
    await writeFile(this._input, text);
    try {
      await this._session.run(this._net);
    } catch (err) {
      // Name the caller's line, not the scratch file's.
      if (err instanceof Error) err.message = err.message.split(`${this._input}:`).join('line ').replace(/^line (\d+)/, (_, n: string) => `line ${Number(n) + offset}`);
      throw err;
    }
    const probs = this._ws.fetch('predict/probs');
    if (probs.shape[0] !== lines.length) {
      throw new DataError('HOGWILD_DATA', `Expected ${lines.length} encoded lines but the dictionary kept ${probs.shape[0]}`);
    }
    return probs.data as Float32Array;
  }
}

/** The model file path of `-output <prefix>`: `<prefix>.bin`, as fastText. */
export function modelFileOf(outputPrefix: string): string {
  return `${outputPrefix}.bin`;
}
