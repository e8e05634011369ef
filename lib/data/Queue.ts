/**
 * Native bounded queues as pipes (docs/caffe2.md §9). A Queue is created once per
 * node when its TaskGroup starts (a LOCAL_SETUP hook), before any task runs,
 * so every task of the node shares it. Writers and readers close it in their
 * task's exit: when the writing task is done, readers drain the queue and
 * stop; when a reading task stops early (a limit), blocked writers wake up.
 *
 * @example
 * const q = pipe(reader, { numThreads: 2 });          // a Queue of capacity 100
 * pipe(q, { processor: model, numThreads: 8 });        // 8 trainers drain it
 */
import { InvalidArgumentError, PlanError } from '../errors/index.js';
import { SetupKey } from '../job/setupKeys.js';
import type { BlobReference } from '../net/BlobReference.js';
import { executionStep, type ExecutionStep } from '../net/ExecutionStep.js';
import { Net } from '../net/Net.js';
import { Reader, Writer, type ReadNet, type ReadResult } from './Reader.js';
import type { Field } from './schema.js';

/** Base of queue-like objects: counts users and registers itself as a LOCAL_SETUP hook. */
export class Pipe {
  /** @internal */
  _schema: Field | undefined;
  private _numReaders = 0;
  private _numWriters = 0;
  /** @internal set by getSetupNets once the hook ran for its target */
  _setupUsed = false;

  constructor(
    schemaField?: Field,
    private readonly _objKey?: string,
  ) {
    this._schema = schemaField;
  }

  schema(): Field | undefined {
    return this._schema;
  }

  /** Adds the ops that create the pipe (LOCAL_SETUP hook). */
  setup(_globalInitNet: Net): unknown {
    return undefined;
  }

  reader(): Reader {
    throw new PlanError('HOGWILD_NOT_IMPLEMENTED', `${this.constructor.name} cannot be read`);
  }

  writer(): Writer {
    throw new PlanError('HOGWILD_NOT_IMPLEMENTED', `${this.constructor.name} cannot be written`);
  }

  numReaders(): number {
    return this._numReaders;
  }

  numWriters(): number {
    return this._numWriters;
  }

  /** @internal */
  _newWriter(writerSchema: Field | undefined, writerInitNet: Net): void {
    if (writerSchema !== undefined && this._schema === undefined) this._schema = writerSchema;
    this._numWriters += 1;
    if (this._objKey !== undefined) writerInitNet.addAttribute(this._objKey, this);
  }

  /** @internal */
  _newReader(readerInitNet: Net): void {
    this._numReaders += 1;
    if (this._objKey !== undefined) readerInitNet.addAttribute(this._objKey, this);
  }
}

class QueueReader extends Reader {
  constructor(
    private readonly _wrapper: QueueWrapper,
    private readonly _numDequeueRecords: number,
  ) {
    if (!_wrapper.schema()) throw new PlanError('HOGWILD_INVALID_PLAN', 'Expected a queue with a schema to read from (write to it first, or give one)');
    super(_wrapper.schema());
  }

  override setupEx(_initNet: Net, exitNet: Net): void {
    exitNet.op('CloseBlobsQueue', [this._wrapper.queue()], []);
  }

  override readEx(localInitNet: Net): ReadResult {
    this._wrapper._newReader(localInitNet);
    const net = new Net('dequeue');
    const names = this.schema().fieldNames();
    const { fields, status } = dequeue(net, this._wrapper.queue(), names.length, { fieldNames: names, numRecords: this._numDequeueRecords });
    return { nets: [net], shouldStop: status, fields };
  }
}

class QueueWriter extends Writer {
  constructor(private readonly _wrapper: QueueWrapper) {
    super();
  }

  override setupEx(_initNet: Net, exitNet: Net): void {
    exitNet.op('CloseBlobsQueue', [this._wrapper.queue()], []);
  }

  override write(): void {
    throw new PlanError('HOGWILD_NOT_IMPLEMENTED', 'A queue writer writes through writeEx (it needs a status blob)');
  }

