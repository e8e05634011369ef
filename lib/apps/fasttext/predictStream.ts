/**
 * Streaming prediction: text in (any async iterable of byte chunks, such as
 * stdin or a file stream), answers out as soon as each chunk's complete lines
 * are scored, in input order. Memory stays bounded by the chunk size, the
 * number of batches in flight and the longest line, whatever the input size;
 * nothing is written to disk.
 *
 * Each chunk's complete lines go to the native predictor as one batch (split
 * at line ends into pieces of at most `chunkBytes`), which runs on a worker
 * thread; up to `concurrency` batches run at once and their answers are
 * written in order. A pipe fed one line at a time gets one answer at a time.
 * The input's chunks are copied at once, so a source may reuse its buffer for
 * the next chunk (lib/cli/input.ts does: reading then allocates nothing).
 */
import { availableParallelism } from 'node:os';

import { DataError, HogwildError, InvalidArgumentError } from '../../errors/index.js';
import { FastTextPredictor, PREDICT_OUTPUT, type FastTextPredictResult, type PredictOutputKind } from './FastTextPredictor.js';
import { Meter } from './metrics.js';

/** Bytes per native call (and per file read) unless told otherwise: ~1000 lines, small enough to keep memory flat. */
export const DEFAULT_CHUNK_BYTES = 1 << 18;
const NEWLINE = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];
const noop = (): void => undefined;

export type StreamMode = 'predict' | 'predict-prob' | 'test' | 'test-label';

/** What predictStream needs of a predictor: the native one, or fastText's own scorer for a fastText .bin. */
export type BatchPredictor = Pick<FastTextPredictor, 'predict' | 'maxLineBytes'>;

export interface PredictStreamOptions {
  mode: StreamMode;
  k?: number;
  threshold?: number;
  /** Labels of the model by index (for `json`). */
  labels: readonly string[];
  /** predict/predict-prob: one JSON array per line instead of fastText's lines. */
  json?: boolean;
  /** Takes each piece of output, in order; may return a promise (backpressure). */
  write(chunk: Buffer | string): void | Promise<void>;
  /** Largest batch handed to native code, in bytes (default 256 KiB). */
  chunkBytes?: number;
  /** Batches in flight at once (default: the CPUs, at most 4). */
  concurrency?: number;
}

/** What a streamed `test` counted (fastText's meter); undefined for predict. */
export interface PredictStreamResult {
  lines: number;
  meter?: Meter;
}

/** "line N: …" from the predictor, renumbered for the whole stream. */
function renumber(err: unknown, before: number): unknown {
  if (err instanceof HogwildError) {
    err.message = err.message.replace(/^line (\d+):/, (_, n: string) => `line ${Number(n) + before}:`);
  }
  return err;
}

function outputKind(mode: StreamMode, json: boolean): PredictOutputKind {
  if (mode === 'test' || mode === 'test-label') return PREDICT_OUTPUT.test;
  if (json) return PREDICT_OUTPUT.arrays;
  return mode === 'predict-prob' ? PREDICT_OUTPUT.labelsProb : PREDICT_OUTPUT.labels;
}

/** One JSON array per input line, as `hogwild predict --json` prints them. */
function jsonLines(r: FastTextPredictResult, labels: readonly string[], withProb: boolean): string {
  const counts = r.counts!;
  let at = 0;
  let out = '';
  for (let i = 0; i < counts.length; i++) {
    const row: unknown[] = [];
    for (let j = 0; j < counts[i]!; j++, at++) {
      const label = labels[r.labels![at]!]!;
      row.push(withProb ? { label, prob: r.probs![at]! } : label);
    }
    out += `${JSON.stringify(row)}\n`;
  }
  return out;
}

/** Index just past the last '\n' at or before `end` in `buf` that is > start, or -1. */
function lineEndBefore(buf: Buffer, start: number, end: number): number {
  const at = buf.lastIndexOf(NEWLINE, end - 1);
  return at >= start ? at + 1 : -1;
}

/**
 * Predicts every line of `input` and hands the answers to `options.write` in
 * order; resolves once all are written (with the test meter for `test`).
 * Rejects with a DataError naming the line ("line N: …") for a line that is
 * too long or not UTF-8; answers for the lines before it are written first.
 */
