// Partitioned columnar data read through DuckDB into a job (Caffe2's HiveReader role).
import { DataError, InvalidArgumentError } from '../../errors/index.js';
import { BlobReference } from '../../net/BlobReference.js';
import type { Net } from '../../net/Net.js';
import { ops } from '../../net/ops.js';
import { callNative } from '../../runtime/errors.js';
import { dataNative } from '../../runtime/nativeAreas.js';
import type { Workspace } from '../../runtime/Workspace.js';
import { mulberry32 } from '../../util/prng.js';
import { Struct, toField, type Field, type FieldSpec } from '../schema.js';
import { PartitionCache, type PartitionCacheStats } from './cache.js';
import { checkColumns } from './checkColumns.js';
import { columnSpecs, nullMessage, readChunkColumns, type ColumnSpec } from './columns.js';
import { loadDuckDb, type DuckConnection, type DuckDb, type DuckInstance } from './duckdb.js';
import { PartitionedReader } from './PartitionedReader.js';
import { PartitionStream } from './PartitionStream.js';
import { Pump, type Cursor } from './pump.js';
import { duckMessage, parquetPartitions, sqlPartitions, type Partition, type SqlSourceOptions } from './sources.js';

export type { PartitionCacheStats, SqlSourceOptions };

/** What attach() needs of a JobRunner: its events (kept structural, so lib/data does not import lib/session). */
export interface RunnerEvents {
  on(event: 'init' | 'epochEnd' | 'done', listener: () => void): unknown;
}

/** Options of `PartitionedSource.parquet()` and `.sql()`. */
export interface PartitionedSourceOptions {
  /** The record the model reads: one column per field (a scalar, a fixed-shape array, or a list of scalars). */
  schema: Field | Record<string, FieldSpec>;
  /** Rows per batch (the last batch of a partition may be shorter). Default 64. */
  batchSize?: number;
  /** Shuffle the partition order with this seed, anew each pass (saved in the cursor). Default: name order. */
  shuffleSeed?: number;
  /** Passes over the partitions before the reader reports the end of its data. Default 1. */
  passes?: number;
  /** Read only every numShards-th partition from `shard` (a node's share). Default 0 of 1. */
  shard?: number;
  numShards?: number;
  /** Batches read ahead into the queue. Default 16. */
  capacity?: number;
  /** A SQL expression per field, read instead of the column of that name (casts, renames, fills). */
  columns?: Record<string, string>;
  /** Prefix of the blob names (cursor, queue); distinct per source in a job. Default 'partitioned'. */
  name?: string;
  /**
   * DuckDB threads per query (decoding, casts). Default 1: partitions already
   * decode in parallel (`readAhead` queries at once, each fetched on its own
   * thread), and more DuckDB workers only compete with the trainer threads for
   * the cores. Raise it for heavy SQL (joins, aggregates) over few partitions.
   */
  threads?: number;
  /** Partitions whose queries run at once: the one being read and those read ahead. Default 2. */
  readAhead?: number;
  /** SQL run once before anything is read (views, ATTACH, settings). */
  setup?: readonly string[];
  /**
   * Bytes of native memory for an in-memory cache of decoded partitions.
   * Default 0 (no cache: every pass streams from DuckDB). With a budget, a
   * partition read whole is kept (one tensor per column) and every later read
   * of it is fed from memory on a native thread; partitions that do not fit
   * stream every pass. `load()` fills it before training.
   */
  cacheBytes?: number;
}

/** A partition as listed: its name and row count. */
export interface PartitionInfo {
  readonly name: string;
  readonly rows: number;
}

const CURSOR_FIELDS = 5;
/** Rows in a DuckDB chunk (its vector size). */
const DUCK_CHUNK_ROWS = 2048;
/** At most this many chunks buffered per partition query (memory bound: ~16 × 2048 rows). */
const MAX_AHEAD_CHUNKS = 16;
/** The cursor's seed when partitions are read in name order (no shuffle). */
const NAME_ORDER = -1;

