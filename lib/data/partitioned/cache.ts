/**
 * The partitioned reader's in-memory cache: a partition read whole from
 * DuckDB once is copied into native memory (one tensor per column), and every
 * later pass feeds its batches from there on a native worker thread, with no
 * DuckDB decode and no JS per batch. Bounded by a byte budget: a partition
 * that would not fit is streamed from DuckDB every pass. A Parquet partition
 * is fed from the cache only while its file's size and modification time are
 * those it had when it was read.
 */
import { DataError } from '../../errors/index.js';
import type { TensorData } from '../../native/coreTypes.js';
import type { NativeCachedColumn } from '../../native/dataTypes.js';
import { callNative } from '../../runtime/errors.js';
import { dataNative } from '../../runtime/nativeAreas.js';
import { concatArrays, type ChunkColumn, type ColumnSpec } from './columns.js';
import type { Partition } from './sources.js';

interface Entry {
  readonly handle: object;
  readonly bytes: number;
  readonly rows: number;
  /** The file's size and mtime when it was read (undefined: nothing to compare, a SQL partition). */
  readonly stamp: string | undefined;
}

/** What the cache holds and how it was used. */
export interface PartitionCacheStats {
  /** The budget (bytes). */
  readonly maxBytes: number;
  /** Native bytes held. */
  readonly bytes: number;
  /** Partitions held. */
  readonly partitions: number;
  /** Partition reads fed from the cache. */
  readonly hits: number;
  /** Partition reads from DuckDB (the first of each, and every read of one over the budget). */
  readonly misses: number;
  /** Partition reads that were not kept: the partition did not fit the budget left. */
  readonly overBudget: number;
}

export class PartitionCache {
  private readonly _entries = new Map<Partition, Entry>();
  private _bytes = 0;
  /** Bytes claimed by collectors still reading (partitions read at once share the budget). */
  private _reserved = 0;
  hits = 0;
  misses = 0;
  overBudget = 0;

  constructor(
    readonly maxBytes: number,
    private readonly _specs: readonly ColumnSpec[],
  ) {}

  get stats(): PartitionCacheStats {
    return { maxBytes: this.maxBytes, bytes: this._bytes, partitions: this._entries.size, hits: this.hits, misses: this.misses, overBudget: this.overBudget };
  }

  has(part: Partition): boolean {
    return this._entries.has(part);
  }

  /** The native handle of a cached partition, after checking its file did not change since; undefined when not cached. */
  take(part: Partition, where: string): { handle: object; rows: number } | undefined {
    const e = this._entries.get(part);
    if (!e) return undefined;
    const now = part.stamp?.();
    if (e.stamp !== now) {
      throw new DataError('HOGWILD_DATA', `Expected ${where} to be unchanged since it was read into the cache but its file ${now === undefined ? 'is gone' : `changed (size:mtime ${e.stamp} -> ${now})`}`);
    }
    return { handle: e.handle, rows: e.rows };
  }

  /** A collector for a partition read from row 0, or undefined when caching is off or it is held already. */
  collector(part: Partition): PartitionCollector | undefined {
    if (this.maxBytes <= 0 || this._entries.has(part)) return undefined;
    return new PartitionCollector(this._specs, (n) => this._reserve(n), part.stamp?.());
  }

  /** Claims `n` more bytes of the budget (negative: gives them back); false when they do not fit. */
  private _reserve(n: number): boolean {
    if (n > 0 && this._bytes + this._reserved + n > this.maxBytes) return false;
    this._reserved += n;
    return true;
  }

  /** Copies a collected partition into native memory (if it fit). */
  add(part: Partition, c: PartitionCollector): void {
    if (c.over) {
      this.overBudget += 1;
      return;
    }
    this._reserved -= c.bytes;
    if (this._entries.has(part)) return;
    const names = this._specs.map((s) => s.name);
    const native = callNative(() => dataNative().cachePartition(c.rows, c.columns(), names));
    this._entries.set(part, { handle: native.handle, bytes: native.bytes, rows: c.rows, stamp: c.stamp });
    this._bytes += native.bytes;
  }

  /** Drops every entry (native memory goes when the handles are collected). */
  clear(): void {
    this._entries.clear();
    this._bytes = 0;
  }
}

/** Gathers one partition's chunk columns while it is read; gives up (dropping them) once they exceed the budget left. */
export class PartitionCollector {
  private _chunks: ChunkColumn[][] = [];
  /** Native bytes the partition will take (claimed from the budget as it grows). */
  bytes = 0;
  rows = 0;
  over = false;

  constructor(
    private readonly _specs: readonly ColumnSpec[],
    private readonly _reserve: (bytes: number) => boolean,
    /** The file's size:mtime when the read started. */
    readonly stamp: string | undefined,
  ) {}

  add(cols: ChunkColumn[], rows: number): void {
    if (this.over) return;
    // As held natively: list offsets are int64, one per row plus one per column.
    let n = this.rows === 0 ? 8 * cols.filter((c) => c.kind === 'list').length : 0;
    for (const c of cols) n += c.kind === 'scalar' ? c.data.byteLength : c.lengths.byteLength + c.values.byteLength + 8 * rows;
    if (!this._reserve(n)) {
      this._reserve(-this.bytes);
      this.bytes = 0;
      this.over = true;
      this._chunks = [];
      return;
    }
    this.bytes += n;
    this._chunks.push(cols);
    this.rows += rows;
  }

  /** The columns joined per field, for the native copy. */
  columns(): NativeCachedColumn[] {
    return this._specs.map((spec, c) => {
      if (spec.kind === 'scalar') {
        const data = concatArrays(spec.dtype, this._chunks.map((ch) => (ch[c] as Extract<ChunkColumn, { kind: 'scalar' }>).data));
        return { data: { dtype: spec.dtype, shape: [this.rows, ...spec.shape], data } as TensorData };
      }
      const lists = this._chunks.map((ch) => ch[c] as Extract<ChunkColumn, { kind: 'list' }>);
      const lengths = concatArrays('int32', lists.map((l) => l.lengths));
      const values = concatArrays(spec.dtype, lists.map((l) => l.values));
      return { lengths: { dtype: 'int32', shape: [this.rows], data: lengths } as TensorData, values: { dtype: spec.dtype, shape: [values.length], data: values } as TensorData };
    });
  }
}
