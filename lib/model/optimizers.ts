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

/** Learning-rate policy (op LearningRate): lr = base · multiplier(iteration). */
export type LearningRatePolicy =
  | { policy: 'fixed' }
  | { policy: 'step'; stepsize: number; gamma: number }
  | { policy: 'exp'; gamma: number }
  | { policy: 'inv'; gamma: number; power: number }
  | { policy: 'poly'; maxIter: number; power: number }
  | { policy: 'linearWarmup'; startMultiplier?: number; numIter: number };

export interface OptimizerOptions {
  /** Learning-rate policy (default fixed). */
  lrPolicy?: LearningRatePolicy;
}

function lrArgs(p: LearningRatePolicy | undefined): Record<string, number | string> {
  if (!p || p.policy === 'fixed') return { policy: 'fixed' };
  switch (p.policy) {
    case 'step':
      return { policy: 'step', stepsize: p.stepsize, gamma: p.gamma };
    case 'exp':
      return { policy: 'exp', gamma: p.gamma };
    case 'inv':
      return { policy: 'inv', gamma: p.gamma, power: p.power };
    case 'poly':
      return { policy: 'poly', max_iter: p.maxIter, power: p.power };
    case 'linearWarmup':
      return { policy: 'linearWarmup', start_multiplier: p.startMultiplier ?? 0, num_iter: p.numIter };
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
  return model.net.LearningRate([iteration(model)], [name], { base_lr: baseLr, ...lrArgs(policy) });
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
