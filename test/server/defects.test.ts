// Regression tests of the example server's defects S1–S5 (each fails on the
// server before the fix): admission control, models freed under predictions,
// predictions stalling the event loop, SSE replays and CORS, and start-up
// errors, job deletion, leaked paths, diverged training and listener warnings.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { generateCorpus } from '../../lib/apps/fasttext/corpus.js';
import { HogwildError } from '../../lib/errors/index.js';
import { createTrainingServer } from '../../examples/server/app.js';
import { listen, parsePort, startFromEnv } from '../../examples/server/start.js';
import { http, json, predict, startServer, subscribe, unlabelled, type Started } from './helpers.js';

const corpus = generateCorpus({ seed: 3, train: 2000, test: 300, classes: 6 });
const testLines = corpus.test.trimEnd().split('\n');
let s: Started;

beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s?.stop());

/** Starts a job and waits for its first checkpoint with an epoch ≥ 1. */
async function trainedJob(base: string, query: string, text = corpus.train): Promise<string> {
  const r = await json(base, 'POST', `/jobs?${query}`, text);
  expect(r.status, JSON.stringify(r.data)).toBe(202);
  const id = r.data.id as string;
  const sse = subscribe(base, `/jobs/${id}/events`);
  await sse.until(() => sse.events.some((e) => e.type === 'checkpoint' && e.data.epoch >= 1));
  sse.close();
  return id;
}

describe('S1: admission control', () => {
  test('20 parallel uploads against 4 slots: 4 accepted, 16 refused with 429 and Retry-After; a slot frees when a job ends', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => http(s.base, 'POST', '/jobs?epoch=1000&thread=1', corpus.train)));
    const accepted = replies.filter((r) => r.status === 202);
    const refused = replies.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(4);
    expect(refused).toHaveLength(16);
    expect(refused[0]!.headers['retry-after']).toBe('5');
    expect(JSON.parse(refused[0]!.body).error).toMatch(/at most 4 jobs training at once/);
    expect(s.service.jobs.size).toBe(4);

    const ids = accepted.map((r) => JSON.parse(r.body).id as string);
    const first = subscribe(s.base, `/jobs/${ids[0]}/events`);
    expect((await json(s.base, 'POST', `/jobs/${ids[0]}/cancel`)).status).toBe(202);
    await first.until(() => first.ended());
    await s.service.jobs.get(ids[0]!)!.finished;
    const again = await http(s.base, 'POST', '/jobs?epoch=1000&thread=1', corpus.train);
    expect(again.status).toBe(202);
    ids.push(JSON.parse(again.body).id as string);
    expect((await http(s.base, 'POST', '/jobs?epoch=1', corpus.train)).status).toBe(429);
    for (const id of ids) expect((await json(s.base, 'DELETE', `/jobs/${id}`)).data).toMatchObject({ id, deleted: true });
    expect(s.service.admission.used).toBe(0);
  });
});

describe('S2: a model is freed only after its last prediction', () => {
  test('parallel predictions while new checkpoints arrive every few milliseconds all succeed', async () => {
    const id = await trainedJob(s.base, 'epoch=1000&thread=2');
    const body = unlabelled(Array.from({ length: 6 }, () => testLines).flat()).join('\n');
    const seen = new Set<number>();
    const loop = async () => {
      for (let i = 0; i < 6; i++) {
        const p = await predict(s.base, id, body, 2);
        expect(p.status, p.body.slice(0, 300)).toBe(200);
        expect(p.error).toBeUndefined();
        expect(p.rows).toHaveLength(6 * testLines.length);
        seen.add(p.header!.checkpointEpoch as number);
      }
    };
    await Promise.all([loop(), loop(), loop()]);
    expect(seen.size, 'predictions used several checkpoints').toBeGreaterThan(1);
    await json(s.base, 'DELETE', `/jobs/${id}`);
  });
});

describe('S3: predictions are streamed and never stall the event loop', () => {
  test('1 MiB with k=100 on a 20-label model: NDJSON rows for every line, event loop delay stays small', async () => {
    const many = generateCorpus({ seed: 4, train: 4000, test: 12_000, classes: 20 });
    const id = await trainedJob(s.base, 'epoch=2&thread=2&dim=8', many.train);
    const lines = unlabelled(many.test.trimEnd().split('\n'));
    let body = '';
    for (let i = 0; body.length < 2 ** 20 - 200; i++) body += `${lines[i % lines.length]}\n`;
    const count = body.split('\n').length - 1;

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const p = await predict(s.base, id, body, 100);
    delay.disable();
    expect(p.status).toBe(200);
    expect(p.error).toBeUndefined();
    expect(p.rows).toHaveLength(count);
    expect(p.rows.every((r) => r.predictions.length === 20)).toBe(true);
    const maxMs = delay.max / 1e6;
    // The goal is < 20 ms (examples/server/loadtest.ts measures it); the bar here leaves room for a loaded CI machine.
    // Before the fix this request held the event loop for over a second.
    if (process.env.HOGWILD_TEST_VERBOSE) console.log(`predict 1 MiB k=100: event loop delay max ${maxMs.toFixed(1)} ms`);
    expect(maxMs, `event loop delay max ${maxMs.toFixed(1)} ms during a ${p.body.length >> 20} MiB answer`).toBeLessThan(150);
    await json(s.base, 'DELETE', `/jobs/${id}`);
  });

  test('a body over the limit ends the stream with an error line; no checkpoint yet is a 409', async () => {
    const small = await startServer({ maxPredictBytes: 1000 });
    try {
      const id = await trainedJob(small.base, 'epoch=2&thread=1');
      const p = await predict(small.base, id, unlabelled(testLines).join('\n'));
      expect(p.status).toBe(200);
      expect(p.error).toBe('expected a request body of at most 1000 bytes');
      const fresh = await json(small.base, 'POST', '/jobs?epoch=1000&thread=1', 'not a corpus\n'.repeat(1));
      expect((await http(small.base, 'POST', `/jobs/${fresh.data.id}/predict`, 'x')).status).toBe(409);
    } finally {
      await small.stop();
    }
  });
});

