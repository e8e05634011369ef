// Blobs produced by a plan keep the previous run's shapes between runs; ops
// must not check them at instantiation (only at run time), or a second run
// with another batch size would fail.
import { expect, test } from 'vitest';

import { compilePlan, Workspace } from '../../lib/runtime/index.js';
import { op, simplePlan, values } from './helpers.js';

test('a net reruns with a different batch size in the same workspace', async () => {
  using ws = new Workspace();
  const plan = compilePlan(
    simplePlan('stale', [
      op('Relu', ['x'], ['h']),
      op('SoftmaxWithLoss', ['h', 'label'], ['p', 'loss']),
    ]),
  );
  for (const rows of [4, 2, 3]) {
    ws.feed('x', { dtype: 'float32', shape: [rows, 3], data: new Float32Array(rows * 3).fill(1) });
    ws.feed('label', { dtype: 'int32', shape: [rows], data: new Int32Array(rows) });
    await ws.run(plan);
    expect(ws.fetch('p').shape).toEqual([rows, 3]);
    expect(values(ws, 'loss')[0]).toBeCloseTo(Math.log(3), 5);
  }
});

test('external inputs are still checked before anything runs', async () => {
  using ws = new Workspace();
  ws.feed('x', { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) });
  ws.feed('w', { dtype: 'float32', shape: [4, 5], data: new Float32Array(20) });
  ws.feed('b', { dtype: 'float32', shape: [4], data: new Float32Array(4) });
  const plan = compilePlan(simplePlan('bad', [op('Sleep', [], [], { ms: 1 }), op('FC', ['x', 'w', 'b'], ['y'])]));
  await expect(ws.run(plan)).rejects.toMatchObject({ code: 'HOGWILD_SHAPE_MISMATCH' });
});
