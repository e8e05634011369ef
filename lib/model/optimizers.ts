/**
 * Optimizers over a ModelHelper's parameters (Caffe2's optimizer.py): each adds
 * its state (moments) to the param-init net and its update ops to the training
 * net, after addGradientOperators. Dense gradients use the dense op, sparse
 * ones (embeddings) the sparse op, which updates only the rows used. The
 * updates write the shared parameters in place, so Task instances running the
 * training net concurrently train Hogwild-style.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { BlobReference } from '../net/BlobReference.js';
import { GradientSlice, type GradientRef } from '../net/gradients.js';
import type { ModelHelper } from './ModelHelper.js';

/**
 * A warm-up any policy can add (the LearningRate op's `warmup_iter`,
 * `warmup_start_multiplier`): while iteration < warmupIter the policy's
 * multiplier is also scaled by
 * `warmupStartMultiplier + (1 − warmupStartMultiplier) · iteration / warmupIter`,
 * a ramp from warmupStartMultiplier (default 0, in [0, 1]) to 1.
 */
export interface LearningRateWarmup {
  /** Iterations of warm-up (an integer >= 0; default 0: none). */
  warmupIter?: number;
  /** The multiplier at iteration 0 (in [0, 1], default 0). */
  warmupStartMultiplier?: number;
}

/**
 * Learning-rate policy (op LearningRate): lr = base · multiplier(iteration),
 * times the optional warm-up ramp. Multipliers at iteration t:
 * - `fixed`: 1
 * - `step`: gamma^floor(t / stepsize)
 * - `exp`: gamma^t
 * - `inv`: (1 + gamma·t)^−power
 * - `poly`: max(0, 1 − t / maxIter)^power
 * - `linearWarmup`: startMultiplier (0) + (1 − startMultiplier)·t / numIter until numIter, then 1
 * - `constantWarmup`: multiplier (0.5) until numIter, then 1
 * - `linear`: startMultiplier (1) + (endMultiplier (0) − startMultiplier)·t / numIter until
 *   numIter, then endMultiplier: a linear decay (numIter > 0)
 *
 * @example
 * // Decay linearly to 0 over 10 000 iterations after a 500-iteration warm-up from 0.1.
 * const lrPolicy: LearningRatePolicy = { policy: 'linear', numIter: 10_000, warmupIter: 500, warmupStartMultiplier: 0.1 };
 */
export type LearningRatePolicy = (
  | { policy: 'fixed' }
  | { policy: 'step'; stepsize: number; gamma: number }
  | { policy: 'exp'; gamma: number }
  | { policy: 'inv'; gamma: number; power: number }
  | { policy: 'poly'; maxIter: number; power: number }
  | { policy: 'linearWarmup'; startMultiplier?: number; numIter: number }
  | { policy: 'constantWarmup'; multiplier?: number; numIter: number }
  | { policy: 'linear'; startMultiplier?: number; endMultiplier?: number; numIter: number }
) &
  LearningRateWarmup;

export interface OptimizerOptions {
  /** Learning-rate policy (default fixed). */
  lrPolicy?: LearningRatePolicy;
}

/** A count argument of the newer policy fields, checked here so a typo fails where the optimizer is built (the op checks the rest). */
function count(p: LearningRatePolicy, key: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`Expected an integer >= ${min} for ${key} of learning-rate policy '${p.policy}' but received ${value}`);
  }
  return value;
}

/** The LearningRate op's args for a policy (undefined args are dropped when the op is added). */
function learningRateArgs(p: LearningRatePolicy | undefined): Record<string, number | string | undefined> {
  if (!p) return { policy: 'fixed' };
  const warmup = {
    warmup_iter: count(p, 'warmupIter', p.warmupIter, 0),
    warmup_start_multiplier: p.warmupStartMultiplier,
  };
  switch (p.policy) {
    case 'fixed':
      return { policy: 'fixed', ...warmup };
    case 'step':
      return { policy: 'step', stepsize: p.stepsize, gamma: p.gamma, ...warmup };
    case 'exp':
      return { policy: 'exp', gamma: p.gamma, ...warmup };
    case 'inv':
      return { policy: 'inv', gamma: p.gamma, power: p.power, ...warmup };
    case 'poly':
      return { policy: 'poly', max_iter: p.maxIter, power: p.power, ...warmup };
    case 'linearWarmup':
      return { policy: 'linearWarmup', start_multiplier: p.startMultiplier ?? 0, num_iter: p.numIter, ...warmup };
    case 'constantWarmup':
      return { policy: 'constantWarmup', multiplier: p.multiplier ?? 0.5, num_iter: count(p, 'numIter', p.numIter, 0), ...warmup };
    case 'linear':
      return {
        policy: 'linear',
        start_multiplier: p.startMultiplier ?? 1,
        end_multiplier: p.endMultiplier ?? 0,
        num_iter: count(p, 'numIter', p.numIter, 1),
        ...warmup,
      };
    default:
      throw new InvalidArgumentError(`Expected a known learning-rate policy but received ${JSON.stringify(p)}`);
  }
}

const ITER = 'optimizer_iteration';

