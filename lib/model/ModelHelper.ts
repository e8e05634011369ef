import { InvalidArgumentError } from '../errors/index.js';
import { BlobReference, blobName, type BlobLike } from '../net/BlobReference.js';
import type { GradientRef } from '../net/gradients.js';
import { Net } from '../net/Net.js';

/** How a parameter is initialized (ops XavierFill, GaussianFill, UniformFill, ConstantFill, MSRAFill). */
export type ParamInit =
  | { type: 'xavier' }
  | { type: 'msra' }
  | { type: 'gaussian'; mean?: number; std?: number }
  | {
      type: 'uniform';
      min?: number;
      max?: number;
      /** Draw only the first `count` elements (row-major); the rest start at 0 (default: all). */
      count?: number;
    }
  | { type: 'constant'; value?: number };

/** A registered parameter. */
export interface ParamInfo {
  readonly blob: BlobReference;
  readonly shape: readonly number[];
  readonly init: ParamInit;
}

/** Options of `new ModelHelper()`. */
export interface ModelHelperOptions {
  /** Base of the two nets' names (default 'model'). */
  name?: string;
  /** Seed of every random initializer (each parameter derives its own from it and its name). */
  seed?: number;
}

/** Options of `fc`. */
export interface FcOptions {
  weightInit?: ParamInit;
  biasInit?: ParamInit;
  /** 'relu': the fused FCRelu op (bias and ReLU applied in the GEMM's pass over each output tile). */
  activation?: 'relu';
}

/** Options of `embeddingBag`. */
export interface EmbeddingBagOptions {
  /** 'sum' (SparseLengthsSum, default) or 'mean' (SparseLengthsMean). */
  mode?: 'sum' | 'mean';
  init?: ParamInit;
}

/** 32-bit FNV-1a of the seed and the parameter name: a stable per-parameter seed. */
function paramSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

/**
 * A model: a parameter-init net (run once, in the init group) and a training
 * net, plus the parameter registry (Caffe2's ModelHelper and brew layers).
 * Random initializers get a seed derived from the model seed and the
 * parameter name, so the same model initializes identically everywhere.
 *
 * @example
 * const model = new ModelHelper({ name: 'mlp', seed: 42 });
 * const h = model.relu(model.fc('x', 'fc1', 4, 16));
 * const logits = model.fc(h, 'fc2', 16, 3);
 * const [, loss] = model.softmaxWithLoss(logits, 'label');
 * model.addGradientOperators(loss);
 * buildSgd(model, { baseLearningRate: 0.1 });
 */
export class ModelHelper {
  readonly name: string;
  readonly seed: number;
  readonly paramInitNet: Net;
  readonly net: Net;
  private readonly _params = new Map<string, ParamInfo>();
  private _grads: Map<string, GradientRef> | undefined;

  constructor(options: ModelHelperOptions = {}) {
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new InvalidArgumentError(`Expected an integer seed for ModelHelper but received ${seed}`);
    this.name = options.name ?? 'model';
    this.seed = seed;
    this.paramInitNet = new Net(`${this.name}_init`);
    this.net = new Net(this.name);
  }

  /** The parameters, in creation order. */
  get params(): BlobReference[] {
    return [...this._params.values()].map((p) => p.blob);
  }

  paramInfo(param: BlobLike): ParamInfo | undefined {
    return this._params.get(blobName(param));
  }

  /** The gradients found by addGradientOperators (parameter name → gradient). */
  get gradients(): ReadonlyMap<string, GradientRef> {
    if (!this._grads) throw new InvalidArgumentError('Expected addGradientOperators to have been called on this model but it was not');
    return this._grads;
  }

