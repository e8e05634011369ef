// addGradientOperators end to end against finite differences: dense layers,
// weights shared by two ops (Sum), sparse embeddings (GradientSlice), an
// embedding used twice (concatenated slices) and sparse+dense (densified),
// also for a float64 table (densified in float64).
import { afterAll, describe, expect, test } from 'vitest';

import { BlobReference, GradientSlice, LocalSession, Net, type GradientRef } from '../../lib/index.js';
import { rng } from '../job-helpers.js';

// A fresh session per check: blobs of one check must not leak shapes into the next.
let session = new LocalSession();
let ws = session.workspace;
const sessions: LocalSession[] = [session];
afterAll(async () => {
  for (const s of sessions) await s.close();
});

type Feeds = Record<string, { dtype: 'float32' | 'float64' | 'int32' | 'int64'; shape: number[]; data: number[] }>;

function feedAll(feeds: Feeds): void {
  for (const [name, t] of Object.entries(feeds)) {
    const data =
      t.dtype === 'float32'
        ? new Float32Array(t.data)
        : t.dtype === 'float64'
          ? new Float64Array(t.data)
          : t.dtype === 'int32'
            ? new Int32Array(t.data)
            : BigInt64Array.from(t.data.map(BigInt));
    ws.feed(name, { dtype: t.dtype, shape: t.shape, data });
  }
}

const lossOf = async (fwd: Net): Promise<number> => {
  await session.run(fwd);
  return Number(ws.fetch('loss').data[0]);
};

/** Dense gradient array of `param` from a GradientRef (slices scattered, duplicates added). */
function denseGrad(g: GradientRef, size: number, rowLen: number): number[] {
  if (g instanceof BlobReference) return Array.from(ws.fetch(g.name).data as ArrayLike<number>);
  const idx = Array.from(ws.fetch(g.indices.name).data as ArrayLike<number | bigint>, Number);
  const vals = ws.fetch(g.values.name).data as ArrayLike<number>;
  const out = new Array<number>(size).fill(0);
  idx.forEach((r, k) => {
    for (let j = 0; j < rowLen; j++) out[r * rowLen + j]! += vals[k * rowLen + j]!;
  });
  return out;
}

/**
 * Checks the gradients of `params` (from a net built by `build` plus its
 * gradient ops) against central differences of the forward net.
 */
async function checkGradients(
  build: (net: Net) => void,
  feeds: Feeds,
  params: { name: string; rowLen?: number }[],
  expectKinds: Record<string, 'dense' | 'sparse'>,
): Promise<Net> {
  session = new LocalSession();
  sessions.push(session);
  ws = session.workspace;
  const fwd = new Net('fwd');
  build(fwd);
  const train = new Net('train');
  build(train);
  const grads = train.addGradientOperators('loss');
  feedAll(feeds);
  await session.run(train);
  for (const [name, kind] of Object.entries(expectKinds)) {
    const g = grads.get(name);
    expect(g, name).toBeDefined();
    expect(g instanceof GradientSlice ? 'sparse' : 'dense', name).toBe(kind);
  }
  const eps = 1e-2;
  for (const p of params) {
    feedAll(feeds);
    await session.run(train);
    const base = feeds[p.name]!;
    const analytic = denseGrad(grads.get(p.name)!, base.data.length, p.rowLen ?? 1);
    for (let i = 0; i < base.data.length; i++) {
      const plus = { ...feeds, [p.name]: { ...base, data: base.data.map((v, k) => (k === i ? v + eps : v)) } };
      const minus = { ...feeds, [p.name]: { ...base, data: base.data.map((v, k) => (k === i ? v - eps : v)) } };
      feedAll(plus);
      const lp = await lossOf(fwd);
      feedAll(minus);
      const lm = await lossOf(fwd);
      const numeric = (lp - lm) / (2 * eps);
      expect(Math.abs(analytic[i]! - numeric), `${p.name}[${i}]: analytic ${analytic[i]} numeric ${numeric}`).toBeLessThan(
        2e-3 + 2e-2 * Math.abs(numeric),
      );
    }
  }
  return train;
}

const rand = rng(7);
const randn = (n: number, scale = 1) => Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