/**
 * Partitioned columnar data (Parquet files, Hive-style directories, SQL
 * query results) read through DuckDB into a job: Caffe2's
 * `HiveReader(partitions)` role. Opening lists the partitions, counts their
 * rows and checks every partition's columns against the schema the model
 * reads, before any job is built. `reader()` (in the init group) makes the
 * checkpointed cursor and returns the Reader; `attach(runner, session)`
 * feeds it while the runner trains and resumes exactly where a checkpoint
 * left off.
 *
 * @example
 * const parts = await PartitionedSource.parquet(['data/day=*'], {
 *   schema: { label: 'int32', tokens: list('int32') }, batchSize: 64, shuffleSeed: 7,
 * });
 * const reader = job.initGroup.scope(() => new Task().scope(() => parts.reader()));
 * // …epoch group: pipe(new ReaderWithLimit(reader, 1000), { numThreads: 8 }) …
 * parts.attach(runner, session);
 * await runner.train(session);
 * await parts.close();
 */
export class PartitionedSource {
  readonly schema: Struct;
  readonly batchSize: number;
  readonly shuffleSeed: number | undefined;
  readonly passes: number;
  readonly capacity: number;
  readonly name: string;
  /** This shard's partitions, in name order. */
  readonly partitions: readonly PartitionInfo[];
  private readonly _specs: ColumnSpec[];
  private readonly _columnsSql: string;
  private _reader: PartitionedReader | undefined;
  private _pump: Pump | undefined;
  private _seed = NAME_ORDER;
  private _closed = false;
  /** Chunks (DuckDB's 2048-row units) each partition's query decodes ahead: about a queue's worth of rows. */
  private readonly _aheadChunks: number;
  /** The first partitions' queries, opened as soon as the source is: they decode while the job is built and initialized. */
  private _prefetch: Map<number, PartitionStream> | undefined;
  private readonly _cache: PartitionCache | undefined;

  private constructor(
    private readonly _db: DuckDb,
    private readonly _instance: DuckInstance,
    private readonly _conns: DuckConnection[],
    private readonly _parts: Partition[],
    schemaField: Struct,
    specs: ColumnSpec[],
    columnsSql: string,
    o: PartitionedSourceOptions,
  ) {
    this.schema = schemaField;
    this._specs = specs;
    this._columnsSql = columnsSql;
    this.batchSize = o.batchSize ?? 64;
    this.shuffleSeed = o.shuffleSeed;
    this.passes = o.passes ?? 1;
    this.capacity = o.capacity ?? 16;
    this.name = o.name ?? 'partitioned';
    this.partitions = _parts.map((p) => ({ name: p.name, rows: p.rows }));
    this._cache = (o.cacheBytes ?? 0) > 0 ? new PartitionCache(o.cacheBytes!, specs) : undefined;
    this._aheadChunks = Math.min(MAX_AHEAD_CHUNKS, Math.max(2, Math.ceil((this.capacity * this.batchSize) / DUCK_CHUNK_ROWS)));
    this._prefetch = this._openFirst();
  }

  /**
   * Opens the queries of the partitions a run from the start reads first (one
   * per connection, as the pump would), so DuckDB's start-up and their
   * decoding overlap building and initializing the job. A run that resumes
   * elsewhere drops them (see start()).
   */
  private _openFirst(): Map<number, PartitionStream> {
    const order = this._order(this.shuffleSeed ?? NAME_ORDER, 0);
    const streams = new Map<number, PartitionStream>();
    for (let k = 0; k < Math.min(this._conns.length, order.length); k++) {
      const part = this._parts[order[k]!]!;
      if (part.rows > 0) streams.set(k, new PartitionStream(this._conns[k]!, part.select(this._columnsSql, 0), this._aheadChunks));
    }
    return streams;
  }

  /** Hands the prefetched queries over when the pump starts where they do, else closes them; returns what the pump may not run before. */
  private _takePrefetch(start: Cursor, seed: number): { prefetched?: Map<number, PartitionStream>; discarded?: Promise<unknown> } {
    const streams = this._prefetch;
    this._prefetch = undefined;
    if (!streams) return {};
    if (start.pass === 0 && start.position === 0 && start.offset === 0 && seed === (this.shuffleSeed ?? NAME_ORDER)) return { prefetched: streams };
    for (const s of streams.values()) s.close();
    return { discarded: Promise.all([...streams.values()].map((s) => s.finished)) };
  }

  /** Parquet files, globs, or directories (Hive-style `key=value/` ones add their keys as columns); each file is a partition. */
  static parquet(paths: string | readonly string[], options: PartitionedSourceOptions): Promise<PartitionedSource> {
    return PartitionedSource._open(options, (conn) => parquetPartitions(conn, typeof paths === 'string' ? [paths] : paths));
  }

