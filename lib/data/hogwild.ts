/**
 * Hogwild training helpers for pipe() processors (docs/hogwild.md).
 *
 * Parameters live in the node workspace; every pipe instance (thread) reads
 * them and updates them in place without locks. That scales for sparse
 * embedding rows, which threads rarely share. A dense parameter that every
 * batch writes (an output layer, a bias, an MLP's weights) bounces its cache
 * lines between cores instead, so `DenseReplicas` gives each thread its own
 * copy, trained locally and merged into the shared one every `syncEvery`
 * batches (and when the thread ends): shared += local - base; local = base =
 * shared. The merge itself is a Hogwild write (two merges may race; a lost
 * delta is tolerated like any Hogwild race).
 */
import { InvalidArgumentError } from '../errors/index.js';
import { blobName, type BlobLike, type BlobReference } from '../net/BlobReference.js';
import { GradientSlice } from '../net/gradients.js';
import type { Net } from '../net/Net.js';
import { ops } from '../net/ops.js';
import type { ProcessorObject } from './processors.js';
import type { BlobRecord } from './schema.js';

/** Per-thread replicas of dense parameters, merged every `syncEvery` batches. Build inside a processor. */
export class DenseReplicas {
  private readonly _local = new Map<string, BlobReference>();
  private readonly _base = new Map<string, BlobReference>();
  private readonly _counter: BlobReference | undefined;

  /** `syncEvery` 0 means no replicas: `local(p)` is `p` itself (plain Hogwild on the shared blob). */
  constructor(
    readonly params: readonly BlobLike[],
    readonly syncEvery: number,
  ) {
    if (!Number.isInteger(syncEvery) || syncEvery < 0) throw new InvalidArgumentError(`Expected an integer >= 0 for syncEvery but received ${syncEvery}`);
    if (syncEvery === 0) return;
    this._counter = ops.taskInstanceInit().scope(() => {
      for (const p of params) {
        const name = blobName(p);
        this._local.set(name, ops.Copy([p], [`${name}/hogwild_local`]));
        this._base.set(name, ops.Copy([p], [`${name}/hogwild_base`]));
      }
      return ops.CreateCounter([], [`${blobName(params[0]!)}/hogwild_sync_counter`], { init_count: syncEvery - 1 });
    });
  }

  /** The blob this thread trains: its replica, or the shared parameter without replicas. */
  local(param: BlobLike): BlobReference | string {
    return this._local.get(blobName(param)) ?? param;
  }

  /** Adds the periodic merge (after this batch's updates) and the final merge at thread exit. */
  sync(): void {
    if (this._counter === undefined) return;
    const due = ops.CountDown([this._counter], 1);
    ops.If(due).scope(() => {
      this._merge(true);
      ops.ResetCounter([this._counter!], [], { init_count: this.syncEvery - 1 });
    });
    ops.taskInstanceExit().scope(() => this._merge(false));
  }

  private _merge(refresh: boolean): void {
    for (const p of this.params) {
      const name = blobName(p);
      const local = this._local.get(name)!, base = this._base.get(name)!;
      const delta = ops.Sub([local, base]);
      ops.Add([p, delta], [p]);
      if (refresh) {
        ops.Copy([p], [local]);
        ops.Copy([p], [base]);
      }
    }
  }
}

/** Options of TextClassifier. */
export interface TextClassifierOptions {
  /** Rows of the embedding table (FastTextScan.inputRows). */
  vocab: number;
  dim: number;
  classes: number;
  /** Step size for the batch-mean loss (decays linearly to 0 over totalIterations, like fastText's). */
  learningRate: number;
  /** Batches (all threads together) over which the rate decays; fixed rate when absent. */
  totalIterations?: number;
  seed?: number;
  /** Embedding rows start uniform in ±initRange (default 1/dim, fastText's). */
  initRange?: number;
  /** Blob prefix (default 'textclf'). */
  name?: string;
  /** Dense-parameter scheme: 0 = shared in place; K > 0 = per-thread replicas merged every K batches (default 16). */
  denseSyncEvery?: number;
  /**
   * The first `hotRows` embedding rows (a fastText dictionary numbers words by
   * decreasing count, so these are the most frequent) are trained in
   * per-thread replicas like the dense layer; only the rest is shared in place.
   * 0 (the default) shares the whole table.
   */
  hotRows?: number;
}

/**
 * fastText's supervised model from real ops: the mean of the tokens'
 * embedding rows (SparseLengthsMean), a linear layer (FC), softmax and
 * cross-entropy (SoftmaxWithLoss); gradients from addGradientOperators;
 * sparse rows updated in place (ScatterWeightedSum) by every thread, the
 * output layer through DenseReplicas. Use it as a pipe() processor over
 * records with `label`, `tokens:lengths`, `tokens:values`.
 *
 * @example
 * const clf = new TextClassifier({ vocab: info.inputRows, dim: 16, classes: info.nlabels, learningRate: 8, totalIterations });
 * job.initGroup.scope(() => new Task({ name: 'params' }).scope(() => clf.paramInit(ops.net())));
 * job.scope(() => pipe(train.reader({ batchSize: 64 }), { processor: clf, numThreads: 2 }));
 */
export class TextClassifier implements ProcessorObject {
  readonly name: string;
  /** The shared embedding table (all rows, or the rows from hotRows on). */
  readonly emb: string;
  /** The table of the first hotRows rows (when hotRows > 0). */
  readonly embHot: string;
  readonly w: string;
  readonly b: string;
  private readonly _hot: number;
  private readonly _one: string;
  private readonly _iter: string;
  private readonly _mutex: string;

