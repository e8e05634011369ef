// Executor semantics through the JS facade (docs/caffe2.md §1.3). The C++ test
// (native/tests/test_executor.cc) covers the same ground with test-only ops.
import { getEventListeners } from 'node:events';

import { describe, expect, test } from 'vitest';

import { HogwildError } from '../../lib/errors/index.js';
import { compilePlan, Workspace } from '../../lib/runtime/index.js';
import type { Report } from '../../lib/runtime/index.js';
import { delay, net, op, plan, scalar, simplePlan, sleep, values } from './helpers.js';

describe('iterations and stop blobs', () => {
  test('numIter repeats nets, nested steps multiply, 0 runs nothing', async () => {
    using ws = new Workspace();
    await ws.run(
      plan(
        'iters',
        [net('a', op('Iter', [], ['a'])), net('b', op('Iter', [], ['b'])), net('c', op('Iter', [], ['c']))],
        [
          { name: 'five', nets: ['a'], numIter: 5 },
          { name: 'outer', numIter: 3, substeps: [{ name: 'twice', nets: ['b'], numIter: 2 }, { name: 'once', nets: ['c'] }] },
          { name: 'zero', nets: ['a'], numIter: 0 },
        ],
      ),
    );
    expect([scalar(ws, 'a'), scalar(ws, 'b'), scalar(ws, 'c')]).toEqual([5, 6, 3]);
  });

  test('the stop blob is checked after every net', async () => {
    using ws = new Workspace();
    await ws.run(simplePlan('init', [op('CreateCounter', [], ['counter'], { init_count: 3 })]));
    // CountDown is false three times, then true: n1 runs 4 times, n2 only 3.
    await ws.run(
      plan('loop', [net('n1', op('CountDown', ['counter'], ['stop']), op('Iter', [], ['n1'])), net('n2', op('Iter', [], ['n2']))], [
        { name: 'loop', nets: ['n1', 'n2'], shouldStopBlob: 'stop' },
      ]),
    );
    expect([scalar(ws, 'n1'), scalar(ws, 'n2')]).toEqual([4, 3]);
  });

  test('numIter bounds a stop-blob loop; onlyOnce runs at most one iteration', async () => {
    using ws = new Workspace();
    ws.feed('never', { dtype: 'bool', shape: [], data: new Uint8Array([0]) });
    await ws.run(
      plan('bounded', [net('n', op('Iter', [], ['i']))], [
        { name: 'bounded', nets: ['n'], shouldStopBlob: 'never', numIter: 7 },
        { name: 'once', nets: ['n'], shouldStopBlob: 'never', onlyOnce: true },
      ]),
    );
    expect(scalar(ws, 'i')).toBe(8);
  });
});

describe('concurrency', () => {
  test('concurrent substeps really overlap', async () => {
    using ws = new Workspace();
    const t0 = performance.now();
    await ws.run(
      plan('overlap', [net('s', sleep(300))], [
        { name: 'c', concurrentSubsteps: true, substeps: [{ name: 'x', nets: ['s'] }, { name: 'y', nets: ['s'] }, { name: 'z', nets: ['s'] }] },
      ]),
    );
    expect(performance.now() - t0).toBeLessThan(750); // 900 ms if run one after another
  });

  test('instances overlap, get child workspaces that keep new blobs and share parent blobs', async () => {
    using ws = new Workspace();
    await ws.run(simplePlan('init', [op('CreateCounter', [], ['shared'], { init_count: 0 })]));
    const t0 = performance.now();
    await ws.run(
      plan('instances', [net('w', sleep(200), op('Iter', [], ['local']), op('CountUp', ['shared'], ['local_prev']))], [
        { name: 'c', numConcurrentInstances: 8, numIter: 2, substeps: [{ name: 'w', nets: ['w'], createWorkspace: true }] },
      ]),
    );
    expect(performance.now() - t0).toBeLessThan(1500); // 3.2 s if serial
    expect(ws.has('local')).toBe(false);
    expect(ws.has('local_prev')).toBe(false);
    await ws.run(simplePlan('read', [op('RetrieveCount', ['shared'], ['count'])]));
    expect(scalar(ws, 'count')).toBe(16);
  });
  test('a run blocked in an op never starves other runs (our pool spawns a thread)', async () => {
    using ws = new Workspace();
    using other = new Workspace();
    const blocked = ws.run(plan('blocked', [net('b', sleep(1500))], [{ name: 'c', numConcurrentInstances: 4, substeps: [{ name: 'b', nets: ['b'] }] }]));
    await delay(20);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) await other.run(simplePlan('quick', [op('Iter', [], ['i'])]));
    expect(performance.now() - t0).toBeLessThan(500);
    await blocked;
  });
});