  override writeEx(fields: readonly BlobReference[], localInitNet: Net, _localFinishNet: Net, status: BlobReference): ReadNet[] {
    this._wrapper._newWriter(this.schema(), localInitNet);
    const net = new Net('enqueue');
    enqueue(net, this._wrapper.queue(), fields, status);
    return [net];
  }
}

/** A pipe over an existing queue blob. */
export class QueueWrapper extends Pipe {
  constructor(
    private readonly _queue: BlobReference,
    schemaField?: Field,
    private readonly _numDequeueRecords = 1,
  ) {
    super(schemaField, SetupKey.LOCAL_SETUP);
  }

  override reader(): Reader {
    return new QueueReader(this, this._numDequeueRecords);
  }

  override writer(): Writer {
    return new QueueWriter(this);
  }

  queue(): BlobReference {
    return this._queue;
  }
}

/** Options of `new Queue()`. */
export interface QueueOptions {
  /** BlobRecord schema; by default the first writer's. */
  schema?: Field;
  /** Names the queue blob `<name>/handler` (made unique). Default 'queue'. */
  name?: string;
  /** Records concatenated by each dequeue (batching small records). Default 1. */
  numDequeueRecords?: number;
}

export class Queue extends QueueWrapper {
  readonly capacity: number;

  constructor(capacity: number, options: QueueOptions = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for capacity but received ${capacity}`);
    const n = options.numDequeueRecords ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for numDequeueRecords but received ${n}`);
    const net = new Net(options.name ?? 'queue');
    super(net.nextScopedBlob(net.nextName('handler')), options.schema, n);
    this.capacity = capacity;
  }

  override setup(globalInitNet: Net): undefined {
    const s = this.schema();
    if (!s) throw new PlanError('HOGWILD_INVALID_PLAN', 'Expected a schema for this queue but it has none (nothing writes to it)');
    globalInitNet.op('CreateBlobsQueue', [], [this.queue()], {
      capacity: this.capacity,
      num_blobs: s.fieldNames().length,
      field_names: s.fieldNames(),
    });
    return undefined;
  }
}

/**
 * Adds a SafeEnqueueBlobs of `blobs` into `queue`; returns the status blob
 * (true once the queue is closed). A blob listed twice is copied first.
 */
export function enqueue(net: Net, queue: BlobReference, blobs: readonly BlobReference[], status?: BlobReference): BlobReference {
  const stat = status ?? net.nextScopedBlob(net.nextName('status'));
  const seen = new Set<string>();
  const inputs = blobs.map((b) => {
    if (!seen.has(b.name)) {
      seen.add(b.name);
      return b;
    }
    return net.Copy(b);
  });
  net.op('SafeEnqueueBlobs', [queue, ...inputs], [...inputs, stat]);
  return stat;
}

/** Adds a SafeDequeueBlobs of `numBlobs` fields from `queue`; the status is true once it is closed and empty. */
export function dequeue(
  net: Net,
  queue: BlobReference,
  numBlobs: number,
  options: { status?: BlobReference; fieldNames?: readonly string[]; numRecords?: number } = {},
): { fields: BlobReference[]; status: BlobReference } {
  if (options.fieldNames && options.fieldNames.length !== numBlobs) {
    throw new InvalidArgumentError(`Expected ${numBlobs} field names but received ${options.fieldNames.length}`);
  }
  const names = options.fieldNames ? options.fieldNames.map((n) => net.nextName(n || 'data')) : Array.from({ length: numBlobs }, (_, i) => net.nextName('data', i));
  const status = options.status ?? net.nextScopedBlob(net.nextName('status'));
  const out = net.op('SafeDequeueBlobs', [queue], [...names, status], { num_records: options.numRecords ?? 1 }) as BlobReference[];
  return { fields: out.slice(0, -1), status: out.at(-1)! };
}

/** A step that runs `step`, then closes `queues`. */
export function closeQueue(step: ExecutionStep, ...queues: BlobReference[]): ExecutionStep {
  const net = new Net('close_queue');
  for (const q of queues) net.op('CloseBlobsQueue', [q], []);
  return executionStep(`${step.name}_and_close`, [step, executionStep('close', net)]);
}
