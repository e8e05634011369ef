// Shared by the example server's tests: a server on an ephemeral loopback
// port, one-request HTTP helpers, an SSE subscriber, and NDJSON predictions.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createTrainingServer, type TrainingServer, type TrainingServerOptions } from '../../examples/server/app.js';

export interface Started {
  service: TrainingServer;
  base: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startServer(options: Partial<TrainingServerOptions> = {}): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hogwild-server-'));
  const service = createTrainingServer({ dataDir, ...options });
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  return {
    service,
    base,
    dataDir,
    async stop() {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** One request on a fresh connection; resolves with status, headers, body and latency. */
export function http(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function json(base: string, method: string, path: string, body?: string | Buffer): Promise<{ status: number; data: Record<string, any> }> {
  const r = await http(base, method, path, body);
  return { status: r.status, data: JSON.parse(r.body) as Record<string, any> };
}

export interface Prediction {
  label: string;
  prob: number;
}

/** POST /jobs/:id/predict, parsed: the header line, one entry per answered line, and a trailing error if any. */
export async function predict(base: string, id: string, lines: string, k = 1) {
  const r = await http(base, 'POST', `/jobs/${id}/predict?k=${k}`, lines);
  if (r.status !== 200) return { status: r.status, body: r.body, header: undefined, rows: [], error: undefined };
  const msgs = r.body
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>);
  const [header, ...rest] = msgs;
  const error = rest.find((m) => 'error' in m)?.error as string | undefined;
  const rows = rest.filter((m) => 'predictions' in m) as { line: number; predictions: Prediction[] }[];
  return { status: r.status, body: r.body, header, rows, error, ms: r.ms, contentType: r.headers['content-type'] };
}

export interface SseEvent {
  id?: number;
  type: string;
  data: Record<string, any>;
}

/** An SSE subscription: the events received so far, and a way to wait for one. */
export function subscribe(base: string, path: string, headers: Record<string, string> = {}) {
  const events: SseEvent[] = [];
  let ended = false;
  let status = 0;
  let buf = '';
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const req = request(`${base}${path}`, { agent: false, headers }, (res) => {
    status = res.statusCode ?? 0;
    res.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let at: number;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data === undefined) continue; // e.g. the `retry:` block
        const id = /^id: (.*)$/m.exec(block)?.[1];
        events.push({ ...(id === undefined ? {} : { id: Number(id) }), type: /^event: (.*)$/m.exec(block)?.[1] ?? 'message', data: JSON.parse(data) as Record<string, any> });
      }
      wake();
    });
    res.on('end', () => {
      ended = true;
      wake();
    });
  });
  req.on('error', () => {
    ended = true;
    wake();
  });
  req.end();
  const until = async (check: () => boolean, ms = 60_000) => {
    const t0 = Date.now();
    while (!check()) {
      if (ended && !check()) throw new Error(`stream ${path} ended without the awaited event: ${JSON.stringify(events.map((e) => e.type))}`);
      if (Date.now() - t0 > ms) throw new Error(`timed out on ${path}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { events, until, ended: () => ended, status: () => status, close: () => req.destroy() };
}

/** Labelled lines without their labels. */
export const unlabelled = (lines: string[]) => lines.map((l) => l.replace(/^__label__\S+ /, ''));

/**
 * Seconds this process's JS thread has run and has waited, runnable, for a
 * CPU (Linux /proc; undefined elsewhere). A latency bar means nothing while
 * the thread mostly waits for a CPU that other processes hold.
 */
export function jsThreadSchedstat(): { cpu: number; wait: number } | undefined {
  const path = `/proc/self/task/${process.pid}/schedstat`;
  if (!existsSync(path)) return undefined;
  const [cpu, wait] = readFileSync(path, 'utf8').split(' ').map(Number);
  return { cpu: (cpu ?? 0) / 1e9, wait: (wait ?? 0) / 1e9 };
}

/**
 * Whether the JS thread was starved between two schedstat readings over
 * `wallMs`: it waited for a CPU more than half of the time. Warns loudly.
 */
export function starved(before: ReturnType<typeof jsThreadSchedstat>, after: ReturnType<typeof jsThreadSchedstat>, wallMs: number, what: string): boolean {
  if (!before || !after) return false;
  const wait = after.wait - before.wait;
  if (wait * 1000 <= wallMs / 2) return false;
  console.warn(`\n*** ${what}: latency bar NOT checked — the JS thread waited ${wait.toFixed(2)} s for a CPU during ${(wallMs / 1000).toFixed(2)} s (ran ${(after.cpu - before.cpu).toFixed(2)} s): the machine is oversubscribed ***\n`);
  return true;
}
