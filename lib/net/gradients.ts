/**
 * Reverse-mode gradients for a Net (Caffe2's `AddGradientOperators`), built from
 * the native gradient registry (`gradientFor`).
 *
 * The forward ops are read in SSA form (a blob written twice has two versions),
 * then walked in reverse. Each op's gradient ops get the gradients of its
 * outputs and report, per input, a dense gradient blob, a sparse one (row
 * indices + rows) or none. A blob version that receives several gradients
 * (a weight shared by two ops) gets them summed: dense parts with `Sum`;
 * sparse parts concatenated (`Concat`) when they are all sparse and the op
 * exists, and otherwise densified and summed. Densifying is Caffe2's
 * `SparseToDense(indices, values, blob)`: zeros shaped like the blob, with
 * each row added at its index (duplicates add up), in the values' dtype, so a
 * float64 embedding gets a float64 dense gradient.
 *
 * Pruning: only blob versions that some parameter reaches through
 * differentiable ops get a gradient; each gradient maker is told which of its
 * inputs those are (FCGradient then skips dX for a data input), and an op none
 * of whose inputs is reached emits nothing. Parameters are `options.params`, or
 * by default every blob the net reads before writing it.
 */
import { InvalidArgumentError, PlanError } from '../errors/index.js';
import type { GradientSpec, OpDef } from '../native/coreTypes.js';
import { BlobReference, blobName, type BlobLike } from './BlobReference.js';
import type { Net } from './Net.js';
import { gradientOf, registryAvailable, schemaOf } from '../runtime/opRegistry.js';

/**
 * A sparse gradient: rows `values` for the row indices `indices` of a
 * parameter (Caffe2's GradientSlice). Duplicate indices add up.
 *
 * @example
 * const g = grads.get('emb');
 * if (g instanceof GradientSlice) net.SparseAdagrad([emb, moment, g.indices, g.values, lr], [emb, moment]);
 */
export class GradientSlice {
  constructor(
    readonly indices: BlobReference,
    readonly values: BlobReference,
  ) {}
}

/** The gradient of a blob: a dense blob or a sparse slice. */
export type GradientRef = BlobReference | GradientSlice;

type Contribution =
  | { kind: 'dense'; name: string; group: OpDef[] }
  | { kind: 'sparse'; indices: string; values: string; group: OpDef[] };

interface VersionGrads {
  blob: string;
  contributions: Contribution[];
  resolved?: GradientRef;
}

/** Renames `from` to `to` in a gradient op group: outputs, and inputs read after the first write. */
function renameInGroup(group: OpDef[], from: string, to: string): void {
  let written = false;
  for (const op of group) {
    if (written) op.inputs = op.inputs.map((i) => (i === from ? to : i));
    if (op.outputs.includes(from)) {
      op.outputs = op.outputs.map((o) => (o === from ? to : o));
      written = true;
    }
  }
}

class GradientBuilder {
  private readonly grads = new Map<string, VersionGrads>();
  private readonly pending = new Map<string, Contribution>();
  private splitCounter = 0;

  constructor(private readonly net: Net) {}

  emit(type: string, inputs: string[], outputs: string[], args?: OpDef['args']): OpDef {
    const op: OpDef = { type, inputs, outputs };
    if (args) op.args = args;
    this.net._appendRaw(op);
    return op;
  }

  key(blob: string, version: number): string {
    return `${version}\u0000${blob}`;
  }

  private entry(blob: string, version: number): VersionGrads {
    const k = this.key(blob, version);
    let e = this.grads.get(k);
    if (!e) this.grads.set(k, (e = { blob, contributions: [] }));
    return e;
  }

  /** A fresh name for `name` when another pending gradient already uses it. */
  private unique(name: string, group: OpDef[]): string {
    const clash = this.pending.get(name);
    if (!clash) return name;
    const to = `${name}_autosplit_${++this.splitCounter}`;
    renameInGroup(group, name, to);
    return to;
  }

  /** Records one gradient contribution for (blob, version). */
  contribute(blob: string, version: number, spec: GradientSpec, group: OpDef[]): void {
    const e = this.entry(blob, version);
    if (e.resolved) {
      throw new PlanError('HOGWILD_INVALID_PLAN', `Expected the gradient of '${blob}' to be complete when a new one arrived`);
    }
    let c: Contribution;
    if (spec.kind === 'dense') {
      if (!spec.dense) return;
      if (e.contributions.some((x) => x.kind === 'dense' && x.name === spec.dense && x.group === group)) return;
      c = { kind: 'dense', name: this.unique(spec.dense, group), group };
      this.pending.set(c.name, c);
    } else if (spec.kind === 'sparse') {
      if (!spec.indices || !spec.values) return;
      if (e.contributions.some((x) => x.kind === 'sparse' && x.values === spec.values && x.group === group)) return;
      c = { kind: 'sparse', indices: spec.indices, values: this.unique(spec.values, group), group };
      this.pending.set(c.values, c);
    } else return;
    e.contributions.push(c);
  }

