/**
 * Processors of pipe() (docs/caffe2.md §8.3): what turns each record read into
 * ops. A processor is called once, at build time, inside a fresh NetBuilder
 * (so it may use `ops.*`); the ops it builds then run natively on every read.
 */
import { inspect } from 'node:util';

import { InvalidArgumentError, PlanError } from '../errors/index.js';
import { SetupKey } from '../job/setupKeys.js';
import { BlobReference, blobName, type BlobLike } from '../net/BlobReference.js';
import { ExecutionStep, toExecutionStep } from '../net/ExecutionStep.js';
import { Net } from '../net/Net.js';
import { NetBuilder } from '../net/NetBuilder.js';
import { Reader, type ReadNet, type ReadResult } from './Reader.js';
import { BlobRecord, Scalar, Struct, type Field } from './schema.js';

/**
 * What a processor returns: an Output, a record, `[record, stopBlob]`,
 * `[nets, record]`, `[nets, record, stopBlob]`, a list of nets (no record),
 * or nothing (the ops it added are the nets and no record comes out). As in
 * Caffe2's normalize_processor_output, where a tuple that is not
 * (record, stop blob) is `Output(*tuple)`.
 */
export type ProcessorResult =
  | Output
  | BlobRecord
  | readonly [BlobRecord, BlobReference]
  | readonly [readonly ReadNet[] | null, BlobRecord | null]
  | readonly [readonly ReadNet[] | null, BlobRecord | null, BlobReference | null]
  | readonly ReadNet[]
  | void
  | undefined
  | null;

export type ProcessorFn = (record: BlobRecord) => ProcessorResult;

/** A processor object: `process` is called once per pipe at build time. */
export interface ProcessorObject {
  process(record: BlobRecord): ProcessorResult;
  name?: string;
  /** LOCAL_SETUP hook: ops added to (or nets returned for) the node's init, once per TaskGroup run. */
  setup?(initNet: Net): unknown;
  schema?(): Field | undefined;
}

export type ProcessorLike = ProcessorFn | ProcessorObject | Net | NetProcessor;

/** The explicit form of a processor's result. */
export class Output {
  constructor(
    readonly nets?: readonly ReadNet[] | null,
    readonly record?: BlobRecord | null,
    readonly shouldStop?: BlobReference | null,
  ) {}
}

/** A processor as ProcessingReader uses it. */
export interface Processor {
  call(record: BlobRecord): ProcessorResult;
  hook?: ProcessorObject;
}

export function makeProcessor(p: ProcessorLike, _reader?: Reader): Processor {
  if (p instanceof Net) return makeProcessor(new NetProcessor(p));
  if (p instanceof NetProcessor) return { call: (r) => p.process(r), hook: p };
  if (typeof p === 'function') return { call: p };
  if (p && typeof (p as ProcessorObject).process === 'function') {
    const o = p as ProcessorObject;
    return { call: (r) => o.process(r), ...(typeof o.setup === 'function' ? { hook: o } : {}) };
  }
  throw new InvalidArgumentError(`Expected a processor (a function, a Net, a NetProcessor or { process(record) }) but received ${inspect(p, { depth: 0 })}`);
}

/** The name of a processor, reader or writer for task names: `.name`, else the class (or function) name. */
export function processorName(p: unknown): string {
  const named = (p as { name?: unknown } | null)?.name;
  if (typeof named === 'string' && named) return named;
  if (typeof p === 'function') return 'function';  // an anonymous function, as in Python 3
  return (p as object | null)?.constructor?.name ?? String(p);
}

/** A reader whose records go through a processor. */
export class ProcessingReader extends Reader {
  /** `transform` rewrites the processor's nets once built (pipe()'s `replicate` option). */
  constructor(
    readonly reader: Reader,
    readonly processor: Processor,
    private readonly _transform?: (nets: ReadNet[]) => ReadNet[],
  ) {
    super();
  }

  override schema(): Field {
    const s = this.processor.hook?.schema?.();
    return s ?? super.schema();
  }

  override setupEx(initNet: Net, finishNet: Net): void {
    this.reader.setupEx(initNet, finishNet);
  }

