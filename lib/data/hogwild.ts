/**
 * Hogwild training helpers for pipe() processors (docs/hogwild.md): per-thread
 * replicas of dense parameters, by hand (`DenseReplicas` inside a processor)
 * or for any processor through pipe()'s `replicate` option.
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
import { ExecutionStep, toExecutionStep } from '../net/ExecutionStep.js';
import { Net } from '../net/Net.js';
import { NetBuilder } from '../net/NetBuilder.js';
import { ops } from '../net/ops.js';
import type { ReadNet } from './Reader.js';

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

/**
 * pipe()'s `replicate` option: per-thread replicas of parameters that every
 * record writes (an output layer, a bias, small dense layers), merged into the
 * shared blobs every `syncEvery` records and when the thread ends.
 */
export interface ReplicateOptions {
  /** Blobs made above the pipe (node parameters) that each thread trains in its own copy. */
  params: readonly BlobLike[];
  /** Records between merges (default 16); 0 turns replicas off (plain Hogwild on the shared blobs). */
  syncEvery?: number;
}

/** Default records between two merges of a thread's replicas. */
export const DEFAULT_SYNC_EVERY = 16;

/**
 * The rewrite behind pipe()'s `replicate`: gives each thread copies of
 * `params` (made at instance init), renames every use of them in the
 * processor's nets (and nested steps) to the copies, and appends the periodic
 * merge. Any processor works unchanged: it is written against the shared
 * names. Call inside the pipe's task (pipe() does).
 * @internal
 */
export function replicateTransform(options: ReplicateOptions): (nets: ReadNet[]) => ReadNet[] {
  const params = checkReplicate(options);
  const syncEvery = options.syncEvery ?? DEFAULT_SYNC_EVERY;
  return (nets) => {
    if (syncEvery === 0 || params.length === 0) return nets;
    const dense = new DenseReplicas(params, syncEvery);
    const rename = new Map(params.map((p) => [blobName(p), blobName(dense.local(p))]));
    let used = false;
    const visit = (n: ReadNet) => {
      if (n instanceof Net) {
        for (const op of n.ops) {
          const mapped = (b: string) => {
            const r = rename.get(b);
            if (r !== undefined) used = true;
            return r ?? b;
          };
          op.inputs = op.inputs.map(mapped);
          op.outputs = op.outputs.map(mapped);
        }
        n._rebuildIndex();
      } else if (n instanceof ExecutionStep) {
        for (const c of n.nets()) visit(c);
        for (const c of n.substeps()) visit(c);
      }
    };
    for (const n of nets) visit(n);
    if (!used) {
      throw new InvalidArgumentError(`Expected the processor to use the replicated parameters (${[...rename.keys()].join(', ')}) but its nets never read or write them`);
    }
    const nb = new NetBuilder({ name: 'hogwild_merge' });
    nb.scope(() => dense.sync());
    return [...nets, ...nb.get().map((c) => (c instanceof Net ? c : toExecutionStep(c)))];
  };
}

function checkReplicate(options: ReplicateOptions): BlobLike[] {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.params)) {
    throw new InvalidArgumentError(`Expected replicate to be { params: [...], syncEvery? } but received ${String(options)}`);
  }
  const se = options.syncEvery ?? DEFAULT_SYNC_EVERY;
  if (!Number.isInteger(se) || se < 0) throw new InvalidArgumentError(`Expected an integer >= 0 for replicate.syncEvery but received ${String(se)}`);
  const names = options.params.map((p) => blobName(p));
  if (new Set(names).size !== names.length) throw new InvalidArgumentError(`Expected distinct blobs in replicate.params but received ${names.join(', ')}`);
  return [...options.params];
}