describe('addGradientOperators vs finite differences', () => {
  test('FC + Relu + FC + SoftmaxWithLoss', async () => {
    const N = 4;
    const D = 3;
    const H = 5;
    const C = 3;
    await checkGradients(
      (net) => {
        const h = net.FC(['x', 'w1', 'b1'], ['h']);
        const r = net.Relu(h, ['r']);
        const logits = net.FC([r, 'w2', 'b2'], ['logits']);
        net.SoftmaxWithLoss([logits, 'label'], ['probs', 'loss']);
      },
      {
        x: { dtype: 'float32', shape: [N, D], data: randn(N * D) },
        w1: { dtype: 'float32', shape: [H, D], data: randn(H * D) },
        b1: { dtype: 'float32', shape: [H], data: randn(H, 0.1) },
        w2: { dtype: 'float32', shape: [C, H], data: randn(C * H) },
        b2: { dtype: 'float32', shape: [C], data: randn(C, 0.1) },
        label: { dtype: 'int32', shape: [N], data: [0, 2, 1, 2] },
      },
      [{ name: 'w1' }, { name: 'b1' }, { name: 'w2' }, { name: 'b2' }, { name: 'x' }],
      { w1: 'dense', b1: 'dense', w2: 'dense', b2: 'dense', x: 'dense' },
    );
  });

  test('shared weights: one W used by two FC ops gets the sum of both gradients', async () => {
    const N = 3;
    const D = 4;
    const C = 2;
    const train = await checkGradients(
      (net) => {
        const a = net.FC(['x1', 'w', 'b'], ['a']);
        const b = net.FC(['x2', 'w', 'b'], ['b_out']);
        const s = net.Add([a, net.Tanh(b, ['t'])], ['s']);
        net.SoftmaxWithLoss([s, 'label'], ['probs', 'loss']);
      },
      {
        x1: { dtype: 'float32', shape: [N, D], data: randn(N * D) },
        x2: { dtype: 'float32', shape: [N, D], data: randn(N * D) },
        w: { dtype: 'float32', shape: [C, D], data: randn(C * D) },
        b: { dtype: 'float32', shape: [C], data: randn(C, 0.1) },
        label: { dtype: 'int32', shape: [N], data: [1, 0, 1] },
      },
      [{ name: 'w' }, { name: 'b' }],
      { w: 'dense', b: 'dense' },
    );
    // w and b each get two gradients, summed
    expect(train.ops.filter((o) => o.type === 'Sum').length).toBe(2);
  });

  test('sparse embedding: SparseLengthsSum gives a GradientSlice', async () => {
    const V = 6;
    const E = 3;
    const C = 2;
    await checkGradients(
      (net) => {
        const pooled = net.SparseLengthsSum(['emb', 'idx', 'len'], ['pooled']);
        const logits = net.FC([pooled, 'w', 'b'], ['logits']);
        net.SoftmaxWithLoss([logits, 'label'], ['probs', 'loss']);
      },
      {
        emb: { dtype: 'float32', shape: [V, E], data: randn(V * E) },
        idx: { dtype: 'int64', shape: [5], data: [1, 3, 3, 0, 5] },
        len: { dtype: 'int32', shape: [2], data: [3, 2] },
        w: { dtype: 'float32', shape: [C, E], data: randn(C * E) },
        b: { dtype: 'float32', shape: [C], data: [0, 0] },
        label: { dtype: 'int32', shape: [2], data: [1, 0] },
      },
      [{ name: 'emb', rowLen: E }, { name: 'w' }],
      { emb: 'sparse', w: 'dense' },
    );
  });

  test('an embedding used twice: both sparse gradients are kept (concatenated)', async () => {
    const V = 5;
    const E = 2;
    const train = await checkGradients(
      (net) => {
        const p1 = net.SparseLengthsSum(['emb', 'idx1', 'len'], ['p1']);
        const p2 = net.SparseLengthsSum(['emb', 'idx2', 'len'], ['p2']);
        const logits = net.FC([net.Mul([p1, p2], ['prod']), 'w', 'b'], ['logits']);
        net.SoftmaxWithLoss([logits, 'label'], ['probs', 'loss']);
      },
      {
        emb: { dtype: 'float32', shape: [V, E], data: randn(V * E) },
        idx1: { dtype: 'int64', shape: [3], data: [0, 2, 4] },
        idx2: { dtype: 'int64', shape: [3], data: [2, 2, 1] },
        len: { dtype: 'int32', shape: [2], data: [2, 1] },
        w: { dtype: 'float32', shape: [2, E], data: randn(2 * E) },
        b: { dtype: 'float32', shape: [2], data: [0, 0] },
        label: { dtype: 'int32', shape: [2], data: [0, 1] },
      },
      [{ name: 'emb', rowLen: E }],
      { emb: 'sparse' },
    );
    expect(train.ops.filter((o) => o.type === 'Concat').length).toBe(2);
  });

  test('a table used sparsely and densely: the sparse part is densified and summed', async () => {
    const V = 4;
    const E = 2;
    await checkGradients(
      (net) => {
        const pooled = net.SparseLengthsSum(['emb', 'idx', 'len'], ['pooled']);
        const logits = net.FC([pooled, 'emb', 'b'], ['logits']);
        net.SoftmaxWithLoss([logits, 'label'], ['probs', 'loss']);
      },
      {
        emb: { dtype: 'float32', shape: [V, E], data: randn(V * E) },
        idx: { dtype: 'int64', shape: [3], data: [3, 1, 1] },
        len: { dtype: 'int32', shape: [2], data: [1, 2] },
        b: { dtype: 'float32', shape: [V], data: [0, 0, 0, 0] },
        label: { dtype: 'int32', shape: [2], data: [3, 0] },
      },
      [{ name: 'emb', rowLen: E }],
      { emb: 'dense' },
    );
  });

  test('a float64 table used sparsely and densely: densified in float64, not a float32 fill', async () => {
    const V = 4;
    const E = 2;
    const train = await checkGradients(
      (net) => {
        const rows = net.Gather(['emb', 'idx'], ['rows']);  // sparse gradient: (idx, float64 rows)
        const rows32 = net.Cast(rows, ['rows32'], { to: 'float32', from_type: 'float64' });
        const emb32 = net.Cast(['emb'], ['emb32'], { to: 'float32', from_type: 'float64' });  // dense gradient
        const logits = net.FC([rows32, emb32, 'b'], ['logits']);
        net.SoftmaxWithLoss([logits, 'label'], ['probs', 'loss']);
      },
      {
        emb: { dtype: 'float64', shape: [V, E], data: randn(V * E) },
        idx: { dtype: 'int64', shape: [3], data: [3, 1, 1] },
        b: { dtype: 'float32', shape: [V], data: [0, 0, 0, 0] },
        label: { dtype: 'int32', shape: [3], data: [3, 0, 1] },
      },
      [{ name: 'emb', rowLen: E }],
      { emb: 'dense' },
    );
    const g = ws.fetch('emb_grad');  // the Sum of the dense (Cast) and densified (Gather) parts
    expect(g.dtype).toBe('float64');
    expect(g.shape).toEqual([V, E]);
    const densify = train.ops.filter((o) => o.type === 'SparseToDense');
    expect(densify.map((o) => o.inputs)).toEqual([['idx', 'rows_grad', 'emb']]);
    expect(train.ops.some((o) => o.type === 'ConstantFill' && o.inputs[0] === 'emb')).toBe(false);
  });

  test('in-place ops: the gradient flows through versions of one blob', async () => {
    await checkGradients(
      (net) => {
        net.FC(['x', 'w', 'b'], ['h']);
        net.Relu(['h'], ['h']);
        net.Scale(['h'], ['h'], { scale: 2 });
        net.SoftmaxWithLoss(['h', 'label'], ['probs', 'loss']);
      },
      {
        x: { dtype: 'float32', shape: [2, 3], data: randn(6) },
        w: { dtype: 'float32', shape: [3, 3], data: randn(9) },
        b: { dtype: 'float32', shape: [3], data: randn(3, 0.1) },
        label: { dtype: 'int32', shape: [2], data: [2, 0] },
      },
      [{ name: 'w' }, { name: 'x' }],
      { w: 'dense', x: 'dense' },
    );
  });

  test('a loss nothing writes is rejected', () => {
    const net = new Net('n');
    net.Relu(['x'], ['y']);
    expect(() => net.addGradientOperators('nope')).toThrow(/nothing there writes 'nope'/);
  });
});
