/**
 * A small training service on node:http, with a dashboard page at `/`:
 *
 *   GET    /                                      the dashboard (HTML; charts need the optional vega packages)
 *   POST   /jobs?dim=16&epoch=5&lr=0.5&thread=2   body: a fastText-format file → 202 { id, events, status }
 *                                                 (429 + Retry-After while every training slot is taken)
 *   GET    /jobs                                  every job's status
 *   GET    /jobs/:id                              one job's status
 *   GET    /jobs/:id/events                       Server-Sent Events: history, then live (Last-Event-ID resumes)
 *   POST   /jobs/:id/cancel                       cancels training (AbortSignal) → 202; 409 once it has ended
 *   DELETE /jobs/:id                              cancels it if needed, then removes it and its files → 200
 *   POST   /jobs/:id/predict?k=2                  body: lines of text → NDJSON, labels from the newest checkpoint
 *   GET    /demo/train.txt                        a seeded synthetic training file
 *   GET    /health                                200 { ok: true, … } (answers promptly while jobs train)
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { Admission } from './admission.js';
import { corsHeaders, type CorsOrigins } from './cors.js';
import { claimDataDir } from './dataDirLock.js';
import { HttpError, intParam, numberParam, saveBody, send } from './http.js';
import { streamPredictions } from './predictStream.js';
import { redactPaths } from './redact.js';
import { streamEvents } from './sse.js';
import { serveStatic } from './staticFiles.js';
import { TrainingJob } from './TrainingJob.js';

export interface TrainingServerOptions {
  /** Where each job's directory (training file, checkpoints) is created. */
  dataDir: string;
  /** Largest training file accepted, in bytes (default 64 MiB). */
  maxUploadBytes?: number;
  /** Largest prediction request, in bytes (default 16 MiB; it is streamed, not held in memory). */
  maxPredictBytes?: number;
  /** Jobs training (or uploading) at once (default 4). */
  maxRunningJobs?: number;
  /** Origins whose pages may call the API ('*': any); default none (same origin only). */
  corsOrigins?: CorsOrigins;
}

export interface TrainingServer {
  server: Server;
  jobs: Map<string, TrainingJob>;
  admission: Admission;
  /** Cancels every job, waits for them, and closes the server. */
  close(): Promise<void>;
}

/** A job directory: the 8 hex digits of its id, holding its training file. */
const JOB_DIR = /^[0-9a-f]{8}$/;

/**
 * Jobs live in memory only, so the directories of an earlier run can be
 * neither listed nor deleted through the API: remove them at start, so
 * DATA_DIR does not grow run after run. Anything else there is left alone.
 */
function removeStaleJobs(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    if (JOB_DIR.test(name) && existsSync(join(dataDir, name, 'train.txt'))) rmSync(join(dataDir, name), { recursive: true, force: true });
  }
}

