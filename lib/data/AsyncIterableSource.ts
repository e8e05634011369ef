/**
 * Records from JS (a server, a database cursor, a generator) feeding a native
 * queue that plan threads drain. The producer is an async iterable of plain
 * records; `start()` pumps it into the queue on the JS event loop and awaits
 * whenever the queue is full (back-pressure), so memory stays bounded by
 * `capacity`. Reading threads concatenate `batchSize` records per read.
 *
 * A record that does not fit the schema, or a producer that throws, closes
 * the queue with a DataError naming the record: the run fails with it. The
 * reading task closes the queue when it stops early, which ends the pump.
 *
 * @example
 * const source = new AsyncIterableSource(rowsFromDb(), {
 *   schema: { label: 'int32', tokens: list('int32') }, capacity: 1024, batchSize: 64,
 * });
 * const done = source.start(session);                    // creates the queue now
 * pipe(source, { processor: model, numThreads: 2 });     // inside a job's epoch group
 * await runner.train(session);
 * const { records, error } = await done;
 */
import { inspect } from 'node:util';

import { DataError, InvalidArgumentError } from '../errors/index.js';
import type { DType, TensorData } from '../native/coreTypes.js';
import type { NativeQueue } from '../native/dataTypes.js';
import type { BlobReference } from '../net/BlobReference.js';
import { Net } from '../net/Net.js';
import { callNative } from '../runtime/errors.js';
import { dataNative, nativeWorkspaceOf } from '../runtime/nativeAreas.js';
import { Workspace } from '../runtime/Workspace.js';
import type { HasReader } from './builders.js';
import { QueueWrapper } from './Queue.js';
import type { Reader } from './Reader.js';
import { List, Scalar, Struct, toField, type Field, type FieldSpec } from './schema.js';

/** One record: a value per schema field (numbers, bigints, booleans, arrays or typed arrays; objects for structs). */
export type RecordValue = { readonly [field: string]: unknown };

export interface AsyncIterableSourceOptions {
  schema: Field | { [name: string]: FieldSpec };
  /** Records the queue holds before the producer waits (default 100). */
  capacity?: number;
  /** Records concatenated by each read (default 1). */
  batchSize?: number;
  /** Names the queue blob (default 'async_source'). */
  name?: string;
}

export interface AsyncIterableSourceResult {
  /** Records enqueued. */
  records: number;
  /** Times the producer waited for room (back-pressure). */
  waits: number;
  /** Why the pump stopped early: a bad record or a producer error (the run fails with it too). */
  error?: DataError;
}

export class AsyncIterableSource implements HasReader {
  readonly schema: Field;
  readonly capacity: number;
  readonly batchSize: number;
  private readonly _wrapper: QueueWrapper;
  private _started = false;
  private _queue: NativeQueue | undefined;

