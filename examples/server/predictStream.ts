/**
 * Predictions streamed as NDJSON, both ways: the request body is split into
 * lines as it arrives, every chunk of lines is scored by the model's native
 * (asynchronous) predict, and its answers are written at once. The loop
 * yields to the event loop between chunks and waits for a slow client's
 * socket to drain, so a large request neither stalls other requests nor
 * holds its whole input or answer in memory.
 *
 *   {"id":"3f2a9c1e","checkpointEpoch":4}
 *   {"line":0,"predictions":[{"label":"__label__a","prob":0.91}]}
 *   {"line":2,"predictions":[{"label":"__label__c","prob":0.66}]}
 *
 * `line` is the 0-based line number in the body; blank lines get no answer.
 * A failure after the header (too large a body, a model error) becomes a last
 * `{"error": …}` line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import { redactPaths } from './redact.js';
import type { ModelLease } from './SharedModel.js';

/** Labels (answers × k) per chunk: few enough that building their JSON takes about a millisecond. */
export const PREDICT_CHUNK_LABELS = 2048;

/** Lines scored per native call for `k` answers of a model with `labels` labels. */
export function predictChunkLines(k: number, labels: number): number {
  return Math.max(8, Math.min(256, Math.floor(PREDICT_CHUNK_LABELS / Math.max(1, Math.min(k, labels)))));
}

interface NumberedLine {
  line: number;
  text: string;
}

/** The non-blank lines of the body, numbered, in batches of `size`; throws past `limit` bytes. */
async function* lineBatches(req: IncomingMessage, limit: number, size: number): AsyncGenerator<NumberedLine[]> {
  let bytes = 0;
  let rest = '';
  let line = 0;
  let batch: NumberedLine[] = [];
  const take = (text: string) => {
    if (text.trim() !== '') batch.push({ line, text });
    line++;
  };
  for await (const piece of req.setEncoding('utf8') as AsyncIterable<string>) {
    bytes += Buffer.byteLength(piece);
    if (bytes > limit) throw new Error(`expected a request body of at most ${limit} bytes`);
    const parts = (rest + piece).split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      take(p);
      if (batch.length >= size) yield batch.splice(0);
    }
  }
  if (rest !== '') take(rest);
  if (batch.length > 0) yield batch;
}

/** Resolves when the socket can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export async function streamPredictions(
  req: IncomingMessage,
  res: ServerResponse,
  lease: ModelLease,
  jobId: string,
  options: { k: number; limit: number; headers: Record<string, string> },
): Promise<void> {
  let closed = false;
  res.on('close', () => (closed = true));
  res.writeHead(200, { ...options.headers, 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
  res.write(`${JSON.stringify({ id: jobId, checkpointEpoch: lease.epoch })}\n`);
  try {
    for await (const batch of lineBatches(req, options.limit, predictChunkLines(options.k, lease.model.labels.length))) {
      if (closed) break;
      const predictions = await lease.model.predict(
        batch.map((l) => l.text),
        options.k,
      );
      let text = '';
      for (let i = 0; i < batch.length; i++) text += `${JSON.stringify({ line: batch[i]!.line, predictions: predictions[i] })}\n`;
      if (!res.write(text)) await drained(res);
      await yieldToEventLoop();
    }
  } catch (err) {
    if (!closed) res.write(`${JSON.stringify({ error: redactPaths((err as Error).message) })}\n`);
    // Stop reading a refused body: close the connection once the error line is out.
    res.end(() => req.destroy());
    return;
  }
  res.end();
}