describe('S4: SSE resume, page, CORS', () => {
  test('events carry ids; Last-Event-ID resumes, and a finished stream answers 204 so EventSource stops reconnecting', async () => {
    const r = await json(s.base, 'POST', '/jobs?epoch=2&thread=1', corpus.train);
    const id = r.data.id as string;
    const all = subscribe(s.base, `/jobs/${id}/events`);
    await all.until(() => all.ended());
    const ids = all.events.filter((e) => e.type !== 'progress').map((e) => e.id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
    expect(all.events.at(-1)!.type).toBe('done');

    const resumed = subscribe(s.base, `/jobs/${id}/events`, { 'last-event-id': '2' });
    await resumed.until(() => resumed.ended());
    expect(resumed.events.map((e) => e.id)).toEqual(ids.slice(2));

    const reconnect = await http(s.base, 'GET', `/jobs/${id}/events`, undefined, { 'last-event-id': String(ids.at(-1)) });
    expect(reconnect.status).toBe(204);
    expect(reconnect.body).toBe('');
    expect((await http(s.base, 'GET', `/jobs/${id}/events`, undefined, { 'last-event-id': 'x' })).status).toBe(400);
    await json(s.base, 'DELETE', `/jobs/${id}`);
  });

  test('50 SSE clients on one job: no MaxListenersExceededWarning, all see the end', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const r = await json(s.base, 'POST', '/jobs?epoch=3&thread=1', corpus.train);
      const clients = Array.from({ length: 50 }, () => subscribe(s.base, `/jobs/${r.data.id}/events`));
      await Promise.all(clients.map((c) => c.until(() => c.ended())));
      expect(clients.every((c) => c.events.at(-1)?.type === 'done')).toBe(true);
      await new Promise((res) => setImmediate(res));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
      await json(s.base, 'DELETE', `/jobs/${r.data.id}`);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('GET / serves the dashboard; its script, the chart libraries and a demo corpus are served too', async () => {
    const page = await http(s.base, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<label for="train-file">');
    expect((await http(s.base, 'GET', '/dashboard.js')).body).toContain('EventSource');
    expect((await http(s.base, 'GET', '/dashboard.css')).status).toBe(200);
    for (const lib of ['vega', 'vega-lite']) {
      const r = await http(s.base, 'GET', `/vendor/${lib}.min.js`);
      if (existsSync(join('node_modules', lib))) expect(r.status, lib).toBe(200);
      else console.warn(`server test: ${lib} is not installed (optional dependency): the page shows tables instead of charts`);
    }
    const demo = await http(s.base, 'GET', '/demo/train.txt');
    expect(demo.body.split('\n')[0]).toMatch(/^__label__\w+ \S+/);
    expect(demo.body.trimEnd().split('\n')).toHaveLength(20_000);
  });

  test('CORS is off by default and answers only the configured origins', async () => {
    const origin = { origin: 'http://app.example' };
    expect((await http(s.base, 'GET', '/health', undefined, origin)).headers['access-control-allow-origin']).toBeUndefined();
    const cors = await startServer({ corsOrigins: ['http://app.example'] });
    try {
      const ok = await http(cors.base, 'GET', '/health', undefined, origin);
      expect(ok.headers['access-control-allow-origin']).toBe('http://app.example');
      expect(ok.headers.vary).toBe('Origin');
      expect((await http(cors.base, 'GET', '/health', undefined, { origin: 'http://evil.example' })).headers['access-control-allow-origin']).toBeUndefined();
      const pre = await http(cors.base, 'OPTIONS', '/jobs', undefined, { ...origin, 'access-control-request-method': 'POST' });
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-methods']).toBe('GET, POST, DELETE');
      const refused = await http(cors.base, 'POST', '/jobs?dim=0', 'x', origin);
      expect(refused.status).toBe(400);
      expect(refused.headers['access-control-allow-origin']).toBe('http://app.example');
    } finally {
      await cors.stop();
    }
  });
});

describe('S5: start-up, deletion, paths, divergence', () => {
  test('a bad PORT or a port in use is a clear HogwildError, not a stack', async () => {
    expect(parsePort(undefined)).toBe(8080);
    expect(parsePort('0')).toBe(0);
    for (const bad of ['abc', '70000', '-1', '80.5']) expect(() => parsePort(bad)).toThrow(/Expected PORT to be an integer in \[0, 65535\]/);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const err = await listen(createServer(), port, '127.0.0.1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HogwildError);
      expect((err as HogwildError).code).toBe('HOGWILD_SERVER_LISTEN');
      expect((err as Error).message).toBe(`127.0.0.1:${port} is already in use (another server is running there: stop it or set PORT)`);
      await expect(startFromEnv({ PORT: String(port), DATA_DIR: join(s.dataDir, 'other') })).rejects.toThrow(/already in use/);
      await expect(startFromEnv({ PORT: '1', MAX_JOBS: '0' })).rejects.toThrow(/MAX_JOBS/);
    } finally {
      blocker.close();
    }
    const { service, url } = await startFromEnv({ PORT: '0', DATA_DIR: join(s.dataDir, 'env'), CORS_ORIGIN: '*' });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const r = await http(url.slice(0, -1), 'GET', '/health', undefined, { origin: 'http://x.example' });
      expect(r.headers['access-control-allow-origin']).toBe('*');
    } finally {
      await service.close();
    }
  });

  test('DELETE removes a finished job and its files; it cancels a running one first; cancel after the end is a 409', async () => {
    const done = await trainedJob(s.base, 'epoch=1&thread=1');
    await s.service.jobs.get(done)!.finished;
    expect((await json(s.base, 'POST', `/jobs/${done}/cancel`)).status).toBe(409);
    const dir = join(s.dataDir, done);
    expect(existsSync(join(dir, 'checkpoints'))).toBe(true);
    expect((await json(s.base, 'DELETE', `/jobs/${done}`)).data).toEqual({ id: done, deleted: true, state: 'done' });
    expect(existsSync(dir)).toBe(false);
    expect((await http(s.base, 'GET', `/jobs/${done}`)).status).toBe(404);
    expect((await http(s.base, 'DELETE', `/jobs/${done}`)).status).toBe(404);

    const running = await trainedJob(s.base, 'epoch=1000&thread=1');
    expect((await json(s.base, 'DELETE', `/jobs/${running}`)).data).toEqual({ id: running, deleted: true, state: 'cancelled' });
    expect(existsSync(join(s.dataDir, running))).toBe(false);
  });

  test('job directories left by an earlier run are removed at start, other files are not; one server per DATA_DIR', async () => {
    const dataDir = join(s.dataDir, 'restart');
    mkdirSync(join(dataDir, 'deadbeef', 'checkpoints'), { recursive: true });
    writeFileSync(join(dataDir, 'deadbeef', 'train.txt'), corpus.train);
    mkdirSync(join(dataDir, 'notes'));
    mkdirSync(join(dataDir, 'cafef00d'));
    writeFileSync(join(dataDir, 'server.pid'), '999999999\n'); // a crashed server's claim
    const again = createTrainingServer({ dataDir });
    // A second server on the same directory would delete the first one's jobs: refused.
    expect(() => createTrainingServer({ dataDir })).toThrow(/Expected DATA_DIR to belong to this server but another one \(pid \d+\) uses it/);
    expect(() => createTrainingServer({ dataDir: s.dataDir })).toThrow(/another one/);
    await again.close();
    expect(readdirSync(dataDir).sort()).toEqual(['cafef00d', 'notes']);
    await createTrainingServer({ dataDir }).close(); // released by close()
  });

  test('errors name the file, not the server path', async () => {
    const r = await json(s.base, 'POST', '/jobs?epoch=1', '__label__a x y\n__label__b z\nno label on this line\n');
    const sse = subscribe(s.base, `/jobs/${r.data.id}/events`);
    await sse.until(() => sse.ended());
    const error = sse.events.at(-1)!.data.error as string;
    expect(error).toMatch(/^train\.txt:3: expected a label/);
    const status = await http(s.base, 'GET', `/jobs/${r.data.id}`);
    expect(status.body).not.toContain(s.dataDir);
    expect(status.body).not.toMatch(/"\/|\s\//);
  });

  test('a diverging job (NaN or infinite loss) fails instead of ending done; an absurd lr or dim is refused', async () => {
    expect((await http(s.base, 'POST', '/jobs?lr=1e30', corpus.train)).status).toBe(400);
    expect(JSON.parse((await http(s.base, 'POST', '/jobs?dim=1024', corpus.train)).body).error).toBe("expected an integer in [1, 300] for dim but received '1024'");
    const r = await json(s.base, 'POST', '/jobs?epoch=3&thread=1&lr=100', corpus.train);
    const sse = subscribe(s.base, `/jobs/${r.data.id}/events`);
    await sse.until(() => sse.ended());
    const last = sse.events.at(-1)!;
    expect(last.type).toBe('failed');
    expect(last.data.error).toMatch(/^training diverged: the loss is (NaN|-?Infinity) at epoch \d/);
    await json(s.base, 'DELETE', `/jobs/${r.data.id}`);
  });
});
