import { inspect } from 'node:util';

import { InvalidArgumentError, PlanError } from '../errors/index.js';
import type { ArgValue, DType, NetDef, OpDef } from '../native/coreTypes.js';
import { BlobReference, blobName, type BlobLike } from './BlobReference.js';
import { constOp, type ConstValue } from './constValue.js';
import { addGradientOperators, type GradientOptions, type GradientRef } from './gradients.js';
import { NameRegistry } from './NameRegistry.js';
import { netBuilderSlot } from '../context/slots.js';
import type { KnownOps } from './opTypes.js';
import { schemaOf } from '../runtime/opRegistry.js';

/** Op arguments; `undefined` entries are dropped. */
export type OpArgs = Record<string, ArgValue | undefined>;
/** One blob or a list of blobs. */
export type OpInputs = BlobLike | readonly BlobLike[];
/** Explicit output names, or a count of auto-named outputs (docs/caffe2.md §1.2). */
export type OpOutputs = BlobLike | readonly BlobLike[] | number;

/** Options of `net.Const`. */
export interface ConstOptions {
  /** Write into this blob instead of an auto-named one. */
  blobOut?: BlobLike;
  /** Element type; by default from the value (integers → int64, other numbers → float32). */
  dtype?: DType | 'string';
}

/** Options of `new Net()`. */
export interface NetOptions {
  /** Name counters to use (default: the active Job's). */
  names?: NameRegistry;
  /** Prefix the name with the active NetBuilder's (default true). */
  builderPrefix?: boolean;
}

/**
 * An ordered list of ops over blob names (docs/caffe2.md §1.2). Every registered op
 * is a method: `net.FC([x, w, b])` appends an FC op and returns its output.
 * Outputs left out are named `<net>/<OpType>` (`:<i>` per output when a count
 * is given); clashes get `_2`, `_3`, ….
 *
 * The net name is `<active NetBuilder>/<name>`, made unique within the
 * active Job (not process-wide as in Caffe2), so names are reproducible.
 *
 * @example
 * const net = new Net('train');
 * const h = net.FC(['x', 'w', 'b']);          // 'train/FC'
 * const y = net.Relu(h, 'y');                 // 'y'
 * const two = net.Const(2);                   // 'train/GivenTensorInt64Fill:0'
 */
export class Net {
  readonly name: string;
  private readonly _ops: OpDef[] = [];
  private readonly _defined = new Set<string>();
  private readonly _external = new Set<string>();
  private readonly _nextIds = new Map<string, number>();
  private readonly _attributes = new Map<string, unknown[]>();
  private _nextBlobIndex = 0;

  constructor(name?: string | null, options: NetOptions = {}) {
    const prefix = options.builderPrefix === false ? undefined : netBuilderSlot.current(undefined, { required: false })?.name;
    const base = [prefix, name].filter((x) => x).join('/') || 'net';
    this.name = (options.names ?? NameRegistry.current()).nextNetName(base);
  }

  /** Appends an op of any registered type; returns its output (or outputs when not exactly one). */
  op(type: string, inputs?: OpInputs | null, outputs?: OpOutputs | null, args?: OpArgs): BlobReference | BlobReference[] {
    const refs = this.addOp(type, inputs, outputs, args);
    return refs.length === 1 ? refs[0]! : refs;
  }

