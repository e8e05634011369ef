// ModelHelper layers, deterministic initialization, and every optimizer
// (dense and sparse) lowering a loss.
import { afterAll, describe, expect, test } from 'vitest';

import { buildAdagrad, buildAdam, buildMomentumSgd, buildSgd, GradientSlice, LocalSession, ModelHelper, Net } from '../../lib/index.js';
import { rng, values } from '../job-helpers.js';

const sessions: LocalSession[] = [];
const newSession = () => {
  const s = new LocalSession();
  sessions.push(s);
  return s;
};
afterAll(async () => {
  for (const s of sessions) await s.close();
});

/** Linearly separable 3-class data in 4-D. */
function makeData(n: number, seed: number): { x: Float32Array; label: Int32Array } {
  const r = rng(seed);
  const centers = [
    [2, 0, 0, 1],
    [0, 2, 1, 0],
    [-2, -1, 0, 0],
  ];
  const x = new Float32Array(n * 4);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    label[i] = c;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = centers[c]![j]! + (r() * 2 - 1) * 0.8;
  }
  return { x, label };
}

type Optimizer = (m: ModelHelper) => void;

async function trainDense(opt: Optimizer, steps = 60): Promise<{ first: number; last: number }> {
  const model = new ModelHelper({ name: 'mlp', seed: 3 });
  const h = model.relu(model.fc('x', 'fc1', 4, 8), 'h');
  const [, loss] = model.softmaxWithLoss(model.fc(h, 'fc2', 8, 3), 'label');
  model.addGradientOperators(loss);
  opt(model);
  const session = newSession();
  const { x, label } = makeData(60, 1);
  session.workspace.feed('x', { dtype: 'float32', shape: [60, 4], data: x });
  session.workspace.feed('label', { dtype: 'int32', shape: [60], data: label });
  await session.run(model.paramInitNet);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    await session.run(model.net);
    losses.push(values(session.workspace, loss)[0]!);
  }
  return { first: losses[0]!, last: losses.at(-1)! };
}

async function trainSparse(opt: Optimizer, steps = 60): Promise<{ first: number; last: number; sparse: boolean }> {
  const model = new ModelHelper({ name: 'bag', seed: 5 });
  const pooled = model.embeddingBag('ids', 'lengths', 'emb', 10, 4, { mode: 'mean', init: { type: 'uniform', min: -0.1, max: 0.1 } });
  const [, loss] = model.softmaxWithLoss(model.fc(pooled, 'out', 4, 2), 'label');
  const grads = model.addGradientOperators(loss);
  opt(model);
  const session = newSession();
  // Class 0 uses ids 0-4, class 1 uses ids 5-9.
  const ids = BigInt64Array.from([0, 1, 2, 5, 6, 7, 3, 4, 8, 9, 9].map(BigInt));
  session.workspace.feed('ids', { dtype: 'int64', shape: [ids.length], data: ids });
  session.workspace.feed('lengths', { dtype: 'int32', shape: [4], data: new Int32Array([3, 3, 2, 3]) });
  session.workspace.feed('label', { dtype: 'int32', shape: [4], data: new Int32Array([0, 1, 0, 1]) });
  await session.run(model.paramInitNet);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    await session.run(model.net);
    losses.push(values(session.workspace, loss)[0]!);
  }
  return { first: losses[0]!, last: losses.at(-1)!, sparse: grads.get('emb_w') instanceof GradientSlice };
}

const optimizers: [string, Optimizer][] = [
  ['sgd', (m) => buildSgd(m, { baseLearningRate: 0.2 })],
  ['sgd with a step policy', (m) => buildSgd(m, { baseLearningRate: 0.3, lrPolicy: { policy: 'step', stepsize: 20, gamma: 0.7 } })],
  ['momentumSgd', (m) => buildMomentumSgd(m, { baseLearningRate: 0.05, momentum: 0.9 })],
  ['adagrad', (m) => buildAdagrad(m, { alpha: 0.2 })],
  ['adam', (m) => buildAdam(m, { alpha: 0.05 })],
];

describe('ModelHelper', () => {
  test('fc registers <name>_w [out, in] and <name>_b [out]; layers name their outputs', () => {
    const model = new ModelHelper({ name: 'm' });
    const y = model.relu(model.fc('x', 'fc1', 4, 8), 'r');
    expect(model.params.map((p) => p.name)).toEqual(['fc1_w', 'fc1_b']);
    expect(model.paramInfo('fc1_w')!.shape).toEqual([8, 4]);
    expect(y.name).toBe('r');
    expect(model.net.ops.map((o) => o.type)).toEqual(['FC', 'Relu']);
    expect(() => model.createParam('fc1_w', [1], { type: 'xavier' })).toThrow(/already exists/);
  });

  test('initialization is deterministic for a seed and differs across seeds', async () => {
    const init = async (seed: number) => {
      const model = new ModelHelper({ seed });
      model.fc('x', 'fc', 5, 7);
      model.embeddingBag('i', 'l', 'e', 20, 3);
      const s = newSession();
      await s.run(model.paramInitNet);
      return [...values(s.workspace, 'fc_w'), ...values(s.workspace, 'e_w')];
    };
    const a = await init(11);
    expect(await init(11)).toEqual(a);
    expect(await init(12)).not.toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(30);
  });

  test('gradients are reported for parameters only', () => {
    const model = new ModelHelper();
    const [, loss] = model.softmaxWithLoss(model.fc('x', 'fc', 2, 2), 'label');
    expect([...model.addGradientOperators(loss).keys()]).toEqual(['fc_w', 'fc_b']);
  });

  for (const [name, opt] of optimizers) {
    test(`${name} lowers the loss of a dense MLP`, async () => {
      const { first, last } = await trainDense(opt);
      expect(last).toBeLessThan(first * 0.5);
    });
    test(`${name} lowers the loss through a sparse embedding`, async () => {
      const { first, last, sparse } = await trainSparse(opt, 80);
      expect(sparse).toBe(true);
      expect(last).toBeLessThan(first * 0.7);
    });
  }

  test('squaredL2Loss regression with sgd', async () => {
    const model = new ModelHelper({ seed: 1 });
    const y = model.fc('x', 'lin', 2, 1);
    const loss = model.squaredL2Loss(y, 'target');
    model.addGradientOperators(loss);
    buildSgd(model, { baseLearningRate: 0.1 });
    const s = newSession();
    s.workspace.feed('x', { dtype: 'float32', shape: [4, 2], data: new Float32Array([1, 0, 0, 1, 1, 1, 2, 1]) });
    s.workspace.feed('target', { dtype: 'float32', shape: [4, 1], data: new Float32Array([3, -1, 2, 5]) });
    await s.run(model.paramInitNet);
    for (let i = 0; i < 300; i++) await s.run(model.net);
    expect(values(s.workspace, loss)[0]!).toBeLessThan(1e-3);
    const w = values(s.workspace, 'lin_w');
    expect(w[0]!).toBeCloseTo(3, 1);
    expect(w[1]!).toBeCloseTo(-1, 1);
  });

  test('an optimizer before addGradientOperators is an error', () => {
    const model = new ModelHelper();
    model.fc('x', 'fc', 2, 2);
    expect(() => buildSgd(model, { baseLearningRate: 0.1 })).toThrow(/addGradientOperators/);
    expect(new Net('unused').name).toBeTruthy();
  });
});
