/**
 * Moves a partition list into a native queue, batch by batch, in one fixed
 * order, and remembers where each batch ended so the position of the next
 * unread row is known exactly whenever the plan is not running: rows enqueued
 * minus rows still queued. DuckDB decodes on its own threads (fetchChunk is
 * async), the next partitions ahead of time (see PartitionStream; the first
 * ones may have been opened with the source, before the pump); the JS
 * thread only cuts chunks into batches and enqueues them, waiting while the
 * queue is full. A partition held in the cache is fed from native memory on
 * a worker thread instead (no DuckDB, no JS per batch).
 */
import { DataError } from '../../errors/index.js';
import type { NativeQueue } from '../../native/dataTypes.js';
import { callNative } from '../../runtime/errors.js';
import { dataNative } from '../../runtime/nativeAreas.js';
import { Batcher } from './batcher.js';
import type { PartitionCache } from './cache.js';
import { nullMessage, readChunkColumns, type ColumnSpec } from './columns.js';
import type { DuckBindings, DuckConnection } from './duckdb.js';
import { PartitionStream } from './PartitionStream.js';
import { duckMessage, type Partition } from './sources.js';

/** A position in the read order: pass `pass`, the partition at `position` of that pass's order, from row `offset`. */
export interface Cursor {
  pass: number;
  position: number;
  offset: number;
}

export interface PumpInput {
  /** One connection per partition read at once (the current one and those read ahead). */
  conns: readonly DuckConnection[];
  bindings: DuckBindings;
  specs: readonly ColumnSpec[];
  /** The SELECT list (expressions AS field names). */
  columnsSql: string;
  partitions: readonly Partition[];
  /** Indices into `partitions`, in the read order of pass `p`. */
  order(pass: number): readonly number[];
  /** Passes over the partitions before the data ends. */
  passes: number;
  batchSize: number;
  /** Chunks each partition's query buffers ahead of the pump. */
  aheadChunks: number;
  /** Queries already running for the first partitions of the read order (by index in it), opened before the pump started. */
  prefetched?: ReadonlyMap<number, PartitionStream>;
  /** Settles when queries opened before the pump but not used by it no longer touch their connections. */
  discarded?: Promise<unknown>;
  /** Partitions held in native memory, fed from there (and filled by the partitions read whole). */
  cache?: PartitionCache;
}

export class Pump {
  /** Why the pump stopped early (the run fails with it too). */
  error: DataError | undefined;
  batches = 0;
  rows = 0;
  private _base: Cursor;
  /** The cursor after each enqueued batch not yet known to be consumed (the first is batch number `_dropped`). */
  private _after: Cursor[] = [];
  private _dropped = 0;
  /** The queue held natively: its dequeue count, and cached partitions' feeding. */
  private readonly _feeder: object;
  private _stopped = false;
  private readonly _streams = new Map<number, PartitionStream>();
  private readonly _inFlight = new Set<Promise<void>>();
  readonly done: Promise<void>;

  constructor(
    private readonly _in: PumpInput,
    private readonly _queue: NativeQueue,
    start: Cursor,
    feeder: object,
  ) {
    this._base = { ...start };
    this._feeder = feeder;
    this.done = this._run(start);
  }

  /**
   * The cursor of the first row the plan has not dequeued. Only exact while no
   * plan runs (between epochs); it also forgets what it no longer needs.
   */
  consumedCursor(): Cursor {
    // Batches dequeued since the queue was made: exact whatever a native feeder is still enqueueing.
    const dequeued = callNative(() => dataNative().queueDequeued(this._feeder));
    const consumed = dequeued - this._dropped;
    if (consumed > 0) {
      this._base = this._after[consumed - 1]!;
      this._after = this._after.slice(consumed);
      this._dropped = dequeued;
    }
    return { ...this._base };
  }

  /** Ends the pump: closes the queue (a blocked enqueue wakes up) and stops after the current chunk. */
  async stop(): Promise<void> {
    this._stopped = true;
    this._queue.close();
    for (const s of this._streams.values()) s.close();
    await this.done;
    await Promise.all(this._inFlight);  // no query may outlive the pump: the connections close next
  }

  private _fail(message: string, cause?: unknown): void {
    this.error = new DataError('HOGWILD_DATA', message, cause === undefined ? undefined : { cause });
    this._queue.fail(message);
  }

  private async _run(start: Cursor): Promise<void> {
    const { partitions, passes, conns, columnsSql } = this._in;
    await this._in.discarded;  // a connection runs one query at a time
    // Every partition read from here on, in order (a pass's order is known up front).
    const seq: { at: Cursor; part: Partition; count: number }[] = [];
    for (let pass = start.pass, pos = start.position, offset = start.offset; pass < passes; pass++, pos = 0) {
      const order = this._in.order(pass);
      for (; pos < order.length; pos++, offset = 0) seq.push({ at: { pass, position: pos, offset }, part: partitions[order[pos]!]!, count: order.length });
    }
    // Partition k reads on connection k mod R; it is opened once k - R + 1 is being read, after k - R ended.
    const track = (k: number, stream: PartitionStream) => {
      this._streams.set(k, stream);
      this._inFlight.add(stream.finished);
      void stream.finished.then(() => this._inFlight.delete(stream.finished));
    };
    // The prefetched queries were opened by the same rule (partition k on connection k mod R, from its first row).
    for (const [k, stream] of this._in.prefetched ?? []) track(k, stream);
    const open = (k: number) => {
      const item = seq[k];
      if (!item || this._streams.has(k) || item.at.offset >= item.part.rows || this._in.cache?.has(item.part)) return;
      track(k, new PartitionStream(conns[k % conns.length]!, item.part.select(columnsSql, item.at.offset), this._in.aheadChunks));
    };
    try {
      for (let k = 0; k < seq.length; k++) {
        for (let j = k; j < k + conns.length; j++) open(j);
        const ok = await this._partition(seq[k]!.at, seq[k]!.part, seq[k]!.count, this._streams.get(k));
        this._streams.get(k)?.close();
        this._streams.delete(k);
        if (!ok) return;
      }
      this._queue.close();
    } catch (err) {
      this._fail(`The partitioned reader failed: ${duckMessage(err)}`, err);
    } finally {
      for (const s of this._streams.values()) s.close();
      this._streams.clear();
    }
  }

