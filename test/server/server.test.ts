// The example server (examples/server) end to end over real HTTP on
// 127.0.0.1: two jobs training at once, Server-Sent Events, a cancel through
// an AbortSignal, predictions from the newest checkpoint during training, and
// a health endpoint whose p99 latency stays under 50 ms while both jobs train.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, test } from 'vitest';

import { createTrainingServer, type TrainingServer } from '../../examples/server/app.js';
import { writeCorpus } from '../../lib/apps/fasttext/corpus.js';
import { scratch } from '../cli/helpers.js';

let service: TrainingServer;
let base: string;
let dir: string;

interface Reply {
  status: number;
  body: string;
  ms: number;
}

/** One request on a fresh connection; resolves with status, body and latency. */
function http(method: string, path: string, body?: string): Promise<Reply> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = async (method: string, path: string, body?: string) => {
  const r = await http(method, path, body);
  return { status: r.status, data: JSON.parse(r.body) as Record<string, unknown> & { predictions?: { label: string; prob: number }[][] } };
};

/** An SSE subscription: the events received so far, and waiters. */
function subscribe(path: string) {
  const events: { type: string; data: Record<string, unknown> }[] = [];
  let ended = false;
  let buf = '';
  const waiters: (() => void)[] = [];
  const req = request(`${base}${path}`, { agent: false }, (res) => {
    expect(res.headers['content-type']).toBe('text/event-stream');
    res.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let at: number;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
        events.push({ type, data });
      }
      waiters.splice(0).forEach((w) => w());
    });
    res.on('end', () => {
      ended = true;
      waiters.splice(0).forEach((w) => w());
    });
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
  return { events, until, ended: () => ended, close: () => req.destroy() };
}

beforeAll(async () => {
  dir = scratch('server');
  writeCorpus(join(dir, 'train.txt'), join(dir, 'test.txt'), { seed: 5, train: 20_000, test: 400, classes: 6 });
  service = createTrainingServer({ dataDir: join(dir, 'jobs') });
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
});
afterAll(() => service?.close());

