// Learning-rate policies of the optimizers (LearningRatePolicy → the native
// LearningRate op): the lr a training step uses follows the policy, and the
// warm-up ramp, at chosen iterations; bad counts fail where the optimizer is
// built.
import { afterAll, describe, expect, test } from 'vitest';

import { buildAdam, buildSgd, InvalidArgumentError, LocalSession, ModelHelper, type LearningRatePolicy } from '../../lib/index.js';
import { scalar } from '../job-helpers.js';

const sessions: LocalSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.close();
});

/** A one-layer classifier with its gradients, for an optimizer to update. */
function newModel(): ModelHelper {
  const model = new ModelHelper({ name: 'lr', seed: 1 });
  const [, loss] = model.softmaxWithLoss(model.fc('x', 'fc', 2, 2), 'label');
  model.addGradientOperators(loss);
  return model;
}

/**
 * The lr of a buildSgd model at each of `iterations` (1-based: the counter
 * the step advances to), read from `sgd_lr` after one run of the training net.
 */
async function lrAt(base: number, lrPolicy: LearningRatePolicy, iterations: number[]): Promise<number[]> {
  const model = newModel();
  buildSgd(model, { baseLearningRate: base, lrPolicy });
  const session = new LocalSession();
  sessions.push(session);
  const ws = session.workspace;
  ws.feed('x', { dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) });
  ws.feed('label', { dtype: 'int32', shape: [2], data: Int32Array.of(0, 1) });
  await session.run(model.paramInitNet);
  const out: number[] = [];
  for (const t of iterations) {
    ws.feed('optimizer_iteration', { dtype: 'int64', shape: [1], data: BigInt64Array.of(BigInt(t - 1)) });
    await session.run(model.net);  // AtomicIter advances to t, then LearningRate reads it
    expect(scalar(ws, 'optimizer_iteration')).toBe(t);
    out.push(scalar(ws, 'sgd_lr') as number);
  }
  return out;
}

/** The op's lr, computed here from the documented formulas (SGD descends: lr = −base·m). */
function expected(base: number, m: (t: number) => number, warmup: { iter?: number; start?: number } = {}) {
  return (t: number) => {
    let x = m(t);
    const wi = warmup.iter ?? 0;
    const ws = warmup.start ?? 0;
    if (t < wi) x *= ws + ((1 - ws) * t) / wi;
    return Math.fround(-base * x);
  };
}

const close = (got: number[], want: number[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!), `#${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(want[i]!))));
};

describe('LearningRatePolicy', () => {
  test("'linear' decays from 1 to 0 over numIter by default, then stays at the end", async () => {
    const its = [1, 25, 50, 99, 100, 150];
    const got = await lrAt(0.5, { policy: 'linear', numIter: 100 }, its);
    close(got, its.map(expected(0.5, (t) => (t >= 100 ? 0 : 1 - t / 100))));
    expect(got[1]).toBeCloseTo(-0.375, 7);
    expect(Math.abs(got.at(-1)!)).toBe(0);
  });

  test("'linear' with start/end multipliers and a warm-up ramp", async () => {
    const p: LearningRatePolicy = { policy: 'linear', startMultiplier: 0.8, endMultiplier: 0.2, numIter: 10, warmupIter: 4, warmupStartMultiplier: 0.25 };
    const its = [1, 2, 3, 4, 5, 10, 20];
    const got = await lrAt(0.1, p, its);
    close(got, its.map(expected(0.1, (t) => (t >= 10 ? 0.2 : 0.8 + ((0.2 - 0.8) * t) / 10), { iter: 4, start: 0.25 })));
    // iteration 1: linear 0.74 × warm-up 0.4375; from iteration 4 on, no warm-up.
    expect(got[0]).toBeCloseTo(-0.1 * 0.74 * 0.4375, 7);
    expect(got[3]).toBeCloseTo(-0.1 * 0.56, 7);
    expect(got.slice(-2)).toEqual([Math.fround(-0.02), Math.fround(-0.02)]);
  });

  test('a warm-up on any policy: fixed ramps from 0 to the base, step keeps its steps', async () => {
    close(await lrAt(1, { policy: 'fixed', warmupIter: 10 }, [1, 5, 9, 10, 11]), [-0.1, -0.5, -0.9, -1, -1].map(Math.fround));
    const step: LearningRatePolicy = { policy: 'step', stepsize: 3, gamma: 0.5, warmupIter: 2, warmupStartMultiplier: 0.5 };
    close(await lrAt(2, step, [1, 2, 3, 6]), [-2 * 0.75, -2, -1, -0.5].map(Math.fround));
  });

  test("'constantWarmup' holds the multiplier until numIter; 'linearWarmup' ramps to 1", async () => {
    close(await lrAt(1, { policy: 'constantWarmup', multiplier: 0.1, numIter: 5 }, [1, 4, 5, 9]), [-0.1, -0.1, -1, -1].map(Math.fround));
    close(await lrAt(1, { policy: 'constantWarmup', numIter: 2 }, [1, 2]), [-0.5, -1].map(Math.fround));
    close(await lrAt(1, { policy: 'linearWarmup', startMultiplier: 0.2, numIter: 4 }, [1, 2, 4]), [-0.4, -0.6, -1].map(Math.fround));
  });

  test('the op gets the native argument names', () => {
    const model = newModel();
    buildAdam(model, { alpha: 0.01, lrPolicy: { policy: 'linear', numIter: 7, endMultiplier: 0.1, warmupIter: 3, warmupStartMultiplier: 0.5 } });
    const op = model.net.ops.find((o) => o.type === 'LearningRate')!;
    expect(op.args).toEqual({
      base_lr: -0.01,
      policy: 'linear',
      start_multiplier: 1,
      end_multiplier: 0.1,
      num_iter: 7,
      warmup_iter: 3,
      warmup_start_multiplier: 0.5,
    });
  });

  test('bad counts fail where the optimizer is built', () => {
    const bad: LearningRatePolicy[] = [
      { policy: 'linear', numIter: 0 },
      { policy: 'linear', numIter: 2.5 },
      { policy: 'fixed', warmupIter: -1 },
      { policy: 'constantWarmup', numIter: Number.NaN },
    ];
    for (const lrPolicy of bad) {
      const build = () => buildSgd(newModel(), { baseLearningRate: 0.1, lrPolicy });
      expect(build, JSON.stringify(lrPolicy)).toThrow(InvalidArgumentError);
      expect(build, JSON.stringify(lrPolicy)).toThrow(/Expected an integer >= [01] for \w+ of learning-rate policy/);
    }
    // Out-of-range multipliers are the op's to reject, when the plan is built.
    const model = newModel();
    expect(() => buildSgd(model, { baseLearningRate: 0.1, lrPolicy: { policy: 'fixed', warmupIter: 2, warmupStartMultiplier: 1.5 } })).not.toThrow();
  });

  test('an out-of-range warm-up start multiplier fails when the op is instantiated', async () => {
    await expect(lrAt(1, { policy: 'fixed', warmupIter: 2, warmupStartMultiplier: 1.5 }, [1])).rejects.toThrow(/warmup_start_multiplier/);
  });
});