export async function predictStream(
  predictor: BatchPredictor,
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: PredictStreamOptions,
): Promise<PredictStreamResult> {
  const k = options.k ?? 1;
  const threshold = options.threshold ?? 0;
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for k but received ${String(k)}`);
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new InvalidArgumentError(`Expected a number in [0, 1] for threshold but received ${String(threshold)}`);
  }
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const concurrency = options.concurrency ?? Math.min(4, Math.max(1, availableParallelism()));
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for chunkBytes but received ${String(chunkBytes)}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for concurrency but received ${String(concurrency)}`);
  const testing = options.mode === 'test' || options.mode === 'test-label';
  const perLabel = options.mode === 'test-label';
  const json = options.json === true && !testing;
  const request = { k, threshold, output: outputKind(options.mode, json), ...(perLabel ? { perLabel } : {}) };
  const meter = testing ? new Meter({ perLabel }) : undefined;

  let linesDone = 0; // lines of the batches already written
  let chain: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  let failure: unknown;

  const take = async (r: FastTextPredictResult): Promise<void> => {
    linesDone += r.lines;
    if (meter) {
      meter.examples += r.examples!;
      meter.gold += r.gold!;
      meter.predicted += r.predicted!;
      meter.predictedGold += r.predictedGold!;
      if (perLabel) meter.addLabelCounts(options.labels, r.labelGold!, r.labelPredicted!, r.labelPredictedGold!);
    } else if (json) {
      const text = jsonLines(r, options.labels, options.mode === 'predict-prob');
      if (text) await options.write(text);
    } else if (r.text!.length > 0) {
      await options.write(r.text!);
    }
  };

  /** Starts scoring `bytes` now; its answers are written after every earlier batch's. */
  const dispatch = async (bytes: Uint8Array): Promise<void> => {
    const job = predictor.predict(bytes, request);
    job.catch(() => undefined); // handled in order below
    const done = chain.then(async () => {
      try {
        await take(await job);
      } catch (err) {
        throw renumber(err, linesDone);
      }
    });
    done.catch((err: unknown) => {
      failure ??= err;
      failed();
    });
    chain = done;
    inFlight.push(done);
    // Failures are recorded in `failure` (checked by the reading loop), not thrown here.
    while (inFlight.length >= concurrency) await inFlight.shift()!.then(noop, noop);
  };

  /** Hands complete lines buf[0, end) over in pieces of at most chunkBytes (a longer line is one piece). */
  const dispatchLines = async (buf: Buffer, end: number): Promise<void> => {
    let start = 0;
    while (start < end) {
      let stop = end;
      if (end - start > chunkBytes) {
        stop = lineEndBefore(buf, start, start + chunkBytes);
        if (stop < 0) stop = buf.indexOf(NEWLINE, start + chunkBytes) + 1;
      }
      await dispatch(buf.subarray(start, stop));
      start = stop;
    }
  };

  // One working buffer: the unfinished last line, then the next piece after it. Batches are
  // copied by the native call itself, so the buffer is reused and reading makes no garbage.
  let work = Buffer.allocUnsafe(Math.min(chunkBytes, 1 << 16));
  let used = 0;
  let atStart = true;
  const maxLine = predictor.maxLineBytes;
  // The next piece, or the first failure of a batch, whichever comes first: a failed batch is
  // reported at once, not when a slow input sends its next line.
  let failed: () => void = noop;
  const failedSignal = new Promise<undefined>((resolve) => (failed = () => resolve(undefined)));
  const iterator: AsyncIterator<Uint8Array | string> =
    Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : (async function* () { yield* input; })();
  for (;;) {
    const next = await Promise.race([iterator.next(), failedSignal]);
    if (failure !== undefined || next === undefined || next.done) break;
    const piece = next.value;
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    if (used + bytes.length > work.length) {
      const grown = Buffer.allocUnsafe(Math.max(used + bytes.length, 2 * work.length));
      work.copy(grown, 0, 0, used);
      work = grown;
    }
    work.set(bytes, used);
    used += bytes.length;
    if (atStart) {
      if (used < BOM.length && BOM.slice(0, used).every((b, i) => work[i] === b)) continue;
      // A leading byte-order mark is not part of the text (as TextDecoder reads it).
      if (BOM.every((b, i) => work[i] === b)) {
        work.copyWithin(0, BOM.length, used);
        used -= BOM.length;
      }
      atStart = false;
    }
    const end = lineEndBefore(work, 0, used);
    if (end > 0) {
      await dispatchLines(work, end);
      work.copyWithin(0, end, used);
      used -= end;
    }
    if (used > maxLine) {
      // A line that long is an error anyway: say so now instead of buffering it.
      await Promise.allSettled(inFlight);
      if (failure !== undefined) break;
      failure = new DataError('HOGWILD_DATA', `line ${linesDone + 1}: line is longer than max_line_bytes (${maxLine})`);
      break;
    }
  }
  // Stop the input (its pending read, if any, ends on its own) unless it was read to the end.
  if (failure !== undefined) void iterator.return?.()?.catch(noop);
  if (failure === undefined && used > 0) await dispatch(work.subarray(0, used));
  await Promise.allSettled(inFlight);
  if (failure !== undefined) throw failure;
  return { lines: linesDone, ...(meter ? { meter } : {}) };
}
