// Crash classes (docs/reliability.md §4): worker_threads, terminating
// a worker mid-run, process.exit() with plans in flight, and forced GC.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';

import { Workspace } from '../../lib/runtime/index.js';
import { addonPath, fixtures, op, simplePlan } from './helpers.js';

function runWorker(file: string, workerData: object) {
  return new Worker(join(fixtures, file), { workerData: { addonPath, ...workerData } });
}

describe('worker_threads', () => {
  test('workers load the addon and run plans, each with its own threads', async () => {
    const workers = [runWorker('worker_runs.mjs', { runs: 5 }), runWorker('worker_runs.mjs', { runs: 5 })];
    const exits = workers.map((w) => new Promise<number>((r) => w.once('exit', r)));
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise<{ reports: number; lastCount: number }>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    for (const r of results) {
      expect(r.lastCount).toBe(80); // 4 instances x 20 iterations; the final report sees them all
      expect(r.reports).toBeGreaterThanOrEqual(5);
    }
    expect(await Promise.all(exits)).toEqual([0, 0]);
    // The main thread's addon instance is unaffected.
    using ws = new Workspace();
    await ws.run(simplePlan('p', [op('Iter', [], ['i'])]));
  });

  test('terminating a worker mid-run cancels and joins its threads', async () => {
    for (let i = 0; i < 3; i++) {
      const w = runWorker('worker_long.mjs', {});
      await new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      const t0 = performance.now();
      const code = await w.terminate();
      expect(code).toBe(1);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });
});

describe('process exit', () => {
  test('process.exit() with plans in flight never crashes (20 runs)', () => {
    const codes: (number | string | null)[] = [];
    for (let i = 0; i < 20; i++) {
      const r = spawnSync(process.execPath, [join(fixtures, 'exit_in_flight.mjs'), String(2 + (i % 5) * 7)], {
        env: { ...process.env, HOGWILD_NATIVE_PATH: addonPath },
        timeout: 20_000,
      });
      codes.push(r.signal ?? r.status);
    }
    expect(codes).toEqual(new Array(20).fill(0)); // not 139 (SIGSEGV) or 134 (SIGABRT)
  });

  test('GC forced while plans run, with their JS objects unreachable (--expose-gc)', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', join(fixtures, 'gc_stress.mjs'), '40'], {
      env: { ...process.env, HOGWILD_NATIVE_PATH: addonPath },
      timeout: 60_000,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.signal ?? r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ settled: 40 });
  });
});