  /** Releases the pending names of (blob, version) once its gradient was consumed. */
  consume(blob: string, version: number): void {
    const e = this.grads.get(this.key(blob, version));
    if (!e) return;
    for (const c of e.contributions) this.pending.delete(c.kind === 'dense' ? c.name : c.values);
  }

  /**
   * A sparse contribution as a dense blob shaped like `blob` (rows added at
   * their indices, duplicates summed), in the dtype of its values: never a
   * fixed float32 fill, which broke float64 parameters.
   */
  private densify(blob: string, c: Extract<Contribution, { kind: 'sparse' }>): string {
    const dense = `${c.values}_dense`;
    this.emit('SparseToDense', [c.indices, c.values, blob], [dense]);
    return dense;
  }

  /** The gradient of (blob, version), summing contributions once. `dense` forces a dense blob. */
  resolve(blob: string, version: number, dense: boolean): GradientRef | undefined {
    const e = this.grads.get(this.key(blob, version));
    if (!e || e.contributions.length === 0) return undefined;
    if (e.resolved && (!dense || e.resolved instanceof BlobReference)) return e.resolved;
    const cs = e.contributions;
    const sparse = cs.filter((c) => c.kind === 'sparse');
    let out: GradientRef;
    if (cs.length === 1 && cs[0]!.kind === 'dense') out = new BlobReference(cs[0]!.name, this.net);
    else if (sparse.length === cs.length && !dense && (cs.length === 1 || this.canConcat())) {
      if (cs.length === 1) out = new GradientSlice(new BlobReference(sparse[0]!.indices, this.net), new BlobReference(sparse[0]!.values, this.net));
      else {
        const base = `${blob}_grad`;
        const idx = `${base}_indices_concat`;
        const val = `${base}_values_concat`;
        this.emit('Concat', sparse.map((c) => c.indices), [idx, `${idx}_split`], { axis: 0 });
        this.emit('Concat', sparse.map((c) => c.values), [val, `${val}_split`], { axis: 0 });
        out = new GradientSlice(new BlobReference(idx, this.net), new BlobReference(val, this.net));
      }
    } else {
      const names = cs.map((c) => (c.kind === 'dense' ? c.name : this.densify(blob, c)));
      if (names.length === 1) out = new BlobReference(names[0]!, this.net);
      else {
        // The first dense contribution keeps the conventional name; rename it so Sum can write it.
        const first = cs.find((c) => c.kind === 'dense') as Extract<Contribution, { kind: 'dense' }> | undefined;
        const target = first ? first.name : `${blob}_grad`;
        if (first) {
          const renamed = `${first.name}_autosplit_0`;
          renameInGroup(first.group, first.name, renamed);
          names[names.indexOf(first.name)] = renamed;
          this.pending.delete(first.name);
          first.name = renamed;
        }
        this.emit('Sum', names, [target]);
        out = new BlobReference(target, this.net);
      }
    }
    e.resolved = out;
    return out;
  }

  private canConcat(): boolean {
    const s = schemaOf('Concat');
    return !!s && s.minOutputs <= 2 && s.maxOutputs >= 2;
  }

  /** Gradients of the lowest version of every blob that got one. */
  results(): Map<string, GradientRef> {
    const lowest = new Map<string, number>();
    for (const [k, e] of this.grads) {
      if (e.contributions.length === 0) continue;
      const v = Number(k.slice(0, k.indexOf('\u0000')));
      const prev = lowest.get(e.blob);
      if (prev === undefined || v < prev) lowest.set(e.blob, v);
    }
    const out = new Map<string, GradientRef>();
    for (const [blob, v] of lowest) {
      const g = this.resolve(blob, v, false);
      if (g) out.set(blob, g);
    }
    return out;
  }
}

/** Options of addGradientOperators. */
export interface GradientOptions {
  /** Initial gradients per loss (default: ones shaped like the loss, `<loss>_autogen_grad`). */
  initialGradients?: Record<string, BlobLike>;
  /**
   * The blobs to differentiate with respect to. Only they, and blobs computed
   * from them by differentiable ops, get gradients: data inputs, labels and
   * constants get none, and no work is spent on them. Default: every blob the
   * net reads before writing it (and nothing it computes from non-differentiable
   * ops only, such as readers and fills).
   */
  params?: readonly BlobLike[];
}

