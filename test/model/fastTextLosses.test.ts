// fastText's losses as ops any Job can use: BinaryLogisticLoss against a
// hand-computed reference, its gradient against finite differences, its
// input checks, and the hs / ns / ova heads built on it training a model.
import { afterAll, describe, expect, test } from 'vitest';

import { buildSgd, GradientSlice, HogwildError, LocalSession, ModelHelper, Net } from '../../lib/index.js';
import { hierarchicalSoftmaxLoss, negativeSamplingLoss, negativeTable, oneVsAllLoss, type LossHead } from '../../lib/model/losses/fastTextLosses.js';

const sessions: LocalSession[] = [];
const newSession = () => {
  const s = new LocalSession();
  sessions.push(s);
  return s;
};
afterAll(async () => {
  for (const s of sessions) await s.close();
});

let seed = 9;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const randoms = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

/** The loss in double precision, straight from its definition. */
function reference(h: Float32Array, w: Float32Array, rows: Int32Array, t: Float32Array, d: number): number[] {
  const b = h.length / d;
  const k = rows.length / b;
  return Array.from({ length: b }, (_, i) => {
    let s = 0;
    for (let j = 0; j < k; j++) {
      const r = rows[i * k + j]!;
      if (r < 0) continue;
      let z = 0;
      for (let c = 0; c < d; c++) z += h[i * d + c]! * w[r * d + c]!;
      const p = 1 / (1 + Math.exp(-z));
      s -= t[i * k + j]! * Math.log(p) + (1 - t[i * k + j]!) * Math.log(1 - p);
    }
    return s;
  });
}

const D = 4;
const H = randoms(3 * D, 1);
const W = randoms(5 * D, 1);
const ROWS = Int32Array.from([0, 2, -1, 4, -1, -1, 1, 3, 0]);
const T = Float32Array.from([1, 0, 0, 0, 1, 1, 0.25, 1, 0]);

async function forward(h: Float32Array, w: Float32Array, rows = ROWS, t = T): Promise<Float32Array> {
  const s = newSession();
  const ws = s.workspace;
  ws.feed('h', { dtype: 'float32', shape: [3, D], data: h });
  ws.feed('w', { dtype: 'float32', shape: [w.length / D, D], data: w });
  ws.feed('rows', { dtype: 'int32', shape: [3, rows.length / 3], data: rows });
  ws.feed('t', { dtype: 'float32', shape: [3, t.length / 3], data: t });
  const net = new Net('bll');
  net.BinaryLogisticLoss(['h', 'w', 'rows', 't'], ['loss']);
  await s.run(net);
  return ws.fetch('loss').data as Float32Array;
}

