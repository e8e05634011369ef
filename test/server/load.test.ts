// A reduced run of examples/server/loadtest.ts, in-process: two jobs
// training, 50 SSE clients, a prediction stream and 150 sequential /health
// requests. Zero 5xx, every SSE client sees its job end, no prediction fails,
// memory stays bounded. The 20 ms /health p99 bar is the full script's (run on
// a quiet machine); here, sharing the event loop with the load generator on
// a possibly loaded CI machine, only a stall guard applies.
import { afterAll, beforeAll, expect, test } from 'vitest';

import { runLoad } from '../../examples/server/loadtest.js';
import { startServer, type Started } from './helpers.js';

let s: Started;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s?.stop());

test('load: 2 jobs, 50 SSE clients, predictions, 150 /health requests', { timeout: 90_000 }, async () => {
  const report = await runLoad(s.base, { healthRequests: 150, healthPauseMs: 2, sseClients: 50, predictLines: 1000, rss: () => process.memoryUsage().rss });
  if (process.env.HOGWILD_TEST_VERBOSE) console.log(JSON.stringify(report));
  expect(report.status5xx, JSON.stringify(report.statuses)).toBe(0);
  expect(report.predictions.errors).toEqual([]);
  expect(report.predictions.requests).toBeGreaterThan(0);
  expect(report.sse).toMatchObject({ clients: 50, missedEnd: 0 });
  expect(report.health.requests).toBe(150);
  expect(report.health.max, `/health latencies ${JSON.stringify(report.health)}`).toBeLessThan(2000);
  expect(report.rss.peakMiB - report.rss.startMiB, JSON.stringify(report.rss)).toBeLessThan(512);
  expect(s.service.jobs.size).toBe(0);
  expect(s.service.admission.used).toBe(0);
});
