// Server safety (docs/architecture.md, "Native core"): a training plan runs on our own threads, so
// the event loop stays responsive while 8 instances work and report.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { expect, test } from 'vitest';

import { compilePlan, Workspace } from '../../lib/runtime/index.js';
import { net, op, plan, simplePlan } from './helpers.js';

test('event loop p99 delay stays under 20 ms while 8 instances run for seconds', async () => {
  using ws = new Workspace();
  await ws.run(simplePlan('init', [op('CreateCounter', [], ['shared'])]));
  // Each instance: a little CPU work, a short sleep, shared counting; a report every 5 ms.
  const training = compilePlan(
    plan(
      'train',
      [
        net(
          'work',
          op('ConstantFill', [], ['a'], { shape: [4096], value: 1.5 }),
          op('Add', ['a', 'a'], ['b']),
          op('Mul', ['b', 'a'], ['c']),
          op('Sleep', [], [], { ms: 1 }),
          op('CountUp', ['shared'], ['prev']),
        ),
        net('report', op('RetrieveCount', ['shared'], ['count'])),
      ],
      [
        {
          name: 'main',
          numConcurrentInstances: 8,
          substeps: [
            { name: 'work', nets: ['work'], numIter: 2500, createWorkspace: true },
            { name: 'report', nets: ['report'], runEveryMs: 5, reportBlobs: ['count'] },
          ],
        },
      ],
    ),
  );
  const h = monitorEventLoopDelay({ resolution: 1 });
  let reports = 0;
  const t0 = performance.now();
  h.enable();
  // Keep the loop busy with small JS work too, as a server would be.
  const ticker = setInterval(() => JSON.stringify({ t: Date.now() }), 1);
  await ws.run(training, { onReport: () => reports++ });
  clearInterval(ticker);
  h.disable();
  const seconds = (performance.now() - t0) / 1000;
  const p99ms = h.percentile(99) / 1e6;
  console.log(`plan ran ${seconds.toFixed(2)} s, ${reports} reports, loop delay p50 ${(h.percentile(50) / 1e6).toFixed(2)} ms, p99 ${p99ms.toFixed(2)} ms, max ${(h.max / 1e6).toFixed(2)} ms`);
  expect(seconds).toBeGreaterThan(2);
  expect(reports).toBeGreaterThan(100);
  expect(p99ms).toBeLessThan(20);
});