  override readEx(initNet: Net, exitNet: Net): ReadResult {
    const inner = this.reader.readRecordEx(initNet, exitNet);
    const record = inner.record ?? new BlobRecord(new Struct(inner.fields.map((_, i) => [`field_${i}`, new Scalar('float32')] as const)), inner.fields);
    const nb = new NetBuilder();
    const raw = nb.scope(() => this.processor.call(record));
    const result = normalize(raw, nb);
    const nets: ReadNet[] = [...inner.nets, ...(this._transform ? this._transform(result.nets) : result.nets)];
    const stopBlob = nb.stopBlobRef;
    if (result.shouldStop || stopBlob) {
      const stopNet = new Net('stop_net');
      if (result.shouldStop) stopNet.Or([inner.shouldStop, result.shouldStop], [inner.shouldStop]);
      if (stopBlob) stopNet.Or([inner.shouldStop, stopBlob], [inner.shouldStop]);
      nets.push(stopNet);
    }
    if (this.processor.hook?.setup) initNet.addAttribute(SetupKey.LOCAL_SETUP, this.processor.hook);
    this._setSchema(result.record?.schema);
    return { nets, shouldStop: inner.shouldStop, fields: result.record ? result.record.fieldBlobs() : [] };
  }
}

function normalize(raw: ProcessorResult, nb: NetBuilder): { nets: ReadNet[]; record: BlobRecord | undefined; shouldStop: BlobReference | undefined } {
  const children = nb.get().map((c) => (c instanceof Net ? c : toExecutionStep(c)));
  const explicit = (nets: readonly ReadNet[] | null | undefined): ReadNet[] => {
    if (nets && nets.length > 0 && children.length > 0) {
      throw new PlanError('HOGWILD_INVALID_PLAN', 'Cannot both use `ops` syntax and return a list of nets.');
    }
    return nets ? [...nets] : children;
  };
  if (raw instanceof Output) return { nets: explicit(raw.nets), record: raw.record ?? undefined, shouldStop: raw.shouldStop ?? undefined };
  if (raw instanceof BlobRecord) return { nets: children, record: raw, shouldStop: undefined };
  if (Array.isArray(raw)) {
    const arr: readonly unknown[] = raw;
    if (arr.length === 2 && arr[0] instanceof BlobRecord && arr[1] instanceof BlobReference) {
      return { nets: children, record: arr[0], shouldStop: arr[1] };
    }
    if (arr.length === 0) return { nets: children, record: undefined, shouldStop: undefined };  // no nets listed: the ops it added
    if (arr.every(isReadNet)) return { nets: explicit(arr), record: undefined, shouldStop: undefined };
    const nets = arr[0];
    const rec = arr[1];
    const netsOk = nets === null || (Array.isArray(nets) && (nets as readonly unknown[]).every(isReadNet));
    const recOk = rec === null || rec instanceof BlobRecord;
    if (arr.length === 2 && netsOk && recOk) {
      return { nets: explicit(nets as readonly ReadNet[] | null), record: rec ?? undefined, shouldStop: undefined };
    }
    if (arr.length === 3) {
      const stop = arr[2] as BlobReference | null;
      return { nets: explicit(nets as readonly ReadNet[] | null), record: (rec as BlobRecord | null) ?? undefined, shouldStop: stop ?? undefined };
    }
    throw new InvalidArgumentError(
      `Expected a processor to return a record, [record, stop], [nets, record], [nets, record, stop], a list of nets or an Output but received an array of ${raw.length}`,
    );
  }
  if (raw === undefined || raw === null) return { nets: children, record: undefined, shouldStop: undefined };
  throw new InvalidArgumentError(
    `Expected a processor to return a record, [record, stop], [nets, record], [nets, record, stop], a list of nets or an Output but received ${inspect(raw, { depth: 0 })}`,
  );
}

function isReadNet(x: unknown): x is ReadNet {
  return x instanceof Net || x instanceof ExecutionStep;
}