describe('BinaryLogisticLoss', () => {
  test('equals the definition computed by hand (padding rows skipped, soft targets)', async () => {
    const ours = await forward(H, W);
    reference(H, W, ROWS, T, D).forEach((r, i) => expect(ours[i]).toBeCloseTo(r, 5));
    // One row, z = 0: log 2 whatever the target.
    const zero = await forward(new Float32Array(3 * D), W, Int32Array.from([3, -1, -1]), Float32Array.from([1, 0, 0]));
    expect(Array.from(zero)).toEqual([Math.fround(Math.log(2)), 0, 0]);
  });

  test('skip_repeats: a later row equal to the first counts as padding (ns negatives that hit the label)', async () => {
    const s = newSession();
    const ws = s.workspace;
    ws.feed('h', { dtype: 'float32', shape: [1, D], data: H.subarray(0, D) });
    ws.feed('w', { dtype: 'float32', shape: [5, D], data: W });
    ws.feed('rows', { dtype: 'int32', shape: [1, 3], data: Int32Array.from([2, 2, 1]) });
    ws.feed('t', { dtype: 'float32', shape: [1, 3], data: Float32Array.from([1, 0, 0]) });
    const net = new Net('bll_skip');
    net.BinaryLogisticLoss(['h', 'w', 'rows', 't'], ['with'], { skip_repeats: 1 });
    net.BinaryLogisticLoss(['h', 'w', 'rows', 't'], ['without']);
    await s.run(net);
    const h = H.subarray(0, D);
    const expected = reference(h, W, Int32Array.from([2, -1, 1]), Float32Array.from([1, 0, 0]), D)[0]!;
    expect((ws.fetch('with').data as Float32Array)[0]).toBeCloseTo(expected, 5);
    expect((ws.fetch('without').data as Float32Array)[0]).toBeCloseTo(reference(h, W, Int32Array.from([2, 2, 1]), Float32Array.from([1, 0, 0]), D)[0]!, 5);
  });

  test('its gradient (dH dense, dW sparse) matches finite differences', async () => {
    const s = newSession();
    const ws = s.workspace;
    const dLoss = Float32Array.from([0.5, -1, 2]);
    ws.feed('h', { dtype: 'float32', shape: [3, D], data: H });
    ws.feed('w', { dtype: 'float32', shape: [5, D], data: W });
    ws.feed('rows', { dtype: 'int32', shape: [3, 3], data: ROWS });
    ws.feed('t', { dtype: 'float32', shape: [3, 3], data: T });
    ws.feed('dloss', { dtype: 'float32', shape: [3], data: dLoss });
    const net = new Net('bll_grad');
    net.op('BinaryLogisticLossGradient', ['h', 'w', 'rows', 't', 'dloss'], ['dh', 'dw_i', 'dw_v']);
    await s.run(net);
    const dh = ws.fetch('dh').data as Float32Array;
    const idx = Array.from(ws.fetch('dw_i').data as BigInt64Array, Number);
    const vals = ws.fetch('dw_v').data as Float32Array;
    const dw = new Float64Array(W.length);
    idx.forEach((r, i) => {
      for (let c = 0; c < D; c++) dw[r * D + c]! += vals[i * D + c]!;
    });
    expect(idx).toEqual([0, 2, 4, 1, 3, 0]); // the used rows only: padding makes no entry
    expect(vals.length).toBe(6 * D);
    const objective = (h: Float32Array, w: Float32Array) => reference(h, w, ROWS, T, D).reduce((a, l, i) => a + l * dLoss[i]!, 0);
    const eps = 1e-3;
    const fd = (x: Float32Array, i: number, f: (y: Float32Array) => number) => {
      const up = Float32Array.from(x);
      const down = Float32Array.from(x);
      up[i]! += eps;
      down[i]! -= eps;
      return (f(up) - f(down)) / (up[i]! - down[i]!);
    };
    for (let i = 0; i < H.length; i++) expect(dh[i]).toBeCloseTo(fd(H, i, (h) => objective(h, W)), 3);
    for (let i = 0; i < W.length; i++) expect(dw[i]).toBeCloseTo(fd(W, i, (w) => objective(H, w)), 3);
    // And the op's own loss moves as its gradient says.
    const step = Float32Array.from(H, (v, i) => v - 1e-3 * dh[i]!);
    const before = (await forward(H, W)).reduce((a, l, i) => a + l * dLoss[i]!, 0);
    const after = (await forward(step, W)).reduce((a, l, i) => a + l * dLoss[i]!, 0);
    expect(after).toBeLessThan(before);
  });

  test.each([
    ['a row out of range', Int32Array.from([0, 5, -1, 0, 0, 0, 0, 0, 0]), T, 'HOGWILD_INDEX_OUT_OF_RANGE'],
    ['a row below -1', Int32Array.from([0, -2, -1, 0, 0, 0, 0, 0, 0]), T, 'HOGWILD_INDEX_OUT_OF_RANGE'],
    ['a target above 1', ROWS, Float32Array.from([1, 0, 0, 0, 1.5, 1, 0, 1, 0]), 'HOGWILD_INVALID_ARGUMENT'],
    ['a NaN target', ROWS, Float32Array.from([1, 0, 0, 0, Number.NaN, 1, 0, 1, 0]), 'HOGWILD_INVALID_ARGUMENT'],
    ['targets of another shape', ROWS, Float32Array.from([1, 0, 0, 0, 1, 1]), 'HOGWILD_SHAPE_MISMATCH'],
  ])('refuses %s', async (_what, rows, t, code) => {
    const err = await forward(H, W, rows, t).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HogwildError);
    expect((err as HogwildError).code).toBe(code);
  });
});

