/**
 * Small HTTP helpers of the example server: an error type carrying a status,
 * JSON replies, query-parameter parsing and bounded request bodies.
 */
import { createWriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A client-visible failure: `status` is the HTTP status, `message` the reply's `error`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An integer query parameter in [min, max], or undefined. */
export function intParam(url: URL, name: string, min: number, max: number): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new HttpError(400, `expected an integer in [${min}, ${max}] for ${name} but received '${v}'`);
  return n;
}

/** A finite number in (0, max], or undefined. */
export function numberParam(url: URL, name: string, max = Number.MAX_VALUE): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw new HttpError(400, `expected a number in (0, ${max}] for ${name} but received '${v}'`);
  return n;
}

/** The whole body as UTF-8, refusing more than `limit` bytes (413). */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new HttpError(413, `expected a request body of at most ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams the request body to `path`, refusing more than `limit` bytes (413); resolves with its size. */
export async function saveBody(req: IncomingMessage, path: string, limit: number): Promise<number> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(size > limit ? new HttpError(413, `expected a training file of at most ${limit} bytes`) : null, chunk);
    },
  });
  await pipeline(req, counter, createWriteStream(path));
  return size;
}