/** The shared iteration counter (created once per model), advanced atomically each training-net run. */
function iteration(model: ModelHelper): BlobReference {
  const marker = model as unknown as { _iterBlob?: BlobReference };
  if (!marker._iterBlob) {
    const mutex = model.paramInitNet.CreateMutex([], [`${ITER}_mutex`]);
    model.paramInitNet.ConstantFill([], [ITER], { shape: [1], value: 0, dtype: 'int64' });
    marker._iterBlob = model.net.op('AtomicIter', [mutex, ITER], [ITER]) as BlobReference;
  }
  return marker._iterBlob;
}

function learningRate(model: ModelHelper, baseLr: number, name: string, policy: LearningRatePolicy | undefined): BlobReference {
  if (!Number.isFinite(baseLr)) throw new InvalidArgumentError(`Expected a finite learning rate but received ${baseLr}`);
  return model.net.LearningRate([iteration(model)], [name], { base_lr: baseLr, ...learningRateArgs(policy) });
}

function one(model: ModelHelper): BlobReference {
  const marker = model as unknown as { _oneBlob?: BlobReference };
  marker._oneBlob ??= model.paramInitNet.ConstantFill([], ['optimizer_one'], { shape: [1], value: 1, dtype: 'float32' });
  return marker._oneBlob;
}

function zerosLike(model: ModelHelper, param: BlobReference, suffix: string): BlobReference {
  return model.paramInitNet.ConstantFill([param], [`${param.name}_${suffix}`], { value: 0, dtype: 'float32' });
}

function gradientsOf(model: ModelHelper): [BlobReference, GradientRef][] {
  const grads = model.gradients;
  return model.params.filter((p) => grads.has(p.name)).map((p) => [p, grads.get(p.name)!]);
}

/** A dense gradient for an op that has no sparse form: zeros + ScatterWeightedSum of the rows. */
function densify(model: ModelHelper, param: BlobReference, g: GradientSlice): BlobReference {
  const dense = model.net.ConstantFill([param], [`${param.name}_grad_dense`], { value: 0, dtype: 'float32' });
  const o = one(model);
  return model.net.ScatterWeightedSum([dense, o, g.indices, g.values, o], [dense]);
}

/**
 * Plain SGD: `param += lr · grad` with lr = −baseLearningRate·policy
 * (WeightedSum; ScatterWeightedSum on sparse rows).
 *
 * @example
 * buildSgd(model, { baseLearningRate: 0.1, lrPolicy: { policy: 'step', stepsize: 100, gamma: 0.5 } });
 */
export function buildSgd(model: ModelHelper, options: OptimizerOptions & { baseLearningRate: number }): void {
  const lr = learningRate(model, -options.baseLearningRate, 'sgd_lr', options.lrPolicy);
  const o = one(model);
  for (const [p, g] of gradientsOf(model)) {
    if (g instanceof GradientSlice) model.net.ScatterWeightedSum([p, o, g.indices, g.values, lr], [p]);
    else model.net.WeightedSum([p, o, g, lr], [p]);
  }
}

/**
 * Momentum SGD (MomentumSGDUpdate, positive lr). Sparse gradients are
 * densified first (there is no sparse momentum op).
 */
export function buildMomentumSgd(
  model: ModelHelper,
  options: OptimizerOptions & { baseLearningRate: number; momentum?: number; nesterov?: boolean },
): void {
  const lr = learningRate(model, options.baseLearningRate, 'momentum_lr', options.lrPolicy);
  for (const [p, g] of gradientsOf(model)) {
    const m = zerosLike(model, p, 'momentum');
    const dense = g instanceof GradientSlice ? densify(model, p, g) : g;
    model.net.MomentumSGDUpdate([dense, m, lr, p], [dense, m, p], { momentum: options.momentum ?? 0.9, nesterov: options.nesterov ? 1 : 0 });
  }
}

/** Adagrad (dense) / SparseAdagrad (sparse rows). */
export function buildAdagrad(model: ModelHelper, options: OptimizerOptions & { alpha?: number; epsilon?: number; decay?: number } = {}): void {
  const lr = learningRate(model, -(options.alpha ?? 0.01), 'adagrad_lr', options.lrPolicy);
  const epsilon = options.epsilon ?? 1e-4;
  for (const [p, g] of gradientsOf(model)) {
    const m = zerosLike(model, p, 'adagrad_moment');
    if (g instanceof GradientSlice) model.net.SparseAdagrad([p, m, g.indices, g.values, lr], [p, m], { epsilon });
    else model.net.Adagrad([p, m, g, lr], [p, m], { epsilon, decay: options.decay ?? 1 });
  }
}

/** Adam (dense) / SparseAdam (sparse rows), with bias correction from the iteration counter. */
export function buildAdam(
  model: ModelHelper,
  options: OptimizerOptions & { alpha?: number; beta1?: number; beta2?: number; epsilon?: number } = {},
): void {
  const lr = learningRate(model, -(options.alpha ?? 0.001), 'adam_lr', options.lrPolicy);
  const it = iteration(model);
  const args = { beta1: options.beta1 ?? 0.9, beta2: options.beta2 ?? 0.999, epsilon: options.epsilon ?? 1e-8 };
  for (const [p, g] of gradientsOf(model)) {
    const m1 = zerosLike(model, p, 'adam_m1');
    const m2 = zerosLike(model, p, 'adam_m2');
    if (g instanceof GradientSlice) model.net.SparseAdam([p, m1, m2, g.indices, g.values, lr, it], [p, m1, m2], args);
    else if (g instanceof BlobReference) model.net.Adam([p, m1, m2, g, lr, it], [p, m1, m2], args);
  }
}