describe('report steps', () => {
  test('run periodically while the parent runs, and once more at the end', async () => {
    using ws = new Workspace();
    const reports: Report[] = [];
    await ws.run(
      plan('reporting', [net('work', sleep(400), op('Iter', [], ['done'])), net('rep', op('Iter', [], ['ticks']))], [
        {
          name: 'main',
          substeps: [
            { name: 'work', nets: ['work'] },
            { name: 'report', nets: ['rep'], runEveryMs: 40, reportBlobs: ['ticks', 'done'] },
          ],
        },
      ]),
      { onReport: (r) => reports.push(r) },
    );
    const ticks = scalar(ws, 'ticks');
    expect(ticks).toBeGreaterThanOrEqual(4); // ~10 periods in 400 ms
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports.every((r) => r.step === 'report')).toBe(true);
    const values = reports.map((r) => r.values.ticks);
    expect(values).toEqual([...values].sort((a, b) => a! - b!));
    // The last report is the final run, after `work` finished.
    expect(reports.at(-1)!.values).toEqual({ ticks, done: 1 });
    expect(reports.slice(0, -1).some((r) => Number.isNaN(r.values.done))).toBe(true);
  });

  test('reports are coalesced when JS is slow; the final one always arrives before the run settles', async () => {
    using ws = new Workspace();
    const seen: number[] = [];
    await ws.run(
      plan('slowjs', [net('work', sleep(1), op('Iter', [], ['it'])), net('rep', op('Iter', [], ['ticks']))], [
        { name: 'main', substeps: [{ name: 'work', nets: ['work'], numIter: 200 }, { name: 'rep', nets: ['rep'], runEveryMs: 1, reportBlobs: ['ticks'] }] },
      ]),
      {
        onReport: (r) => {
          seen.push(r.values.ticks!);
          const t = Date.now();
          while (Date.now() - t < 10); // a slow consumer
        },
      },
    );
    const ticks = scalar(ws, 'ticks');
    expect(seen.length).toBeLessThan(ticks / 2);
    expect(seen.at(-1)).toBe(ticks);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  test('object blobs such as counters report their value', async () => {
    using ws = new Workspace();
    const reports: Report[] = [];
    await ws.run(
      plan('counted', [net('init', op('CreateCounter', [], ['c'], { init_count: 2 })), net('up', op('CountUp', ['c'], ['prev']))], [
        { name: 'init', nets: ['init'] },
        { name: 'up', nets: ['up'], numIter: 3, reportBlobs: ['c', 'prev'] },
      ]),
      { onReport: (r) => reports.push(r) },
    );
    expect(reports).toEqual([{ step: 'up', values: { c: 5, prev: 4 } }]);
  });

  test('a throwing onReport cancels the run and rejects with what it threw', async () => {
    using ws = new Workspace();
    const boom = new Error('callback failed');
    const p = plan('r', [net('work', sleep(5000)), net('rep', op('Iter', [], ['ticks']))], [
      { name: 'main', substeps: [{ name: 'work', nets: ['work'] }, { name: 'rep', nets: ['rep'], runEveryMs: 10, reportBlobs: ['ticks'] }] },
    ]);
    const t0 = performance.now();
    await expect(ws.run(p, { onReport: () => { throw boom; } })).rejects.toBe(boom);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('failure and cancellation', () => {
  test('the first error cancels the rest and rejects with the op message', async () => {
    using ws = new Workspace();
    const p = plan('fails', [net('slow', sleep(5), op('Iter', [], ['slow'])), net('bad', sleep(50), op('Add', ['nothing', 'nothing'], ['sum'])), net('after', op('Iter', [], ['after']))], [
      { name: 'c', concurrentSubsteps: true, substeps: [{ name: 'slow', nets: ['slow'], numIter: 1000 }, { name: 'bad', nets: ['bad'] }] },
      { name: 'after', nets: ['after'] },
    ]);
    const t0 = performance.now();
    const err = await ws.run(p).then(() => null, (e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(2500); // 1000 x 5 ms if not cancelled
    expect(err).toBeInstanceOf(HogwildError);
    expect((err as HogwildError).code).toBe('HOGWILD_MISSING_BLOB');
    expect((err as Error).message).toMatch(/Net 'bad', op #1 \(Add\).*'nothing'/);
    expect((err as Error).stack).toContain('executor.test.ts'); // the JS caller's stack
    expect(scalar(ws, 'slow')).toBeLessThan(900);
    expect(ws.has('after')).toBe(false);
  });

  test('abort rejects with the signal reason and the workspace stays usable', async () => {
    using ws = new Workspace();
    const ac = new AbortController();
    const reason = new Error('user stopped');
    const p = compilePlan(
      plan('long', [net('w', sleep(10_000))], [{ name: 'c', numConcurrentInstances: 4, substeps: [{ name: 'w', nets: ['w'] }] }]),
    );
    const t0 = performance.now();
    setTimeout(() => ac.abort(reason), 50);
    await expect(ws.run(p, { signal: ac.signal })).rejects.toBe(reason);
    expect(performance.now() - t0).toBeLessThan(1500);
    ws.feed('x', new Float32Array([1, 2]));
    await ws.run(simplePlan('after', [op('Iter', [], ['it'])]));
    expect(scalar(ws, 'it')).toBe(1);
    expect(values(ws, 'x')).toEqual([1, 2]);
  });

  test('an already aborted signal rejects at once with its reason, running nothing', async () => {
    using ws = new Workspace();
    const reason = { why: 'already' };
    await expect(ws.run(simplePlan('p', [op('Iter', [], ['it'])]), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(ws.has('it')).toBe(false);
  });

  test('one AbortSignal can serve many runs; the listener is removed each time', async () => {
    using ws = new Workspace();
    const ac = new AbortController();
    const p = compilePlan(simplePlan('p', [op('Iter', [], ['it'])]));
    for (let i = 0; i < 50; i++) await ws.run(p, { signal: ac.signal });
    expect(scalar(ws, 'it')).toBe(50);
    // Node warns past 10 listeners (MaxListenersExceededWarning): none must remain.
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  test('blob contents are off limits while a plan runs; metadata is not', async () => {
    using ws = new Workspace();
    ws.feed('x', new Float32Array([1]));
    const child = ws.createChild();
    const running = ws.run(simplePlan('p', [sleep(200)]));
    expect(() => ws.fetch('x')).toThrow(expect.objectContaining({ code: 'HOGWILD_BUSY' }));
    expect(() => ws.feed('x', new Float32Array([2]))).toThrow(expect.objectContaining({ code: 'HOGWILD_BUSY' }));
    expect(() => child.fetch('x')).toThrow(expect.objectContaining({ code: 'HOGWILD_BUSY' }));
    expect(ws.has('x')).toBe(true);
    expect(ws.list()).toEqual(['x']);
    await running;
    expect(values(ws, 'x')).toEqual([1]);
  });

  test('dispose during a run cancels it; the run rejects with HOGWILD_DISPOSED', async () => {
    const ws = new Workspace();
    const running = ws.run(simplePlan('p', [sleep(10_000)]));
    await delay(30);
    ws.dispose();
    await expect(running).rejects.toMatchObject({ code: 'HOGWILD_DISPOSED', name: 'DisposedError' });
  });
});

describe('workspaces', () => {
  test('a child reads and writes parent blobs and keeps its own', async () => {
    using ws = new Workspace();
    ws.feed('p', new Float32Array([1]));
    const child = ws.createChild();
    child.feed('c', new Int32Array([7]));
    child.feed('p', new Float32Array([2])); // writes the parent's blob
    expect(ws.has('c')).toBe(false);
    expect(child.list()).toEqual(['c', 'p']);
    expect(child.list({ localOnly: true })).toEqual(['c']);
    expect(values(ws, 'p')).toEqual([2]);
    ws.dispose(); // the child keeps the parent alive natively
    expect(values(child, 'p')).toEqual([2]);
    child.dispose();
  });

  test('feed and fetch round-trip every dtype as a copy', () => {
    using ws = new Workspace();
    const data = new Float64Array([1.5, -2]);
    ws.feed('f64', { shape: [2, 1], data });
    data[0] = 99; // the feed copied
    expect(ws.fetch('f64')).toEqual({ dtype: 'float64', shape: [2, 1], data: new Float64Array([1.5, -2]) });
    ws.feed('i64', new BigInt64Array([2n ** 62n, -1n]));
    expect(ws.fetch('i64').data).toEqual(new BigInt64Array([2n ** 62n, -1n]));
    ws.feed('b', { dtype: 'bool', shape: [3], data: new Uint8Array([0, 7, 1]) });
    expect(ws.fetch('b')).toEqual({ dtype: 'bool', shape: [3], data: new Uint8Array([0, 1, 1]) });
    ws.feed('u8', new Uint8Array([255]));
    ws.feed('i32', new Int32Array([-3]));
    ws.feed('f32', { shape: [], data: new Float32Array([0.5]) });
    ws.feed('empty', { shape: [0, 3], data: new Float32Array(0) });
    expect(ws.fetch('empty').shape).toEqual([0, 3]);
    expect(ws.list().map((n) => [n, ws.kind(n)])).toEqual(
      ['b', 'empty', 'f32', 'f64', 'i32', 'i64', 'u8'].map((n) => [n, 'tensor']),
    );
    expect(ws.remove('u8')).toBe(true);
    expect(ws.remove('u8')).toBe(false);
  });

  test('object blobs serialize and deserialize (tensors are fetched instead)', async () => {
    using ws = new Workspace();
    await ws.run(simplePlan('init', [op('CreateCounter', [], ['c'], { init_count: 5 })]));
    ws.feed('t', new Float32Array([1]));
    expect(ws.kind('c')).toBe('counter');
    expect(ws.serializeBlob('t')).toBeNull();
    const saved = ws.serializeBlob('c')!;
    expect(saved.dtype).toBe('int64');
    using other = new Workspace();
    other.deserializeBlob('c', 'counter', saved);
    expect(other.kind('c')).toBe('counter');
    await other.run(simplePlan('read', [op('RetrieveCount', ['c'], ['n'])]));
    expect(scalar(other, 'n')).toBe(5);
    other.deserializeBlob('t', 'tensor', ws.fetch('t'));
    expect(other.fetch('t').data).toEqual(new Float32Array([1]));
  });
});