  constructor(
    private readonly _iterable: AsyncIterable<RecordValue> | Iterable<RecordValue>,
    options: AsyncIterableSourceOptions,
  ) {
    if (!_iterable || (typeof (_iterable as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' && typeof (_iterable as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
      throw new InvalidArgumentError(`Expected an async iterable or iterable of records but received ${inspect(_iterable, { depth: 0 })}`);
    }
    this.schema = toField(options.schema);
    this.capacity = positiveInt(options.capacity ?? 100, 'capacity');
    this.batchSize = positiveInt(options.batchSize ?? 1, 'batchSize');
    const net = new Net(options.name ?? 'async_source');
    this._wrapper = new QueueWrapper(net.nextScopedBlob(net.nextName('handler')), this.schema, this.batchSize);
  }

  /** The queue blob the pump fills. */
  get queue(): BlobReference {
    return this._wrapper.queue();
  }

  /** Records waiting in the queue now (0 before start()). */
  get queued(): number {
    return this._queue?.size ?? 0;
  }

  /** A reader of the queue: each read dequeues up to batchSize records; it closes the queue when its task ends. */
  reader(): Reader {
    return this._wrapper.reader();
  }

  /**
   * Creates the queue in the session's workspace (synchronously, before the
   * first await, so a plan started right after finds it) and pumps the
   * iterable into it. Resolves when the iterable ends, the queue is closed
   * by its readers, `signal` aborts, or a record fails; never rejects.
   */
  start(target: Workspace | { workspace: Workspace }, options: { signal?: AbortSignal } = {}): Promise<AsyncIterableSourceResult> {
    if (this._started) throw new InvalidArgumentError('Expected an AsyncIterableSource to be started once (its iterable is consumed)');
    const ws = target instanceof Workspace ? target : target?.workspace;
    if (!(ws instanceof Workspace) || ws.disposed) throw new InvalidArgumentError(`Expected a live Workspace or LocalSession but received ${inspect(target, { depth: 0 })}`);
    const nativeWs = nativeWorkspaceOf(ws, 'target');
    const fields = this.schema.fields();
    const q = callNative(() =>
      dataNative().createQueue(nativeWs, this.queue.name, { capacity: this.capacity, numBlobs: fields.length, fieldNames: fields.map((f) => f.name) }),
    );
    this._started = true;
    this._queue = q;
    return this._pump(q, options.signal);
  }

  private async _pump(q: NativeQueue, signal: AbortSignal | undefined): Promise<AsyncIterableSourceResult> {
    const onAbort = () => q.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    let records = 0;
    let waits = 0;
    const failWith = (error: DataError): AsyncIterableSourceResult => {
      q.fail(error.message);
      return { records, waits, error };
    };
    try {
      for await (const item of this._iterable as AsyncIterable<RecordValue>) {
        if (signal?.aborted) break;
        let tensors: TensorData[];
        try {
          tensors = encodeRecord(this.schema, item, records);
        } catch (err) {
          return failWith(err instanceof DataError ? err : new DataError('HOGWILD_DATA', String(err)));
        }
        let pushed = q.tryEnqueue(tensors);
        while (pushed === 'full') {
          waits += 1;
          await q.waitWritable();
          pushed = q.tryEnqueue(tensors);
        }
        if (pushed === 'closed') break;  // the readers are done: `break` also returns the iterator
        records += 1;
      }
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      return failWith(new DataError('HOGWILD_DATA', `The record source '${this.queue.name}' threw at record ${records}: ${msg}`, { cause: err }));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    q.close();
    return { records, waits };
  }
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for ${name} but received ${String(v)}`);
  return v;
}

// ---- BlobRecord encoding --------------------------------------------------------------

interface Column {
  dtype: DType;
  rowShape: readonly number[];
  values: (number | bigint)[];
  rows: number;
}

const RANGES: Partial<Record<DType, [number, number]>> = { int32: [-(2 ** 31), 2 ** 31 - 1], uint8: [0, 255] };

/** One record as tensors with a leading batch dim of 1 (lists: their items). @internal */
export function encodeRecord(schemaField: Field, value: unknown, index: number): TensorData[] {
  const cols: Column[] = [];
  encode(schemaField, value, '', index, cols, true);
  return cols.map(toTensor);
}

function fail(index: number, path: string, what: string, got: unknown): never {
  throw new DataError('HOGWILD_DATA', `Expected ${what} for record ${index} field '${path || '<root>'}' but received ${inspect(got, { depth: 0, maxArrayLength: 8, maxStringLength: 40 })}`);
}

// Appends `value` under `field` to the columns; `fresh` starts new columns (top level).
function encode(field: Field, value: unknown, path: string, index: number, cols: Column[], fresh: boolean, at = { i: 0 }): void {
  if (field instanceof Scalar) {
    const col = fresh ? pushCol(cols, field) : cols[at.i]!;
    at.i += 1;
    const n = field.shape.reduce((a, b) => a * b, 1);
    if (field.shape.length === 0) {
      col.values.push(element(field.dtype, value, path, index));
    } else {
      const arr = value as ArrayLike<unknown>;
      if (!arr || typeof arr !== 'object' || typeof arr.length !== 'number' || arr.length !== n) fail(index, path, `${n} values (row shape [${field.shape.join(', ')}])`, value);
      for (let k = 0; k < n; k++) col.values.push(element(field.dtype, arr[k], `${path}[${k}]`, index));
    }
    col.rows += 1;
    return;
  }
  if (field instanceof List) {
    const items = value as ArrayLike<unknown>;
    if (!items || typeof items !== 'object' || typeof items.length !== 'number') fail(index, path, 'an array (a list field)', value);
    const lengths = fresh ? pushCol(cols, new Scalar('int32')) : cols[at.i]!;
    at.i += 1;
    lengths.values.push(items.length);
    lengths.rows += 1;
    const start = fresh ? cols.length : at.i;
    if (fresh) for (const f of field.values.fields()) cols.push({ dtype: f.dtype, rowShape: f.shape, values: [], rows: 0 });
    for (let k = 0; k < items.length; k++) {
      const sub = { i: start };
      encode(field.values, items[k], `${path}[${k}]`, index, cols, false, sub);
    }
    at.i = start + field.values.fields().length;
    return;
  }
  if (field instanceof Struct) {
    if (!value || typeof value !== 'object') fail(index, path, 'an object of fields', value);
    for (const [name, child] of field.children) {
      const v = (value as { [k: string]: unknown })[name];
      const p = path ? `${path}:${name}` : name;
      if (v === undefined) fail(index, p, 'a value', v);
      encode(child, v, p, index, cols, fresh, at);
    }
    return;
  }
  fail(index, path, 'a known schema field', field);
}

function pushCol(cols: Column[], s: Scalar): Column {
  const c: Column = { dtype: s.dtype, rowShape: s.shape, values: [], rows: 0 };
  cols.push(c);
  return c;
}

function element(dtype: DType, v: unknown, path: string, index: number): number | bigint {
  if (dtype === 'float32' || dtype === 'float64') {
    if (typeof v !== 'number') fail(index, path, `a number (${dtype})`, v);
    return v;
  }
  if (dtype === 'bool') {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === 0 || v === 1) return v;
    fail(index, path, 'a boolean', v);
  }
  if (dtype === 'int64') {
    if (typeof v === 'bigint' && v >= -(2n ** 63n) && v < 2n ** 63n) return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    fail(index, path, 'an integer (int64)', v);
  }
  const [lo, hi] = RANGES[dtype]!;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(index, path, `an integer in [${lo}, ${hi}] (${dtype})`, v);
  return v;
}

function toTensor(c: Column): TensorData {
  const rows = c.rowShape.length === 0 ? c.values.length : c.rows;
  const shape = [rows, ...c.rowShape];
  switch (c.dtype) {
    case 'float32': return { dtype: 'float32', shape, data: Float32Array.from(c.values as number[]) };
    case 'float64': return { dtype: 'float64', shape, data: Float64Array.from(c.values as number[]) };
    case 'int32': return { dtype: 'int32', shape, data: Int32Array.from(c.values as number[]) };
    case 'int64': return { dtype: 'int64', shape, data: BigInt64Array.from(c.values as bigint[]) };
    default: return { dtype: c.dtype, shape, data: Uint8Array.from(c.values as number[]) };
  }
}