  /** Creates a parameter blob filled in paramInitNet. */
  createParam(name: string, shape: readonly number[], init: ParamInit): BlobReference {
    if (this._params.has(name)) throw new InvalidArgumentError(`Expected a new parameter name but '${name}' already exists`);
    if (!shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new InvalidArgumentError(`Expected positive integer dimensions for parameter '${name}' but received [${shape.join(', ')}]`);
    }
    const args = { shape: [...shape], dtype: 'float32' as const };
    const seed = paramSeed(this.seed, name);
    const net = this.paramInitNet;
    let blob: BlobReference;
    switch (init.type) {
      case 'xavier':
        blob = net.XavierFill([], [name], { ...args, seed });
        break;
      case 'msra':
        blob = net.MSRAFill([], [name], { ...args, seed });
        break;
      case 'gaussian':
        blob = net.GaussianFill([], [name], { ...args, seed, mean: init.mean ?? 0, std: init.std ?? 0.01 });
        break;
      case 'uniform':
        if (init.count !== undefined && !(Number.isSafeInteger(init.count) && init.count >= 0)) {
          throw new InvalidArgumentError(`Expected an integer >= 0 for init.count of parameter '${name}' but received ${init.count}`);
        }
        blob = net.UniformFill([], [name], { ...args, seed, min: init.min ?? -0.05, max: init.max ?? 0.05, fill_count: init.count });
        break;
      case 'constant':
        blob = net.ConstantFill([], [name], { ...args, value: init.value ?? 0 });
        break;
      default:
        throw new InvalidArgumentError(`Expected a known initializer for parameter '${name}' but received ${JSON.stringify(init)}`);
    }
    this._params.set(name, { blob, shape: [...shape], init });
    return blob;
  }

  /**
   * Fully connected layer: `output = input · Wᵀ + b`, W `[dimOut, dimIn]` (params `<output>_w`, `<output>_b`);
   * with `activation: 'relu'`, `max(input · Wᵀ + b, 0)` as one fused op.
   */
  fc(input: BlobLike, output: string, dimIn: number, dimOut: number, options: FcOptions = {}): BlobReference {
    if (options.activation !== undefined && options.activation !== 'relu') {
      throw new InvalidArgumentError(`Expected activation 'relu' or none for fc '${output}' but received ${JSON.stringify(options.activation)}`);
    }
    const w = this.createParam(`${output}_w`, [dimOut, dimIn], options.weightInit ?? { type: 'xavier' });
    const b = this.createParam(`${output}_b`, [dimOut], options.biasInit ?? { type: 'constant', value: 0 });
    return options.activation === 'relu' ? this.net.FCRelu([input, w, b], [output]) : this.net.FC([input, w, b], [output]);
  }

  relu(input: BlobLike, output?: string): BlobReference {
    return this.net.Relu(input, output ?? null);
  }

  sigmoid(input: BlobLike, output?: string): BlobReference {
    return this.net.Sigmoid(input, output ?? null);
  }

  tanh(input: BlobLike, output?: string): BlobReference {
    return this.net.Tanh(input, output ?? null);
  }

  softmax(input: BlobLike, output?: string): BlobReference {
    return this.net.Softmax(input, output ?? null);
  }

  /** `[probabilities, loss]`: softmax of `logits` and the mean cross-entropy against int labels. */
  softmaxWithLoss(logits: BlobLike, labels: BlobLike, outputs: [string, string] = ['softmax', 'loss']): [BlobReference, BlobReference] {
    const [p, l] = this.net.SoftmaxWithLoss([logits, labels], outputs);
    return [p!, l!];
  }

  /** Mean of `0.5·Σ(x − y)²` per row: a regression loss. */
  squaredL2Loss(prediction: BlobLike, target: BlobLike, output = 'loss'): BlobReference {
    const d = this.net.SquaredL2Distance([prediction, target]);
    return this.net.AveragedLoss(d, [output]);
  }

  /**
   * Embedding bag: rows of a `[vocab, dim]` table (param `<output>_w`) picked by
   * `indices` and pooled per segment of `lengths` (SparseLengthsSum / Mean).
   * Its gradient is sparse, so optimizers update only the rows used.
   */
  embeddingBag(indices: BlobLike, lengths: BlobLike, output: string, vocab: number, dim: number, options: EmbeddingBagOptions = {}): BlobReference {
    const w = this.createParam(`${output}_w`, [vocab, dim], options.init ?? { type: 'uniform', min: -0.05, max: 0.05 });
    const op = options.mode === 'mean' ? 'SparseLengthsMean' : 'SparseLengthsSum';
    return this.net.op(op, [w, indices, lengths], [output]) as BlobReference;
  }

  /**
   * Appends the gradient ops of the training net for `losses`; returns param → gradient.
   * Only the parameters are differentiated: inputs and labels get no gradient ops.
   */
  addGradientOperators(losses: BlobLike | readonly BlobLike[]): ReadonlyMap<string, GradientRef> {
    const all = this.net.addGradientOperators(losses, { params: [...this._params.keys()] });
    this._grads = new Map([...this._params.keys()].filter((p) => all.has(p)).map((p) => [p, all.get(p)!]));
    return this._grads;
  }
}