  constructor(readonly options: TextClassifierOptions) {
    for (const k of ['vocab', 'dim', 'classes'] as const) {
      if (!Number.isInteger(options[k]) || options[k] < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for ${k} but received ${options[k]}`);
    }
    if (!Number.isFinite(options.learningRate) || options.learningRate <= 0) {
      throw new InvalidArgumentError(`Expected a positive learningRate but received ${options.learningRate}`);
    }
    if (options.totalIterations !== undefined && (!Number.isInteger(options.totalIterations) || options.totalIterations < 1)) {
      throw new InvalidArgumentError(`Expected an integer >= 1 for totalIterations but received ${options.totalIterations}`);
    }
    this._hot = options.hotRows ?? 0;
    if (!Number.isInteger(this._hot) || this._hot < 0 || this._hot >= options.vocab) {
      throw new InvalidArgumentError(`Expected an integer hotRows in [0, vocab) but received ${options.hotRows}`);
    }
    this.name = options.name ?? 'textclf';
    this.emb = `${this.name}/emb`;
    this.embHot = `${this.name}/emb_hot`;
    this.w = `${this.name}/out_w`;
    this.b = `${this.name}/out_b`;
    this._one = `${this.name}/one`;
    this._iter = `${this.name}/iter`;
    this._mutex = `${this.name}/iter_mutex`;
  }

  /** The parameter blobs (what a checkpoint of the model holds). */
  get params(): string[] {
    return [...(this._hot > 0 ? [this.embHot] : []), this.emb, this.w, this.b];
  }

  /** Adds the ops that create the parameters (run once, in the init group). */
  paramInit(net: Net): void {
    const { vocab, dim, classes, seed = 0 } = this.options;
    const range = this.options.initRange ?? 1 / dim;
    const h = this._hot;
    if (h > 0) net.UniformFill([], [this.embHot], { shape: [h, dim], min: -range, max: range, seed: seed + 1 });
    net.UniformFill([], [this.emb], { shape: [vocab - h, dim], min: -range, max: range, seed });
    net.ConstantFill([], [this.w], { shape: [classes, dim], value: 0, dtype: 'float32' });
    net.ConstantFill([], [this.b], { shape: [classes], value: 0, dtype: 'float32' });
    net.ConstantFill([], [this._one], { shape: [1], value: 1, dtype: 'float32' });
    net.ConstantFill([], [this._iter], { shape: [1], value: 0, dtype: 'int64' });
    net.CreateMutex([], [this._mutex]);
  }

  /** The training ops for one batch (a pipe processor). */
  process(rec: BlobRecord): void {
    const net = ops.net();
    const hot = this._hot > 0;
    const dense = new DenseReplicas(hot ? [this.embHot, this.w, this.b] : [this.w, this.b], this.options.denseSyncEvery ?? 16);
    const w = dense.local(this.w), b = dense.local(this.b);
    const h = this._pool(net, rec, hot ? dense.local(this.embHot) : undefined);
    const logits = net.FC([h, w, b]);
    const [, loss] = net.SoftmaxWithLoss([logits, rec.field('label')], 2) as unknown as BlobReference[];
    const grads = net.addGradientOperators(loss!);
    const iter = net.op('AtomicIter', [this._mutex, this._iter], [this._iter]) as BlobReference;
    const total = this.options.totalIterations;
    const lr = net.LearningRate([iter], 1, total
      ? { base_lr: -this.options.learningRate, policy: 'linear', num_iter: total }
      : { base_lr: -this.options.learningRate, policy: 'fixed' });
    for (const table of hot ? [dense.local(this.embHot), this.emb] : [this.emb]) {
      const g = grads.get(blobName(table));
      if (!(g instanceof GradientSlice)) throw new InvalidArgumentError(`Expected a sparse gradient for '${blobName(table)}'`);
      net.ScatterWeightedSum([table, this._one, g.indices, g.values, lr], [table]);
    }
    for (const p of [w, b]) {
      const gp = grads.get(blobName(p));
      net.WeightedSum([p, this._one, gp as BlobReference, lr], [p]);
    }
    dense.sync();
  }

  /** The mean of the tokens' rows: one lookup, or the hot rows from `hotTable` plus the rest from the shared table. */
  private _pool(net: Net, rec: BlobRecord, hotTable: BlobLike | undefined): BlobReference {
    const ids = rec.field('tokens:values'), lengths = rec.field('tokens:lengths');
    if (hotTable === undefined) return net.SparseLengthsMean([this.emb, ids, lengths]);
    const [loIds, loW, loLen, hiIds, hiW, hiLen] = net.op('SplitSegments', [ids, lengths], 6, { threshold: this._hot }) as BlobReference[];
    const lo = net.op('SparseLengthsWeightedSum', [hotTable, loW!, loIds!, loLen!]) as BlobReference;
    const hi = net.op('SparseLengthsWeightedSum', [this.emb, hiW!, hiIds!, hiLen!]) as BlobReference;
    return net.Add([lo, hi]);
  }

  /** Ops computing accuracy (float [], top-1) and the mean loss on a whole dataset record. */
  evaluate(net: Net, rec: BlobRecord): { accuracy: BlobReference; loss: BlobReference } {
    const h = this._pool(net, rec, this._hot > 0 ? this.embHot : undefined);
    const logits = net.FC([h, this.w, this.b]);
    const [, loss] = net.SoftmaxWithLoss([logits, rec.field('label')], 2) as unknown as BlobReference[];
    return { accuracy: net.Accuracy([logits, rec.field('label')]), loss: loss! };
  }
}
