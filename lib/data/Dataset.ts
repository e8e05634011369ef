/**
 * An in-memory dataset (docs/caffe2.md §10): one native tensor per schema field,
 * read through a thread-safe cursor and appended to atomically. The data never
 * becomes JS objects: file readers fill the field blobs natively, readers
 * slice batches natively.
 *
 * A cursor made in a job's init group is global: it is checkpointed (as its
 * offsets) and reading resumes where it stopped across epochs and restarts.
 * Made by the reader's own task (the default), it starts over every task run.
 *
 * @example
 * const ds = new Dataset({ label: 'int32', tokens: list('int32') }, { name: 'train' });
 * job.initGroup.scope(() => new Task().scope(() => ds.initEmpty(ops.net())));
 * pipe(ds.reader({ batchSize: 64 }), { processor: model, numThreads: 2 });
 */
import { InvalidArgumentError, PlanError } from '../errors/index.js';
import type { BlobLike, BlobReference } from '../net/BlobReference.js';
import { Net as NetClass, type Net } from '../net/Net.js';
import { checkBoolean, checkOptions, checkString, expected } from '../runtime/validate.js';
import { Reader, Writer } from './Reader.js';
import { BlobRecord, Struct, toField, type Field, type FieldSpec } from './schema.js';

export interface DatasetOptions {
  /** Prefix of the field blobs and the cursor (default 'dataset'). */
  name?: string;
  /** Existing blobs holding the fields, in field order. */
  blobs?: readonly BlobLike[];
}

export interface DatasetReaderOptions {
  /** Create the cursor in this net now (e.g. in the init group, to make it global and checkpointed). */
  initNet?: Net;
  /** Name of the cursor blob (default `<name>_cursor`). */
  cursorName?: string;
  /** Top-level entries per read (default 1). */
  batchSize?: number;
  /** Drop a last batch smaller than batchSize. */
  enforceBatchSize?: boolean;
}

export interface DatasetRandomReaderOptions extends DatasetReaderOptions {
  /** The shuffle of pass p is a pure function of (seed, p). Default 0. */
  seed?: number;
  /** Start the next pass (a new shuffle) instead of stopping at the end. */
  loopOver?: boolean;
}

export class Dataset {
  readonly schema: Field;
  readonly name: string;
  private _blobs: BlobReference[] | undefined;

  constructor(fields: Field | { [name: string]: FieldSpec } | readonly string[], options: DatasetOptions = {}) {
    this.schema = Array.isArray(fields)
      ? new Struct((fields as readonly string[]).map((f) => [f, toField('float32')] as const))
      : toField(fields as Field | { [name: string]: FieldSpec });
    this.name = options.name ?? 'dataset';
    if (options.blobs) this.setBlobs(options.blobs);
  }

  /** A dataset over an existing record's blobs. */
  static fromRecord(record: BlobRecord, name?: string): Dataset {
    return new Dataset(record.schema, { name, blobs: record.fieldBlobs() });
  }

  fieldNames(): string[] {
    return this.schema.fieldNames();
  }

  fieldTypes(): string[] {
    return this.schema.fieldTypes();
  }

  /** Uses `blobs` (one per field, in order) as the dataset's data. */
  setBlobs(blobs: readonly BlobLike[]): this {
    const names = this.fieldNames();
    if (blobs.length !== names.length) throw new InvalidArgumentError(`Expected ${names.length} blobs for dataset '${this.name}' but received ${blobs.length}`);
    this._blobs = new BlobRecord(this.schema, blobs).fieldBlobs();
    return this;
  }

  /** The field blobs, named `<name>/<field>` unless given. */
  getBlobs(): BlobReference[] {
    if (!this._blobs) throw new PlanError('HOGWILD_INVALID_PLAN', `Expected dataset '${this.name}' to be initialized (initEmpty, a file reader or blobs) but it is not`);
    return [...this._blobs];
  }

  /** Adds ops to `initNet` that make every field an empty tensor (zero rows). */
  initEmpty(initNet: Net): this {
    const blobs = this.schema.fields().map((f) =>
      initNet.ConstantFill([], initNet.nextScopedBlob(`${this.name}/${f.name || 'value'}`), { shape: [0, ...f.shape], dtype: f.dtype, value: 0 }),
    );
    this._blobs = blobs;
    return this;
  }

  /** Names for the field blobs without ops (for file readers that fill them). @internal */
  _allocateBlobs(net: Net): BlobReference[] {
    this._blobs = this.schema.fields().map((f) => net.nextScopedBlob(`${this.name}/${f.name || 'value'}`));
    return [...this._blobs];
  }

  content(): BlobRecord {
    return new BlobRecord(this.schema, this.getBlobs());
  }

  /** Keeps a multiple of `multipleOf` top-level entries. */
  trim(net: Net, multipleOf: number): void {
    const blobs = this.getBlobs();
    net.op('TrimDataset', blobs, blobs, { fields: this.fieldNames(), multiple_of: multipleOf });
  }

  /** Reads the dataset in order, `batchSize` entries at a time, through one shared cursor. */
  reader(options: DatasetReaderOptions | Net = {}): Reader {
    options = readerOptions(options, 'dataset.reader options', READER_KEYS);
    const r = new DatasetReader(this, options, undefined);
    if (options.initNet) r.setupEx(options.initNet);
    return r;
  }

