// The example server (examples/server) end to end over real HTTP on
// 127.0.0.1: two jobs training at once, Server-Sent Events, a cancel through
// an AbortSignal, predictions from the newest checkpoint during training, and
// a health endpoint whose p99 latency stays under 50 ms while both jobs train
// (checked unless the machine is so oversubscribed that the JS thread spends
// most of the measurement waiting for a CPU: then it warns loudly instead).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, test } from 'vitest';

import { writeCorpus } from '../../lib/apps/fasttext/corpus.js';
import { scratch } from '../cli/helpers.js';
import { http as httpAt, json as jsonAt, jsThreadSchedstat, predict, starved, startServer, subscribe as subscribeAt, unlabelled, type Started } from './helpers.js';

let server: Started;
let base: string;
let dir: string;
const json = (method: string, path: string, body?: string) => jsonAt(base, method, path, body);
const http = (method: string, path: string, body?: string) => httpAt(base, method, path, body);
const subscribe = (path: string) => subscribeAt(base, path);

beforeAll(async () => {
  dir = scratch('server');
  writeCorpus(join(dir, 'train.txt'), join(dir, 'test.txt'), { seed: 5, train: 20_000, test: 400, classes: 6 });
  server = await startServer();
  base = server.base;
});
afterAll(() => server?.stop());

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
  expect(sseA.events[0]).toEqual({ id: 1, type: 'state', data: { state: 'training' } });
  expect(sseA.events.find((e) => e.type === 'epoch')!.data).toMatchObject({ epoch: 1, loss: expect.any(Number), tokensPerSecond: expect.any(Number) });

  // Health while both train: sequential requests, each on a new connection.
  const latencies: number[] = [];
  const predictions: number[] = [];
  const testLines = readFileSync(join(dir, 'test.txt'), 'utf8').trimEnd().split('\n');
  const sched0 = jsThreadSchedstat();
  const t0 = performance.now();
  for (let i = 0; i < 150; i++) {
    const r = await http('GET', '/health');
    expect(r.status).toBe(200);
    latencies.push(r.ms);
    if (i % 30 === 0) {
      // Predictions from the newest checkpoint, interleaved.
      const p = await predict(base, idA, unlabelled(testLines.slice(0, 20)).join('\n'), 2);
      expect(p.status).toBe(200);
      expect(p.contentType).toBe('application/x-ndjson');
      expect(p.error).toBeUndefined();
      expect(p.rows.map((r) => r.line)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(p.rows[0]!.predictions).toHaveLength(2);
      predictions.push(p.header!.checkpointEpoch as number);
    }
  }
  const wallMs = performance.now() - t0;
  const sched1 = jsThreadSchedstat();
  const statusA = (await json('GET', `/jobs/${idA}`)).data;
  const statusB = (await json('GET', `/jobs/${idB}`)).data;
  expect(statusB.state).toBe('training'); // still training when the measurement ended
  latencies.sort((x, y) => x - y);
  if (process.env.HOGWILD_TEST_VERBOSE) console.log(`health ms: median ${latencies[75]!.toFixed(2)}, p99 ${latencies[147]!.toFixed(2)}, max ${latencies.at(-1)!.toFixed(2)}`);
  const p99 = latencies[Math.floor(latencies.length * 0.99) - 1]!;
  if (!starved(sched0, sched1, wallMs, `/health p99 ${p99.toFixed(1)} ms`)) {
    expect(p99, `health latencies (ms): median ${latencies[75]!.toFixed(1)}, p99 ${p99.toFixed(1)}, max ${latencies.at(-1)!.toFixed(1)}`).toBeLessThan(50);
  }
  expect(predictions.length).toBe(5);
  expect(predictions.every((e, i) => i === 0 || e >= predictions[i - 1]!)).toBe(true);
  expect(['training', 'done']).toContain(statusA.state);

  // Cancel B: its stream ends with 'cancelled', well before its 200 epochs.
  const c = await json('POST', `/jobs/${idB}/cancel`);
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
  const final = await predict(base, idA, testLines.join('\n'));
  expect(final.header!.checkpointEpoch).toBe(12);
  expect(final.rows).toHaveLength(testLines.length);
  const correct = final.rows.filter((r) => testLines[r.line]!.startsWith(`${r.predictions[0]!.label} `)).length;
  expect(correct / testLines.length).toBeGreaterThan(0.75);

  // A late subscriber gets the whole history, then the stream ends.
  const late = subscribe(`/jobs/${idA}/events`);
  await late.until(() => late.ended());
  expect(late.events.map((e) => e.type)).toEqual(sseA.events.filter((e) => e.type !== 'progress').map((e) => e.type));
});

test('HTTP errors: unknown job, bad parameters, empty upload, unknown route', async () => {
  expect((await http('GET', '/jobs/nope')).status).toBe(404);
  expect((await http('POST', '/jobs?dim=0', 'x')).status).toBe(400);
  expect(JSON.parse((await http('POST', '/jobs?lr=abc', 'x')).body)).toEqual({ error: "expected a number in (0, 100] for lr but received 'abc'" });
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
