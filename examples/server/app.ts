/**
 * A small training service on node:http:
 *
 *   POST   /jobs?dim=16&epoch=5&lr=0.5&thread=2   body: a fastText-format file → 202 { id, events }
 *   GET    /jobs                                  every job's status
 *   GET    /jobs/:id                              one job's status
 *   GET    /jobs/:id/events                       Server-Sent Events: history, then live
 *   DELETE /jobs/:id                              cancels training (AbortSignal) → 202
 *   POST   /jobs/:id/predict?k=2                  body: lines of text → labels from the newest checkpoint
 *   GET    /health                                200 { ok: true } (answers promptly while jobs train)
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { TrainingJob, type JobEvent } from './TrainingJob.js';

export interface TrainingServerOptions {
  /** Where each job's directory (training file, checkpoints) is created. */
  dataDir: string;
  /** Largest training file accepted, in bytes (default 64 MiB). */
  maxUploadBytes?: number;
  /** Jobs training at once (default 4). */
  maxRunningJobs?: number;
}

export interface TrainingServer {
  server: Server;
  jobs: Map<string, TrainingJob>;
  /** Cancels every job, waits for them, and closes the server. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An integer query parameter in [min, max], or undefined. */
function intParam(url: URL, name: string, min: number, max: number): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, `expected an integer in [${min}, ${max}] for ${name} but received '${v}'`);
  return n;
}

function numberParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new HttpError(400, `expected a number > 0 for ${name} but received '${v}'`);
  return n;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new HttpError(413, `expected at most ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams the request body to `path`, refusing more than `limit` bytes. */
async function saveBody(req: IncomingMessage, path: string, limit: number): Promise<number> {
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

function streamEvents(req: IncomingMessage, res: ServerResponse, job: TrainingJob): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const write = (e: JobEvent) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
  for (const e of job.history) write(e);
  const final = ['done', 'cancelled', 'failed'];
  if (final.includes(job.state)) {
    res.end();
    return;
  }
  const onEvent = (e: JobEvent) => {
    write(e);
    if (final.includes(e.type)) res.end();
  };
  job.on('event', onEvent);
  const stop = () => job.off('event', onEvent);
  res.on('close', stop);
  req.on('close', stop);
}

export function createTrainingServer(options: TrainingServerOptions): TrainingServer {
  const jobs = new Map<string, TrainingJob>();
  const limit = options.maxUploadBytes ?? 64 * 2 ** 20;
  const maxRunning = options.maxRunningJobs ?? 4;
  mkdirSync(options.dataDir, { recursive: true });

  const job = (id: string): TrainingJob => {
    const j = jobs.get(id);
    if (!j) throw new HttpError(404, `no job ${id}`);
    return j;
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';

    if (method === 'GET' && url.pathname === '/health') return send(res, 200, { ok: true, jobs: jobs.size });
    if (parts[0] !== 'jobs') throw new HttpError(404, `no route ${method} ${url.pathname}`);

    if (parts.length === 1 && method === 'GET') return send(res, 200, [...jobs.values()].map((j) => j.status()));
    if (parts.length === 1 && method === 'POST') {
      const running = [...jobs.values()].filter((j) => j.state === 'starting' || j.state === 'training').length;
      if (running >= maxRunning) throw new HttpError(429, `expected at most ${maxRunning} jobs training at once`);
      const train = {
        dim: intParam(url, 'dim', 1, 1024) ?? 16,
        epoch: intParam(url, 'epoch', 1, 1000) ?? 5,
        thread: intParam(url, 'thread', 1, 64) ?? 2,
        wordNgrams: intParam(url, 'wordNgrams', 1, 5) ?? 1,
        lr: numberParam(url, 'lr') ?? 0.5,
      };
      const id = randomUUID().slice(0, 8);
      const dir = join(options.dataDir, id);
      mkdirSync(dir, { recursive: true });
      try {
        if ((await saveBody(req, join(dir, 'train.txt'), limit)) === 0) throw new HttpError(400, 'expected a fastText-format training file as the request body');
      } catch (err) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      const j = new TrainingJob(id, { dir, ...train, bucket: 200_000 });
      jobs.set(id, j);
      return send(res, 202, { id, events: `/jobs/${id}/events`, status: `/jobs/${id}` });
    }

    const j = job(parts[1]!);
    if (parts.length === 2 && method === 'GET') return send(res, 200, j.status());
    if (parts.length === 2 && method === 'DELETE') {
      j.cancel();
      return send(res, 202, { id: j.id, cancelling: true });
    }
    if (parts.length === 3 && parts[2] === 'events' && method === 'GET') return streamEvents(req, res, j);
    if (parts.length === 3 && parts[2] === 'predict' && method === 'POST') {
      const k = intParam(url, 'k', 1, 100) ?? 1;
      const lines = (await readBody(req, 2 ** 20)).split('\n').filter((l) => l.trim() !== '');
      const r = await j.predict(lines, k);
      if (!r) throw new HttpError(409, `job ${j.id} has no checkpoint yet`);
      return send(res, 200, { id: j.id, checkpointEpoch: r.epoch, predictions: r.predictions });
    }
    throw new HttpError(404, `no route ${method} ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (res.headersSent) res.destroy();
      else send(res, status, { error: (err as Error).message });
      if (status === 413) req.destroy();
    });
  });

  return {
    server,
    jobs,
    async close() {
      await Promise.all([...jobs.values()].map((j) => j.dispose()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
