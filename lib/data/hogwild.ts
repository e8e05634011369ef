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

/**
 * The first `count` rows of an embedding table, replicated per thread (pipe()'s
 * `replicate.rows`): with ids numbered by decreasing frequency (fastText's
 * dictionary) they are the rows almost every batch touches.
 */
export interface RowReplicaSpec {
  /** The table (made above the pipe), read by SparseLengthsSum/Mean/WeightedSum and updated by ScatterWeightedSum. */
  param: BlobLike;
  /** Rows replicated, from row 0 (an integer >= 1, at most the table's rows). */
  count: number;
}

/** A thread's replica of a table's first rows: the ids of those rows, the replica and its base. */
interface RowReplica {
  readonly rows: BlobReference;
  readonly local: BlobReference;
  readonly base: BlobReference;
  readonly count: number;
}

/** Per-thread replicas of dense parameters (and of tables' first rows), merged every `syncEvery` batches. Build inside a processor. */
export class DenseReplicas {
  private readonly _local = new Map<string, BlobReference>();
  private readonly _base = new Map<string, BlobReference>();
  private readonly _rows = new Map<string, RowReplica>();
  private readonly _counter: BlobReference | undefined;
  private _one: BlobReference | undefined;

  /** `syncEvery` 0 means no replicas: `local(p)` is `p` itself (plain Hogwild on the shared blob). */
  constructor(
    readonly params: readonly BlobLike[],
    readonly syncEvery: number,
    readonly rows: readonly RowReplicaSpec[] = [],
  ) {
    if (!Number.isInteger(syncEvery) || syncEvery < 0) throw new InvalidArgumentError(`Expected an integer >= 0 for syncEvery but received ${syncEvery}`);
    if (syncEvery === 0) return;
    const first = params[0] ?? rows[0]?.param;
    if (first === undefined) throw new InvalidArgumentError('Expected at least one parameter or table to replicate');
    this._counter = ops.taskInstanceInit().scope(() => {
      for (const p of params) {
        const name = blobName(p);
        this._local.set(name, ops.Copy([p], [`${name}/hogwild_local`]));
        this._base.set(name, ops.Copy([p], [`${name}/hogwild_base`]));
      }
      if (rows.length > 0) this._one = ops.ConstantFill([], ['hogwild/replica_one'], { shape: [], value: 1, dtype: 'float32' });
      for (const { param, count } of rows) {
        const name = blobName(param);
        const ids = ops.GivenTensorIntFill([], [`${name}/hogwild_rows`], { shape: [count], values: Array.from({ length: count }, (_, i) => i) });
        const local = ops.Gather([param, ids], [`${name}/hogwild_rows_local`]);
        this._rows.set(name, { rows: ids, local, base: ops.Copy([local], [`${name}/hogwild_rows_base`]), count });
      }
      return ops.CreateCounter([], [`${blobName(first)}/hogwild_sync_counter`], { init_count: syncEvery - 1 });
    });
  }