/** Separable data: label c lights up input feature c; hidden = the features. */
async function train(head: (m: ModelHelper) => LossHead, classes: number, steps = 80): Promise<{ first: number; last: number; sparse: boolean }> {
  const model = new ModelHelper({ name: 'head', seed: 1 });
  model.relu(model.fc('x', 'enc', classes, 8), 'hidden');
  const lossHead = head(model);
  const grads = model.addGradientOperators(lossHead.loss);
  buildSgd(model, { baseLearningRate: 0.5 });
  const s = newSession();
  const n = 4 * classes;
  const x = new Float32Array(n * classes);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = i % classes;
    x[i * classes + (i % classes)] = 1;
  }
  s.workspace.feed('x', { dtype: 'float32', shape: [n, classes], data: x });
  s.workspace.feed('label', { dtype: 'int32', shape: [n], data: label });
  await s.run(model.paramInitNet);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    await s.run(model.net);
    losses.push((s.workspace.fetch(lossHead.loss.name).data as Float32Array)[0]!);
  }
  return { first: losses[0]!, last: losses.at(-1)!, sparse: grads.get(lossHead.weights.name) instanceof GradientSlice };
}

describe('fastText loss heads on any model', () => {
  const counts = [40, 25, 25, 10, 6, 3];
  test.each([
    ['hs', true, (m: ModelHelper) => hierarchicalSoftmaxLoss(m, 'hidden', 'label', { counts, dim: 8, name: 'hs' })],
    ['ns', true, (m: ModelHelper) => negativeSamplingLoss(m, 'hidden', 'label', { counts, dim: 8, neg: 3, seed: 4, name: 'ns' })],
    // Every example writes every output row: a dense layer and a dense gradient.
    ['ova', false, (m: ModelHelper) => oneVsAllLoss(m, 'hidden', 'label', { labels: counts.length, dim: 8, name: 'ova' })],
  ])('%s trains (loss falls by 5x); sparse gradient for its output rows: %s', async (_name, sparse, head) => {
    const r = await train(head, counts.length);
    expect(r.sparse).toBe(sparse);
    expect(r.last).toBeLessThan(r.first / 5);
  });

  test('hs: the per-example loss follows the path and code of each label in fastText\'s tree', async () => {
    const model = new ModelHelper({ name: 'hs_ref', seed: 2 });
    const head = hierarchicalSoftmaxLoss(model, 'h', 'label', { counts: [5, 3, 2, 1], dim: 2, name: 'hs' });
    const s = newSession();
    await s.run(model.paramInitNet);
    // W rows: node 4 → row 0, node 5 → row 1, root 6 → row 2 (see test/model/huffmanTree.test.ts).
    s.workspace.feed(head.weights.name, { dtype: 'float32', shape: [4, 2], data: Float32Array.from([1, 0, 0, 1, 1, 1, 9, 9]) });
    s.workspace.feed('h', { dtype: 'float32', shape: [4, 2], data: Float32Array.from([0.5, -1, 0.5, -1, 0.5, -1, 0.5, -1]) });
    s.workspace.feed('label', { dtype: 'int32', shape: [4], data: Int32Array.from([0, 1, 2, 3]) });
    await s.run(model.net);
    const per = s.workspace.fetch(head.perExample.name).data as Float32Array;
    const nll = (z: number, bit: number) => -Math.log(bit ? 1 / (1 + Math.exp(-z)) : 1 - 1 / (1 + Math.exp(-z)));
    const z = [0.5, -1, -0.5]; // h·row0, h·row1, h·row2
    const expected = [nll(z[2]!, 0), nll(z[1]!, 1) + nll(z[2]!, 1), nll(z[0]!, 1) + nll(z[1]!, 0) + nll(z[2]!, 1), nll(z[0]!, 0) + nll(z[1]!, 0) + nll(z[2]!, 1)];
    expected.forEach((e, i) => expect(per[i]).toBeCloseTo(e, 5));
  });

  test('ns: the negative table follows counts^0.5, and bad options are refused', () => {
    const t = negativeTable([100, 25, 0, 4], 17_000);
    const freq = [0, 1, 2, 3].map((i) => t.filter((v) => v === i).length);
    expect(freq).toEqual([10_000, 5_000, 0, 2_000]);
    expect(() => negativeTable([0, 0], 10)).toThrow(HogwildError);
    expect(() => hierarchicalSoftmaxLoss(new ModelHelper(), 'h', 'l', { counts: [], dim: 2 })).toThrow(HogwildError);
    expect(() => negativeSamplingLoss(new ModelHelper(), 'h', 'l', { counts: [1, 2], dim: 2, neg: 0 })).toThrow(/neg in \[1, 1024\]/);
  });
});