  /** The rows of a SQL query, one partition per value of `partitionColumn`, ordered by `orderBy` inside it. */
  static sql(source: SqlSourceOptions, options: PartitionedSourceOptions): Promise<PartitionedSource> {
    return PartitionedSource._open(options, (conn) => sqlPartitions(conn, source));
  }

  private static async _open(o: PartitionedSourceOptions, list: (conn: DuckConnection) => Promise<Partition[]>): Promise<PartitionedSource> {
    if (!o || typeof o !== 'object' || o.schema === undefined) throw new InvalidArgumentError('Expected options with a schema (the record the model reads) for a partitioned source');
    const field = toField(o.schema as FieldSpec);
    const specs = columnSpecs(field);
    positiveInt(o.batchSize ?? 64, 'batchSize');
    positiveInt(o.capacity ?? 16, 'capacity');
    positiveInt(o.passes ?? 1, 'passes');
    if (o.cacheBytes !== undefined && !(Number.isSafeInteger(o.cacheBytes) && o.cacheBytes >= 0)) {
      throw new InvalidArgumentError(`Expected an integer >= 0 for cacheBytes (bytes of native memory) but received ${String(o.cacheBytes)}`);
    }
    const numShards = positiveInt(o.numShards ?? 1, 'numShards');
    const shard = o.shard ?? 0;
    if (!Number.isInteger(shard) || shard < 0 || shard >= numShards) throw new InvalidArgumentError(`Expected an integer in [0, ${numShards}) for shard but received ${String(shard)}`);
    if (o.shuffleSeed !== undefined && !(Number.isInteger(o.shuffleSeed) && o.shuffleSeed >= 0 && o.shuffleSeed < 2 ** 32)) {
      throw new InvalidArgumentError(`Expected an integer in [0, 2^32) for shuffleSeed but received ${String(o.shuffleSeed)}`);
    }
    for (const k of Object.keys(o.columns ?? {})) {
      if (!specs.some((s) => s.name === k)) throw new InvalidArgumentError(`Expected columns to name schema fields but '${k}' is not one (fields: ${specs.map((s) => s.name).join(', ')})`);
    }
    const db = await loadDuckDb();
    const config: Record<string, string> = { threads: String(positiveInt(o.threads ?? 1, 'threads')) };
    const instance = await db.DuckDBInstance.create(':memory:', config);
    const conns: DuckConnection[] = [];
    try {
      const readAhead = positiveInt(o.readAhead ?? 2, 'readAhead');
      for (let i = 0; i < readAhead; i++) conns.push(await instance.connect());
      const conn = conns[0]!;
      for (const s of o.setup ?? []) {
        try {
          await conn.run(s);
        } catch (err) {
          throw new DataError('HOGWILD_DATA', `Expected the setup SQL to run but ${duckMessage(err)}`, { cause: err });
        }
      }
      const all = await list(conn);
      const parts = all.filter((_, i) => i % numShards === shard);
      if (parts.length === 0) throw new DataError('HOGWILD_DATA', `Expected at least one partition for shard ${shard} of ${numShards} but there are only ${all.length} partitions`);
      const columnsSql = await checkColumns(conn, parts, specs, o.columns ?? {});
      return new PartitionedSource(db, instance, conns, parts, field as Struct, specs, columnsSql, o);
    } catch (err) {
      for (const c of conns) c.closeSync();
      instance.closeSync();
      throw err;
    }
  }

  /** Rows in this shard's partitions. */
  get rows(): number {
    return this.partitions.reduce((a, p) => a + p.rows, 0);
  }

  /** The DuckDB version read with. */
  get duckdbVersion(): string {
    return this._db.version;
  }

  /**
   * Adds to `net` (default: the current builder's net, in an init-group task)
   * the op that makes the cursor blob, and returns the reader. Call once.
   */
  reader(net?: Net): PartitionedReader {
    if (this._reader) throw new InvalidArgumentError(`Expected reader() to be called once on partitioned source '${this.name}' (its batches go to one reader)`);
    const cursor = new BlobReference(`${this.name}/cursor`);
    const values = [0, 0, 0, this.shuffleSeed ?? NAME_ORDER, this._parts.length];
    const target = net ?? ops.net();
    target.GivenTensorInt64Fill([], [cursor], { shape: [CURSOR_FIELDS], values });
    this._reader = new PartitionedReader(this.schema, new BlobReference(`${this.name}/queue`), cursor);
    return this._reader;
  }