  /** Reads one partition from `at.offset`; false when the pump must stop (closed queue or an error). */
  private async _partition(at: Cursor, part: Partition, count: number, stream: PartitionStream | undefined): Promise<boolean> {
    const { bindings, specs, batchSize } = this._in;
    const { pass, position: pos, offset } = at;
    const where = `partition '${part.name}' (${pos + 1} of ${count}${this._in.passes > 1 ? `, pass ${pass + 1}` : ''})`;
    if (offset >= part.rows) return true;
    const cache = this._in.cache;
    if (cache?.has(part)) {
      // Opened before the partition was cached: its connection must be idle before it runs the next query.
      stream?.close();
      await stream?.finished;
      return this._feedCached(at, part, count, cache, where);
    }
    if (!stream) return true;
    if (cache) cache.misses += 1;
    const collector = offset === 0 ? cache?.collector(part) : undefined;
    const batcher = new Batcher(specs, batchSize);
    let read = offset;  // rows of this partition fetched so far
    let sent = offset;  // rows of this partition enqueued so far
    const send = async (): Promise<boolean> => {
      const n = batcher.rows;
      const ok = await this._enqueue(batcher.take(), sent + n < part.rows ? { pass, position: pos, offset: sent + n } : pos + 1 < count ? { pass, position: pos + 1, offset: 0 } : { pass: pass + 1, position: 0, offset: 0 });
      sent += n;
      this.rows += n;
      return ok;
    };
    for (;;) {
      let chunk;
      try {
        chunk = await stream.next();
      } catch (e) {
        const { err, atChunk } = e as { err: unknown; atChunk: number };
        this._fail(`Expected ${where} to be readable${atChunk > 0 ? ` at row ${read}` : ''} but ${duckMessage(err)}`, err);
        return false;
      }
      if (this._stopped) return false;
      if (!chunk) break;
      const n = chunk.rowCount;
      if (read + n > part.rows) {
        this._fail(`Expected ${where} to have the ${part.rows} rows it had when it was opened but it now has more: it changed during the run`);
        return false;
      }
      const cols = readChunkColumns(bindings, chunk.chunk, n, specs);
      if (!Array.isArray(cols)) {
        this._fail(nullMessage(cols, where, read + cols.row));
        return false;
      }
      collector?.add(cols, n);
      for (let i = 0; i < n; ) {
        i += batcher.add(cols, chunk, i, n);
        if (batcher.full && !(await send())) return false;
      }
      read += n;
    }
    if (batcher.rows > 0 && !(await send())) return false;
    if (read !== part.rows) {
      this._fail(`Expected ${where} to have the ${part.rows} rows it had when it was opened but it has ${read}: it changed during the run`);
      return false;
    }
    if (collector) this._in.cache!.add(part, collector);
    return true;
  }

  /** Feeds a cached partition from `at.offset` on a native worker thread; false when the pump must stop. */
  private async _feedCached(at: Cursor, part: Partition, count: number, cache: PartitionCache, where: string): Promise<boolean> {
    const { batchSize } = this._in;
    const { pass, position: pos, offset } = at;
    let entry;
    try {
      entry = cache.take(part, where);
    } catch (err) {
      this._fail((err as Error).message, err);
      return false;
    }
    if (!entry || entry.rows !== part.rows) {
      this._fail(`Expected ${where} to have the ${part.rows} rows it had when it was opened but the cache holds ${entry?.rows ?? 0}`);
      return false;
    }
    cache.hits += 1;
    const next: Cursor = pos + 1 < count ? { pass, position: pos + 1, offset: 0 } : { pass: pass + 1, position: 0, offset: 0 };
    const planned = this._after.length;
    // Every batch's end cursor goes in first: the dequeue count never passes the enqueue count.
    for (let r = offset; r < part.rows; r += batchSize) this._after.push(r + batchSize < part.rows ? { pass, position: pos, offset: r + batchSize } : next);
    const want = this._after.length - planned;
    const fed = await dataNative().feedCachedPartition(this._feeder, entry.handle, offset, batchSize);
    this.batches += fed;
    this.rows += Math.min(part.rows - offset, fed * batchSize);
    if (fed < want) {
      this._after.length = planned + fed;
      return false;
    }
    return !this._stopped;
  }

  private async _enqueue(batch: ReturnType<Batcher['take']>, after: Cursor): Promise<boolean> {
    const q = this._queue;
    let pushed = q.tryEnqueue(batch.tensors);
    while (pushed === 'full') {
      await q.waitWritable();
      // `owners` keeps the batch's chunks alive across the wait (cheap insurance if a column is ever a view).
      pushed = batch.owners.length > 0 ? q.tryEnqueue(batch.tensors) : 'closed';
    }
    if (pushed === 'closed') return false;
    this._after.push(after);
    this.batches += 1;
    return true;
  }
}