  /** Like `op()` but always returns the list of outputs. @internal */
  addOp(type: string, inputs?: OpInputs | null, outputs?: OpOutputs | null, args?: OpArgs): BlobReference[] {
    const ins = toNames(inputs, `inputs of ${type}`);
    let outs: string[];
    if (outputs === undefined || outputs === null) outs = [this.nextName(type)];
    else if (typeof outputs === 'number') {
      if (!Number.isInteger(outputs) || outputs < 0) {
        throw new InvalidArgumentError(`Expected a count >= 0 for outputs of ${type} but received ${outputs}`);
      }
      outs = Array.from({ length: outputs }, (_, i) => this.nextName(type, i));
    } else outs = toNames(outputs, `outputs of ${type}`);
    const cleanArgs: Record<string, ArgValue> = {};
    for (const [k, v] of Object.entries(args ?? {})) if (v !== undefined) cleanArgs[k] = v;
    checkSchema(type, ins.length, outs.length, cleanArgs);
    for (const i of ins) if (!this._defined.has(i)) this._external.add(i);
    for (const o of outs) this._defined.add(o);
    const def: OpDef = { type, inputs: ins, outputs: outs };
    if (Object.keys(cleanArgs).length > 0) def.args = cleanArgs;
    this._ops.push(def);
    return outs.map((o) => new BlobReference(o, this));
  }

  /**
   * A constant blob (Caffe2's `Net.Const`): a bool gives a bool ConstantFill,
   * otherwise a GivenTensor*Fill of the value's type, named `<net>/<Fill>:0`.
   */
  Const(value: ConstValue, options: BlobLike | ConstOptions = {}): BlobReference {
    const o: ConstOptions = typeof options === 'string' || options instanceof BlobReference ? { blobOut: options } : options;
    const { type, args } = constOp(value, o.dtype);
    const [out] = this.addOp(type, [], o.blobOut ?? 1, args);
    return out!;
  }

  /**
   * Caffe2's `NextName`: `<net>/<prefix>[:id]`, with `_2`, `_3`, … while the
   * name is already an output of this net. Without a prefix: `<net>_blob_<n>`.
   */
  nextName(prefix?: string, outputId?: number): string {
    if (!prefix) return `${this.name}_blob_${this._nextBlobIndex++}`;
    const base = `${this.name}/${prefix}`;
    const suffix = outputId === undefined ? '' : `:${outputId}`;
    const key = base + suffix;
    let name = key;
    let index = this._nextIds.get(key) ?? 2;
    while (this._defined.has(name)) {
      name = `${base}_${index}${suffix}`;
      index += 1;
      this._nextIds.set(key, index);
    }
    return name;
  }

  /** `prefix` itself when no op of this net outputs it, else `prefix_auto_<n>`. */
  nextScopedBlob(prefix: string): BlobReference {
    let name = prefix;
    for (let n = 0; this._defined.has(name); n++) name = `${prefix}_auto_${n}`;
    return new BlobReference(name, this);
  }

  /** True when an op of this net outputs `blob`. */
  blobIsDefined(blob: BlobLike): boolean {
    return this._defined.has(blobName(blob));
  }

  /** Blobs read before any op of this net wrote them, in order of first use. */
  externalInputs(): string[] {
    return [...this._external];
  }

  /** Every blob an op of this net writes. */
  outputBlobs(): string[] {
    return [...this._defined];
  }

  /** Every blob this net reads or writes. */
  usedBlobNames(): Set<string> {
    return new Set([...this._external, ...this._defined]);
  }

  /** The ops so far (do not mutate). */
  get ops(): readonly OpDef[] {
    return this._ops;
  }

  /** Appends every op of `other` to this net. */
  appendNet(other: Net): this {
    for (const op of other.ops) this.addOp(op.type, op.inputs, op.outputs, op.args);
    for (const [k, list] of other._attributes) for (const v of list) this.addAttribute(k, v);
    return this;
  }

  /** A plain-data copy for a plan. */
  proto(): NetDef {
    return { name: this.name, ops: this._ops.map(copyOp) };
  }

  /** Attaches a setup hook or report step (docs/caffe2.md §3.6). */
  addAttribute(key: string, obj: unknown): void {
    let list = this._attributes.get(key);
    if (!list) this._attributes.set(key, (list = []));
    list.push(obj);
  }

  getAttributes(key: string): unknown[] {
    return [...(this._attributes.get(key) ?? [])];
  }