/**
 * Per op input: whether a parameter reaches it (its gradient is wanted). An op
 * output is reached when the op has a gradient and one of its inputs is.
 */
function reachedInputs(forward: readonly OpDef[], inVersions: number[][], outVersions: number[][], params: Set<string> | undefined): boolean[][] {
  const reached = new Set<string>();
  const key = (blob: string, v: number) => `${v}\u0000${blob}`;
  const isReached = (blob: string, v: number) => (params ? params.has(blob) || reached.has(key(blob, v)) : v === 0 || reached.has(key(blob, v)));
  return forward.map((op, i) => {
    const wanted = op.inputs.map((blob, k) => isReached(blob, inVersions[i]![k]!));
    if (schemaOf(op.type)?.hasGradient && wanted.some(Boolean)) op.outputs.forEach((o, j) => reached.add(key(o, outVersions[i]![j]!)));
    return wanted;
  });
}

/**
 * Appends to `net` the gradient ops of its ops with respect to `losses` and
 * returns the gradient of every blob that has one (keyed by blob name).
 *
 * @example
 * const [, loss] = net.SoftmaxWithLoss([logits, label], ['probs', 'loss']);
 * const grads = addGradientOperators(net, loss);
 * grads.get('fc_w'); // BlobReference 'fc_w_grad'
 */
export function addGradientOperators(net: Net, losses: BlobLike | readonly BlobLike[], options: GradientOptions = {}): Map<string, GradientRef> {
  if (!registryAvailable()) {
    throw new PlanError('HOGWILD_UNKNOWN_OP', 'Expected the native op registry for addGradientOperators but the addon is not loaded');
  }
  const lossList = (Array.isArray(losses) ? losses : [losses]) as readonly BlobLike[];
  if (lossList.length === 0) throw new InvalidArgumentError('Expected at least one loss for addGradientOperators but received none');
  const forward = net.ops.slice();

  // SSA versions: the version each op reads and writes.
  const version = new Map<string, number>();
  const inVersions: number[][] = [];
  const outVersions: number[][] = [];
  for (const op of forward) {
    inVersions.push(op.inputs.map((i) => version.get(i) ?? 0));
    outVersions.push(
      op.outputs.map((o) => {
        const v = (version.get(o) ?? 0) + 1;
        version.set(o, v);
        return v;
      }),
    );
  }

  for (const p of options.params ?? []) {
    if (!(typeof p === 'string' || p instanceof BlobReference) || blobName(p) === '') {
      throw new InvalidArgumentError(`Expected blob names or references in params of addGradientOperators but received ${String(p)}`);
    }
  }
  const params = options.params ? new Set(options.params.map(blobName)) : undefined;
  const wantedOf = reachedInputs(forward, inVersions, outVersions, params);

  const b = new GradientBuilder(net);
  for (const l of lossList) {
    const loss = blobName(l);
    if (!version.has(loss)) {
      throw new InvalidArgumentError(`Expected a loss produced by an op of net '${net.name}' but nothing there writes '${loss}'`);
    }
    const given = options.initialGradients?.[loss];
    let g: string;
    const group: OpDef[] = [];
    if (given !== undefined) g = blobName(given);
    else {
      g = `${loss}_autogen_grad`;
      group.push(b.emit('ConstantFill', [loss], [g], { value: 1, dtype: 'float32' }));
    }
    b.contribute(loss, version.get(loss)!, { kind: 'dense', dense: g }, group);
  }

  for (let i = forward.length - 1; i >= 0; i--) {
    const op = forward[i]!;
    const outGrads = op.outputs.map((o, j) => {
      const g = b.resolve(o, outVersions[i]![j]!, true);
      return g ? (g as BlobReference).name : '';
    });
    if (outGrads.every((g) => g === '')) continue;
    const schema = schemaOf(op.type);
    if (!schema) throw new PlanError('HOGWILD_UNKNOWN_OP', `Expected a registered operator type but received '${op.type}'`);
    op.outputs.forEach((o, j) => b.consume(o, outVersions[i]![j]!));
    const wanted = wantedOf[i]!;
    if (!schema.hasGradient || !wanted.some(Boolean)) continue;
    const { ops: gradOps, inputs: specs } = gradientOf(op, outGrads, wanted);
    const group = gradOps.map((g) => ({ ...g, inputs: [...g.inputs], outputs: [...g.outputs] }));
    specs.forEach((spec, k) => {
      const input = op.inputs[k];
      if (input !== undefined && wanted[k]) b.contribute(input, inVersions[i]![k]!, spec, group);
    });
    for (const g of group) net._appendRaw(g);
  }
  const results = b.results();
  net._rebuildIndex();
  return results;
}