export function createTrainingServer(options: TrainingServerOptions): TrainingServer {
  const jobs = new Map<string, TrainingJob>();
  const dataDir = resolve(options.dataDir);
  const uploadLimit = options.maxUploadBytes ?? 64 * 2 ** 20;
  const predictLimit = options.maxPredictBytes ?? 16 * 2 ** 20;
  const admission = new Admission(options.maxRunningJobs ?? 4);
  mkdirSync(dataDir, { recursive: true });
  const releaseDataDir = claimDataDir(dataDir);
  removeStaleJobs(dataDir);
  // How long callbacks waited for the event loop since start: what /health reports, so a
  // stall shows even when no request happened to arrive during it.
  const loopDelay = monitorEventLoopDelay({ resolution: 2 });
  loopDelay.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;

  const job = (id: string): TrainingJob => {
    const j = jobs.get(id);
    if (!j) throw new HttpError(404, `no job ${id}`);
    return j;
  };

  async function startJob(req: IncomingMessage, url: URL): Promise<TrainingJob> {
    // Reserved before anything is awaited: parallel uploads cannot all pass the check.
    const release = admission.reserve();
    try {
      const train = {
        // A checkpoint holds 4 · dim · (200 000 buckets + words) bytes, two are kept: dim 300 ≈ 0.5 GB.
        dim: intParam(url, 'dim', 1, 300) ?? 16,
        epoch: intParam(url, 'epoch', 1, 1000) ?? 5,
        thread: intParam(url, 'thread', 1, 64) ?? 2,
        wordNgrams: intParam(url, 'wordNgrams', 1, 5) ?? 1,
        lr: numberParam(url, 'lr', 100) ?? 0.5,
      };
      const id = randomUUID().slice(0, 8);
      const dir = join(dataDir, id);
      mkdirSync(dir, { recursive: true });
      try {
        if ((await saveBody(req, join(dir, 'train.txt'), uploadLimit)) === 0) throw new HttpError(400, 'expected a fastText-format training file as the request body');
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
      const j = new TrainingJob(id, { dir, ...train, bucket: 200_000 });
      jobs.set(id, j);
      void j.finished.then(release);
      return j;
    } catch (err) {
      release();
      throw err;
    }
  }

  async function deleteJob(j: TrainingJob): Promise<Record<string, unknown>> {
    jobs.delete(j.id);
    await j.dispose(); // predictions in flight keep their model until they end
    await rm(j.options.dir, { recursive: true, force: true });
    return { id: j.id, deleted: true, state: j.state };
  }

  async function route(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';

    if (method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    if (method === 'GET' && url.pathname === '/health') {
      const eventLoopDelayMs = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
      return send(res, 200, { ok: true, jobs: jobs.size, training: admission.used, slots: admission.slots, eventLoopDelayMs }, cors);
    }
    if (method === 'GET' && serveStatic(url.pathname, res)) return;
    if (parts[0] !== 'jobs') throw new HttpError(404, `no route ${method} ${url.pathname}`);

    if (parts.length === 1 && method === 'GET') return send(res, 200, [...jobs.values()].map((j) => j.status()), cors);
    if (parts.length === 1 && method === 'POST') {
      const j = await startJob(req, url);
      return send(res, 202, { id: j.id, events: `/jobs/${j.id}/events`, status: `/jobs/${j.id}` }, cors);
    }

    const j = job(parts[1]!);
    if (parts.length === 2 && method === 'GET') return send(res, 200, j.status(), cors);
    if (parts.length === 2 && method === 'DELETE') return send(res, 200, await deleteJob(j), cors);
    if (parts.length === 3 && parts[2] === 'cancel' && method === 'POST') {
      if (j.ended) throw new HttpError(409, `job ${j.id} has already ended (${j.state}); DELETE removes it`);
      j.cancel();
      return send(res, 202, { id: j.id, cancelling: true }, cors);
    }
    if (parts.length === 3 && parts[2] === 'events' && method === 'GET') return streamEvents(req, res, url, j, cors);
    if (parts.length === 3 && parts[2] === 'predict' && method === 'POST') {
      const k = intParam(url, 'k', 1, 100) ?? 1;
      const lease = await j.acquireModel();
      if (!lease) throw j.disposed ? new HttpError(404, `no job ${j.id}`) : new HttpError(409, `job ${j.id} has no checkpoint yet`);
      try {
        return await streamPredictions(req, res, lease, j.id, { k, limit: predictLimit, headers: cors });
      } finally {
        lease.release();
      }
    }
    throw new HttpError(404, `no route ${method} ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    const cors = corsHeaders(req, options.corsOrigins);
    route(req, res, cors).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const headers = { ...cors, ...(err instanceof HttpError ? err.headers : {}) };
      if (res.headersSent) res.destroy();
      // Our own HttpError messages name no server path; anything else may (a native error, a file name).
      else send(res, status, { error: err instanceof HttpError ? err.message : redactPaths((err as Error).message) }, headers);
      // Do not read the rest of a refused upload.
      if (status === 413) res.once('finish', () => req.destroy());
    });
  });

  return {
    server,
    jobs,
    admission,
    async close() {
      // Models still used by predictions are freed when their connections close below.
      await Promise.all([...jobs.values()].map((j) => j.dispose()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      loopDelay.disable();
      releaseDataDir();
    },
  };
}