  /** @internal Appends gradient ops without re-validating (used by addGradientOperators). */
  _appendRaw(def: OpDef): void {
    for (const i of def.inputs) if (!this._defined.has(i)) this._external.add(i);
    for (const o of def.outputs) this._defined.add(o);
    this._ops.push(def);
  }

  /** @internal Recomputes the defined/external blob sets after ops were renamed in place. */
  _rebuildIndex(): void {
    this._defined.clear();
    this._external.clear();
    for (const op of this._ops) {
      for (const i of op.inputs) if (!this._defined.has(i)) this._external.add(i);
      for (const o of op.outputs) this._defined.add(o);
    }
  }

  /** Appends the gradient ops of this net's ops with respect to `losses` (see addGradientOperators). */
  addGradientOperators(losses: BlobLike | readonly BlobLike[], options?: GradientOptions): Map<string, GradientRef> {
    return addGradientOperators(this, losses, options);
  }

  toString(): string {
    return this.name;
  }

  [inspect.custom](): string {
    return `Net(${this.name}, ${this._ops.length} ops)`;
  }
}

// Every registered op is reachable as a method (net.FC, net.Relu, …): a Proxy
// sits at the end of the prototype chain and answers capitalized names that the
// class itself does not define. Types for the common ops come from KnownOps.
const opMethods = new Map<string, (this: Net, ...a: unknown[]) => unknown>();
Object.setPrototypeOf(
  Net.prototype,
  new Proxy(Object.prototype, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^[A-Z]/.test(prop)) {
        let fn = opMethods.get(prop);
        if (!fn) {
          fn = function (this: Net, inputs?: unknown, outputs?: unknown, args?: unknown) {
            return this.op(prop, inputs as OpInputs, outputs as OpOutputs, args as OpArgs);
          };
          opMethods.set(prop, fn);
        }
        return fn;
      }
      return Reflect.get(target, prop, receiver);
    },
  }),
);

// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Net extends KnownOps {}

function copyOp(op: OpDef): OpDef {
  const c: OpDef = { type: op.type, inputs: [...op.inputs], outputs: [...op.outputs] };
  if (op.args) c.args = { ...op.args };
  if (op.name) c.name = op.name;
  return c;
}

function toNames(v: OpInputs | null | undefined, what: string): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? (v as readonly BlobLike[]) : [v as BlobLike];
  return list.map((b) => {
    if (typeof b === 'string' && b.length > 0) return b;
    if (b instanceof BlobReference) return b.name;
    throw new InvalidArgumentError(
      `Expected blob names or BlobReferences for ${what} but received ${inspect(b)} of type ${typeof b}`,
    );
  });
}

function checkSchema(type: string, nIn: number, nOut: number, args: Record<string, ArgValue>): void {
  const s = schemaOf(type);
  if (s === undefined) return;
  if (s === null) {
    throw new PlanError('HOGWILD_UNKNOWN_OP', `Expected a registered operator type but received '${type}'`);
  }
  const range = (lo: number, hi: number) => (lo === hi ? `${lo}` : hi >= 2 ** 31 - 1 ? `at least ${lo}` : `${lo} to ${hi}`);
  if (nIn < s.minInputs || nIn > s.maxInputs) {
    throw new InvalidArgumentError(`Expected ${range(s.minInputs, s.maxInputs)} inputs for ${type} but received ${nIn}`);
  }
  if (nOut < s.minOutputs || nOut > s.maxOutputs) {
    throw new InvalidArgumentError(`Expected ${range(s.minOutputs, s.maxOutputs)} outputs for ${type} but received ${nOut}`);
  }
  if (!s.anyArgs) {
    for (const k of Object.keys(args)) {
      if (!s.args.includes(k)) {
        throw new PlanError(
          'HOGWILD_UNKNOWN_ARGUMENT',
          `Expected one of ${s.args.map((a) => `'${a}'`).join(', ')} as argument of ${type} but received '${k}'`,
        );
      }
    }
  }
}