  /** This thread's replica of the first rows of `table` (undefined when its rows are not replicated). */
  rowReplica(table: BlobLike): string | undefined {
    return this._rows.get(blobName(table))?.local.name;
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
    // Rows: table[0:count] += local - base (a Hogwild write, like the updates), then refresh.
    for (const { param } of this.rows) {
      const r = this._rows.get(blobName(param))!;
      const delta = ops.Sub([r.local, r.base]);
      ops.ScatterWeightedSum([param, this._one!, r.rows, delta, this._one!], [param]);
      if (refresh) {
        ops.Gather([param, r.rows], [r.local]);
        ops.Copy([r.local], [r.base]);
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
  /**
   * Embedding tables whose first rows each thread trains in its own copy (the
   * hot rows of a vocabulary numbered by decreasing frequency); the other rows
   * stay shared in place. The table may be read only by SparseLengthsSum/Mean/
   * WeightedSum and updated only by ScatterWeightedSum (plain SGD).
   */
  rows?: readonly RowReplicaSpec[];
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
  const rows = checkRows(options, params);
  const syncEvery = options.syncEvery ?? DEFAULT_SYNC_EVERY;
  return (nets) => {
    if (syncEvery === 0 || (params.length === 0 && rows.length === 0)) return nets;
    const dense = new DenseReplicas(params, syncEvery, rows);
    const rename = new Map(params.map((p) => [blobName(p), blobName(dense.local(p))]));
    const tables = new Set(rows.map((r) => blobName(r.param)));
    let used = params.length === 0;
    const unusedTables = new Set(tables);
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
          const table = op.inputs.find((b) => tables.has(b)) ?? op.outputs.find((b) => tables.has(b));
          if (table !== undefined) {
            addRowReplica(op, table, dense.rowReplica(table)!);
            unusedTables.delete(table);
          }
        }
        n._rebuildIndex();
      } else if (n instanceof ExecutionStep) {
        for (const c of n.nets()) visit(c);
        for (const c of n.substeps()) visit(c);
      }
    };
    for (const n of nets) visit(n);
    if (unusedTables.size > 0) {
      throw new InvalidArgumentError(`Expected the processor to use the row-replicated tables (${[...unusedTables].join(', ')}) but its nets never read or write them`);
    }
    if (!used) {
      throw new InvalidArgumentError(`Expected the processor to use the replicated parameters (${[...rename.keys()].join(', ')}) but its nets never read or write them`);
    }
    const nb = new NetBuilder({ name: 'hogwild_merge' });
    nb.scope(() => dense.sync());
    return [...nets, ...nb.get().map((c) => (c instanceof Net ? c : toExecutionStep(c)))];
  };
}

const ROW_READERS = new Set(['SparseLengthsSum', 'SparseLengthsMean', 'SparseLengthsWeightedSum']);

/** Points a read or an update of a row-replicated table at this thread's replica too (the op routes the first rows to it). */
function addRowReplica(op: { type: string; inputs: string[]; outputs: string[]; args?: Record<string, unknown> }, table: string, replica: string): void {
  const uses = op.inputs.filter((b) => b === table).length;
  const reads = ROW_READERS.has(op.type) && op.inputs[0] === table && uses === 1 && !op.outputs.includes(table);
  const updates = op.type === 'ScatterWeightedSum' && op.inputs[0] === table && op.outputs[0] === table && uses === 1 && op.outputs.length === 1;
  if (!reads && !updates) {
    throw new InvalidArgumentError(
      `Expected replicate.rows table '${table}' to be read only by ${[...ROW_READERS].join('/')} (input 0) and updated only by ScatterWeightedSum, but ${op.type} uses it`,
    );
  }
  if (updates) op.args = { ...op.args, row_replica: 1 };
  op.inputs = [...op.inputs, replica];
}

function checkRows(options: ReplicateOptions, params: readonly BlobLike[]): RowReplicaSpec[] {
  const rows = options.rows ?? [];
  if (!Array.isArray(rows)) throw new InvalidArgumentError(`Expected replicate.rows to be a list of { param, count } but received ${String(rows)}`);
  const dense = new Set(params.map((p) => blobName(p)));
  const seen = new Set<string>();
  for (const r of rows as readonly RowReplicaSpec[]) {
    const name = r && typeof r === 'object' ? blobName(r.param) : undefined;
    if (name === undefined || !Number.isInteger(r.count) || r.count < 1) {
      throw new InvalidArgumentError(`Expected replicate.rows entries { param, count >= 1 } but received ${JSON.stringify(r)}`);
    }
    if (dense.has(name) || seen.has(name)) throw new InvalidArgumentError(`Expected '${name}' once in replicate.params and replicate.rows but it is listed twice`);
    seen.add(name);
  }
  return [...(rows as readonly RowReplicaSpec[])];
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