test('two concurrent jobs, SSE progress, predictions while training, a cancel, and a prompt health endpoint', async () => {
  const corpus = readFileSync(join(dir, 'train.txt'), 'utf8');
  const a = await json('POST', '/jobs?dim=16&epoch=12&lr=0.5&thread=1', corpus);
  const b = await json('POST', '/jobs?dim=16&epoch=200&lr=0.5&thread=1', corpus);
  expect(a.status).toBe(202);
  expect(b.status).toBe(202);
  const idA = a.data.id as string;
  const idB = b.data.id as string;
  const sseA = subscribe(`/jobs/${idA}/events`);
  const sseB = subscribe(`/jobs/${idB}/events`);

  // Both train: wait for an epoch of each.
  await sseA.until(() => sseA.events.some((e) => e.type === 'epoch'));
  await sseB.until(() => sseB.events.some((e) => e.type === 'epoch'));
  expect(sseA.events[0]).toEqual({ type: 'state', data: { state: 'training' } });
  expect(sseA.events.find((e) => e.type === 'epoch')!.data).toMatchObject({ epoch: 1, loss: expect.any(Number), tokensPerSecond: expect.any(Number) });

  // Health while both train: sequential requests, each on a new connection.
  const latencies: number[] = [];
  const predictions: number[] = [];
  const testLines = readFileSync(join(dir, 'test.txt'), 'utf8').trimEnd().split('\n');
  for (let i = 0; i < 150; i++) {
    const r = await http('GET', '/health');
    expect(r.status).toBe(200);
    latencies.push(r.ms);
    if (i % 30 === 0) {
      // Predictions from the newest checkpoint, interleaved.
      const p = await json('POST', `/jobs/${idA}/predict?k=2`, testLines.slice(0, 20).map((l) => l.replace(/^__label__\S+ /, '')).join('\n'));
      expect(p.status).toBe(200);
      expect(p.data.predictions).toHaveLength(20);
      expect(p.data.predictions![0]).toHaveLength(2);
      predictions.push(p.data.checkpointEpoch as number);
    }
  }
  const statusA = (await json('GET', `/jobs/${idA}`)).data;
  const statusB = (await json('GET', `/jobs/${idB}`)).data;
  expect(statusB.state).toBe('training'); // still training when the measurement ended
  latencies.sort((x, y) => x - y);
  if (process.env.HOGWILD_TEST_VERBOSE) console.log(`health ms: median ${latencies[75]!.toFixed(2)}, p99 ${latencies[147]!.toFixed(2)}, max ${latencies.at(-1)!.toFixed(2)}`);
  const p99 = latencies[Math.floor(latencies.length * 0.99) - 1]!;
  expect(p99, `health latencies (ms): median ${latencies[75]!.toFixed(1)}, p99 ${p99.toFixed(1)}, max ${latencies.at(-1)!.toFixed(1)}`).toBeLessThan(50);
  expect(predictions.length).toBe(5);
  expect(predictions.every((e, i) => i === 0 || e >= predictions[i - 1]!)).toBe(true);
  expect(['training', 'done']).toContain(statusA.state);

  // Cancel B: its stream ends with 'cancelled', well before its 200 epochs.
  const c = await json('DELETE', `/jobs/${idB}`);
  expect(c.status).toBe(202);
  await sseB.until(() => sseB.events.some((e) => e.type === 'cancelled'), 30_000);
  await sseB.until(() => sseB.ended());
  const cancelled = (await json('GET', `/jobs/${idB}`)).data;
  expect(cancelled.state).toBe('cancelled');
  expect(cancelled.epoch as number).toBeLessThan(200);

  // A finishes; its last checkpoint predicts the test set well.
  await sseA.until(() => sseA.events.some((e) => e.type === 'done'), 120_000);
  const epochs = sseA.events.filter((e) => e.type === 'epoch').map((e) => e.data.epoch);
  expect(epochs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  const final = await json('POST', `/jobs/${idA}/predict`, testLines.join('\n'));
  expect(final.data.checkpointEpoch).toBe(12);
  const correct = final.data.predictions!.filter((p, i) => testLines[i]!.startsWith(`${p[0]!.label} `)).length;
  expect(correct / testLines.length).toBeGreaterThan(0.75);

  // A late subscriber gets the whole history, then the stream ends.
  const late = subscribe(`/jobs/${idA}/events`);
  await late.until(() => late.ended());
  expect(late.events.map((e) => e.type)).toEqual(sseA.events.filter((e) => e.type !== 'progress').map((e) => e.type));
});

test('HTTP errors: unknown job, bad parameters, empty upload, unknown route', async () => {
  expect((await http('GET', '/jobs/nope')).status).toBe(404);
  expect((await http('POST', '/jobs?dim=0', 'x')).status).toBe(400);
  expect(JSON.parse((await http('POST', '/jobs?lr=abc', 'x')).body)).toEqual({ error: "expected a number > 0 for lr but received 'abc'" });
  expect((await http('POST', '/jobs', '')).status).toBe(400);
  expect((await http('GET', '/nothing')).status).toBe(404);
  const list = await json('GET', '/jobs');
  expect(Array.isArray(list.data)).toBe(true);
});

test('a malformed training file fails its job with a clear error', async () => {
  const r = await json('POST', '/jobs?epoch=1', '__label__a x y\n__label__b z\nno label on this line\n');
  const sse = subscribe(`/jobs/${r.data.id as string}/events`);
  await sse.until(() => sse.ended());
  expect(sse.events.at(-1), JSON.stringify(sse.events.at(-1))).toMatchObject({ type: 'failed', data: { state: 'failed', error: expect.stringMatching(/train\.txt:3: expected a label/) } });
});