/** Options of `new NetProcessor()`. */
export interface NetProcessorOptions {
  /**
   * Blobs of `net` that receive the record's fields, in order. Default: the
   * net's external inputs named like the record's fields.
   */
  inputs?: readonly string[];
  /** Blobs of `net` that make up the output record (none by default). */
  outputs?: readonly BlobLike[];
  /** Schema of the output record (default: float32 scalars `out_0`, `out_1`, …). */
  outputSchema?: Field;
  /** A blob of `net` that stops the pipe when true. */
  stopSignal?: BlobLike;
  /** Nets run once per TaskGroup run before the pipe starts (cloned with the same bindings). */
  threadInitNets?: readonly Net[];
  name?: string;
}

/**
 * Runs a prebuilt Net as a processor. Each use clones the net: blobs it only
 * writes get a per-use prefix, blobs it reads before writing (parameters,
 * shared state) keep their names, and the bound input blobs become the
 * record's fields. `blobMaps()` returns the name mappings and freezes it.
 */
export class NetProcessor implements ProcessorObject {
  readonly name: string;
  private readonly _maps: Map<string, string>[] = [];
  private _frozen = false;
  private _clonedInit: Net[] = [];

  constructor(
    readonly net: Net,
    private readonly _options: NetProcessorOptions = {},
  ) {
    this.name = _options.name ?? net.name;
  }

  schema(): Field | undefined {
    return this._options.outputs ? this._outputSchema() : undefined;
  }

  setup(): Net[] {
    this._frozen = true;
    const nets = this._clonedInit;
    this._clonedInit = [];
    return nets;
  }

  process(record: BlobRecord): ProcessorResult {
    if (this._frozen) throw new PlanError('HOGWILD_INVALID_PLAN', `Expected NetProcessor '${this.name}' not to be frozen (blobMaps() or setup() already ran)`);
    const use = this._maps.length;
    const prefix = `${NetBuilder.current(undefined, { required: false })?.name || this.net.name}/${this.name}:${use}/`;
    const names = record.fieldNames();
    const inputs = this._options.inputs ?? this.net.externalInputs().filter((b) => names.includes(b));
    const bound = this._options.inputs ? inputs : names.filter((n) => inputs.includes(n));
    if (bound.length !== record.fieldBlobs().length && this._options.inputs) {
      throw new InvalidArgumentError(`Expected ${bound.length} record fields for NetProcessor '${this.name}' but the record has ${record.fieldBlobs().length}`);
    }
    const remap = new Map<string, string>();
    bound.forEach((b, i) => remap.set(b, (this._options.inputs ? record.fieldBlobs()[i]! : record.field(b)).name));
    for (const n of this._options.threadInitNets ?? []) this._clonedInit.push(cloneNet(n, `${n.name}${prefix}`, prefix, remap));
    const cloned = cloneNet(this.net, `${this.net.name}${prefix}`, prefix, remap);
    this._maps.push(remap);
    const outputs = (this._options.outputs ?? []).map((b) => new BlobReference(remap.get(blobName(b)) ?? blobName(b)));
    const rec = outputs.length > 0 ? new BlobRecord(this._outputSchema(), outputs) : null;
    const stop = this._options.stopSignal ? new BlobReference(remap.get(blobName(this._options.stopSignal)) ?? blobName(this._options.stopSignal)) : null;
    return [[cloned], rec, stop] as const;
  }

  /** Original → cloned blob names, one map per use. Freezes the processor. */
  blobMaps(): Map<string, string>[] {
    this._frozen = true;
    return this._maps.map((m) => new Map(m));
  }

  private _outputSchema(): Field {
    if (this._options.outputSchema) return this._options.outputSchema;
    return new Struct((this._options.outputs ?? []).map((_, i) => [`out_${i}`, new Scalar('float32')] as const));
  }
}

/** Clones `net`: its external inputs keep their names (or are rebound by `remap`), the rest get `prefix`. */
function cloneNet(net: Net, name: string, prefix: string, remap: Map<string, string>): Net {
  const external = new Set(net.externalInputs());
  for (const op of net.ops) {
    for (const b of [...op.inputs, ...op.outputs]) {
      if (!remap.has(b)) remap.set(b, external.has(b) ? b : prefix + b);
    }
  }
  const out = new Net(name, { builderPrefix: false });
  for (const op of net.ops) {
    out.op(op.type, op.inputs.map((b) => remap.get(b)!), op.outputs.map((b) => remap.get(b)!), op.args);
  }
  return out;
}