  /** Reads in a seeded random order that changes every pass (see ReadShuffledBatch). */
  randomReader(options: DatasetRandomReaderOptions | Net = {}): Reader {
    options = readerOptions(options, 'dataset.randomReader options', [...READER_KEYS, 'seed', 'loopOver']) as DatasetRandomReaderOptions;
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidArgumentError(`Expected a safe integer >= 0 for seed but received ${seed}`);
    const r = new DatasetReader(this, options, { seed, loopOver: options.loopOver ?? false });
    if (options.initNet) r.setupEx(options.initNet);
    return r;
  }

  /** Appends written records, atomically across threads. Do not read and write one dataset at once. */
  writer(options: { initNet?: Net } | Net = {}): Writer {
    options = readerOptions(options, 'dataset.writer options', ['initNet']);
    const w = new DatasetWriter(this);
    if (options.initNet) w.setupEx(options.initNet);
    return w;
  }
}

const READER_KEYS = ['initNet', 'cursorName', 'batchSize', 'enforceBatchSize'] as const;

/**
 * Caffe2 spells it `reader(init_net)`: a Net in place of the options is the
 * initNet. Anything else must be a plain options object with known keys of the
 * right types (`reader(ops)` or a typo would otherwise leave the cursor
 * uninitialized, restarting every epoch).
 */
function readerOptions<T extends DatasetReaderOptions>(options: T | Net, name: string, keys: readonly string[]): T {
  if (options instanceof NetClass) return { initNet: options } as T;
  const o = checkOptions(options as T, name, keys);
  if (o.initNet !== undefined && !(o.initNet instanceof NetClass)) throw expected('a Net', `${name}.initNet`, o.initNet);
  if (o.cursorName !== undefined) checkString(o.cursorName, `${name}.cursorName`, { nonEmpty: true });
  if (o.enforceBatchSize !== undefined) checkBoolean(o.enforceBatchSize, `${name}.enforceBatchSize`);
  const r = o as DatasetRandomReaderOptions;
  if (r.loopOver !== undefined) checkBoolean(r.loopOver, `${name}.loopOver`);
  return o;
}

class DatasetReader extends Reader {
  cursor: BlobReference | undefined;
  private readonly _batchSize: number;

  constructor(
    private readonly _ds: Dataset,
    private readonly _opts: DatasetReaderOptions,
    private readonly _shuffle: { seed: number; loopOver: boolean } | undefined,
  ) {
    super(_ds.schema);
    const b = _opts.batchSize ?? 1;
    if (!Number.isInteger(b) || b < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for batchSize but received ${b}`);
    this._batchSize = b;
    _ds.getBlobs();
  }

  private get _cursorName(): string {
    return this._opts.cursorName ?? `${this._ds.name}_cursor`;
  }

  override setupEx(initNet: Net): void {
    if (this.cursor === undefined) {
      this.cursor = initNet.op('CreateTreeCursor', [], [initNet.nextScopedBlob(this._cursorName)], { fields: this._ds.fieldNames() }) as BlobReference;
    }
  }

  override read(net: Net): { shouldStop: BlobReference; fields: BlobReference[] } {
    if (!this.cursor) throw new PlanError('HOGWILD_INVALID_PLAN', 'Expected setupEx() to run before read() (the cursor is missing)');
    const scope = net.nextName(this._cursorName);
    const outs = this._ds.fieldNames().map((f) => `${scope}/${f || 'value'}`);
    const args = { batch_size: this._batchSize, enforce_batch_size: this._opts.enforceBatchSize ? 1 : 0 };
    const fields = this._shuffle
      ? net.op('ReadShuffledBatch', [this.cursor, ...this._ds.getBlobs()], outs, { ...args, seed: this._shuffle.seed, loop_over: this._shuffle.loopOver ? 1 : 0 })
      : net.op('ReadNextBatch', [this.cursor, ...this._ds.getBlobs()], outs, args);
    const list = Array.isArray(fields) ? fields : [fields];
    return { shouldStop: net.IsEmpty([list[0]!]), fields: list };
  }

  override reset(net: Net): void {
    if (!this.cursor) throw new PlanError('HOGWILD_INVALID_PLAN', 'Expected setupEx() to run before reset()');
    net.op('ResetCursor', [this.cursor], []);
  }
}

class DatasetWriter extends Writer {
  mutex: BlobReference | undefined;

  constructor(private readonly _ds: Dataset) {
    super();
    this._schema = _ds.schema;
  }

  override setupEx(initNet: Net): void {
    if (this.mutex === undefined) this.mutex = initNet.CreateMutex([]);
  }

  override write(net: Net, fields: readonly BlobReference[]): void {
    if (!this.mutex) throw new PlanError('HOGWILD_INVALID_PLAN', 'Expected setupEx() to run before write() (the mutex is missing)');
    const blobs = this._ds.getBlobs();
    if (fields.length !== blobs.length) throw new InvalidArgumentError(`Expected ${blobs.length} fields, got ${fields.length}.`);
    net.op('CheckDatasetConsistency', [...fields], [], { fields: this._ds.fieldNames() });
    net.op('AtomicAppend', [this.mutex, ...blobs, ...fields], blobs);
  }
}