  /**
   * Feeds the reader while `runner` trains in `session`: when the runner has
   * initialized (or loaded a checkpoint) the pump starts from the cursor blob;
   * after each epoch, before its checkpoint, the cursor blob is set to the
   * first row not yet consumed; when the runner is done the pump stops.
   */
  attach(runner: RunnerEvents, session: { readonly workspace: Workspace }): this {
    runner.on('init', () => this.start(session.workspace));
    runner.on('epochEnd', () => this.saveCursor(session.workspace));
    runner.on('done', () => void this.stop());
    return this;
  }

  /** Creates the queue in `ws` and starts the pump from the cursor blob there (made by reader()'s op or a checkpoint). */
  start(ws: Workspace): void {
    if (this._closed) throw new InvalidArgumentError(`Expected an open partitioned source but '${this.name}' is closed`);
    const r = this._readerOrThrow();
    if (this._pump) throw new InvalidArgumentError(`Expected partitioned source '${this.name}' to be started once`);
    const c = ws.fetch(r.cursor.name).data as BigInt64Array;
    if (c.length !== CURSOR_FIELDS) throw new DataError('HOGWILD_DATA', `Expected cursor blob '${r.cursor.name}' to hold ${CURSOR_FIELDS} int64 values but it holds ${c.length}`);
    const [pass, position, offset, seed, count] = Array.from(c, Number) as [number, number, number, number, number];
    if (count !== this._parts.length) {
      throw new DataError('HOGWILD_DATA', `Expected the ${count} partitions the cursor '${r.cursor.name}' was saved with but '${this.name}' now has ${this._parts.length}: the data changed since the checkpoint`);
    }
    const start: Cursor = { pass, position, offset };
    if (pass < 0 || position < 0 || position >= count || offset < 0 || (pass < this.passes && offset >= this._parts[this._order(seed, pass)[position]!]!.rows)) {
      throw new DataError('HOGWILD_DATA', `Expected cursor '${r.cursor.name}' to point inside the partitions but it is at pass ${pass}, position ${position}, row ${offset}`);
    }
    const nativeWs = ws._native;
    if (!nativeWs) throw new InvalidArgumentError('Expected a live workspace to start a partitioned source in');
    const fields = this.schema.fieldNames();
    const q = callNative(() => dataNative().createQueue(nativeWs, r.queue.name, { capacity: this.capacity, numBlobs: fields.length, fieldNames: fields }));
    const feeder = callNative(() => dataNative().queueFeeder(nativeWs, r.queue.name));
    this._seed = seed;
    this._pump = new Pump(
      {
        conns: this._conns,
        bindings: this._db.bindings,
        specs: this._specs,
        columnsSql: this._columnsSql,
        partitions: this._parts,
        order: (p) => this._order(seed, p),
        passes: this.passes,
        batchSize: this.batchSize,
        aheadChunks: this._aheadChunks,
        ...(this._cache ? { cache: this._cache } : {}),
        ...this._takePrefetch(start, seed),
      },
      q,
      start,
      feeder,
    );
  }

  /** Writes the position of the first unconsumed row into the cursor blob (call only while no plan runs). */
  saveCursor(ws: Workspace): Cursor {
    const r = this._readerOrThrow();
    if (!this._pump) throw new InvalidArgumentError(`Expected partitioned source '${this.name}' to be started before its cursor is saved`);
    const c = this._pump.consumedCursor();
    ws.feed(r.cursor.name, BigInt64Array.from([c.pass, c.position, c.offset, this._seed, this._parts.length], BigInt));
    return c;
  }

  /** Why the pump stopped early, if it did (a bad row, a partition gone). The run fails with it too. */
  get error(): DataError | undefined {
    return this._pump?.error;
  }

  /** Batches and rows enqueued so far. */
  get stats(): { batches: number; rows: number } {
    return { batches: this._pump?.batches ?? 0, rows: this._pump?.rows ?? 0 };
  }

  /** The in-memory cache's use (undefined without `cacheBytes`). */
  get cache(): PartitionCacheStats | undefined {
    return this._cache?.stats;
  }

  /**
   * Reads every partition of this shard whole into the cache now, `readAhead`
   * at a time (as native file readers read their files in the init group), so
   * every pass is fed from memory. Partitions over the budget are left to
   * stream. Call before the run starts; resolves with the cache's use.
   */
  async load(): Promise<PartitionCacheStats> {
    if (this._closed) throw new InvalidArgumentError(`Expected an open partitioned source but '${this.name}' is closed`);
    if (this._pump) throw new InvalidArgumentError(`Expected load() before partitioned source '${this.name}' starts (its queries share the connections)`);
    const cache = this._cache;
    if (!cache) throw new InvalidArgumentError(`Expected a cacheBytes budget on partitioned source '${this.name}' to load its partitions into`);
    const order = this._order(this.shuffleSeed ?? NAME_ORDER, 0);
    const prefetched = this._prefetch ?? new Map<number, PartitionStream>();
    this._prefetch = undefined;
    const lanes = this._conns.length;
    // Lane i reads positions i, i + lanes, … on connection i (the prefetched query k is on connection k).
    const lane = async (i: number): Promise<void> => {
      for (let k = i; k < order.length; k += lanes) {
        const part = this._parts[order[k]!]!;
        let stream = prefetched.get(k);
        prefetched.delete(k);
        if (part.rows === 0 || cache.has(part)) {
          stream?.close();
          await stream?.finished;
          continue;
        }
        stream ??= new PartitionStream(this._conns[i]!, part.select(this._columnsSql, 0), this._aheadChunks);
        try {
          await this._readWhole(stream, part, `partition '${part.name}' (${k + 1} of ${order.length})`, cache);
        } finally {
          stream.close();
          await stream.finished;
        }
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: lanes }, (_, i) => lane(i)));
    for (const s of prefetched.values()) s.close();
    await Promise.all([...prefetched.values()].map((s) => s.finished));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return cache.stats;
  }

  /** Reads one partition whole into the cache (when it fits), with the pump's checks: no NULL, the row count it was opened with. */
  private async _readWhole(stream: PartitionStream, part: Partition, where: string, cache: PartitionCache): Promise<void> {
    const collector = cache.collector(part);
    cache.misses += 1;
    let read = 0;
    for (;;) {
      let chunk;
      try {
        chunk = await stream.next();
      } catch (e) {
        const { err } = e as { err: unknown };
        throw new DataError('HOGWILD_DATA', `Expected ${where} to be readable but ${duckMessage(err)}`, { cause: err });
      }
      if (!chunk) break;
      const cols = readChunkColumns(this._db.bindings, chunk.chunk, chunk.rowCount, this._specs);
      if (!Array.isArray(cols)) throw new DataError('HOGWILD_DATA', nullMessage(cols, where, read + cols.row));
      read += chunk.rowCount;
      collector?.add(cols, chunk.rowCount);
      if (collector?.over) return;  // left to stream each pass; its rows are checked then
    }
    if (read !== part.rows) throw new DataError('HOGWILD_DATA', `Expected ${where} to have the ${part.rows} rows it had when it was opened but it has ${read}: it changed since`);
    if (collector) cache.add(part, collector);
  }

  /** Stops the pump (closing its queue); the source can not be started again. */
  async stop(): Promise<void> {
    await this._pump?.stop();
  }

  /** Stops the pump and closes DuckDB. */
  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    await this.stop();
    const unused = this._takePrefetch({ pass: -1, position: 0, offset: 0 }, NAME_ORDER).discarded;
    await unused;  // their queries must end before the connections close
    for (const c of this._conns) c.closeSync();
    this._instance.closeSync();
    this._cache?.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The read order of pass `pass`: name order without shuffleSeed, else a permutation seeded by (seed, pass). */
  private _order(seed: number, pass: number): number[] {
    const order = this._parts.map((_, i) => i);
    if (seed === NAME_ORDER) return order;
    const rand = mulberry32((seed + Math.imul(pass, 0x9e3779b9)) >>> 0);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  }

  private _readerOrThrow(): PartitionedReader {
    if (!this._reader) throw new InvalidArgumentError(`Expected reader() to be called on partitioned source '${this.name}' (in the job's init group) first`);
    return this._reader;
  }
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for ${name} but received ${String(v)}`);
  return v;
}

