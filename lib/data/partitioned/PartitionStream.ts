/**
 * One partition's query, running ahead of the pump: it fetches DuckDB chunks
 * into a small buffer (at most `maxChunks`) as soon as it is opened, so the
 * next partitions decode (on DuckDB's threads) while the current one is cut
 * into batches. Each open stream has its own connection: a connection runs
 * one streaming query at a time.
 */
import type { DuckChunk, DuckConnection } from './duckdb.js';

export class PartitionStream {
  private readonly _chunks: DuckChunk[] = [];
  private _done = false;
  private _error: { err: unknown; atChunk: number } | undefined;
  private _fetched = 0;
  private _wakeReader: (() => void) | undefined;
  private _wakeFetcher: (() => void) | undefined;
  private _closed = false;
  /** Settles when the query is no longer touched (its connection may then be closed or reused). */
  readonly finished: Promise<void>;

  constructor(conn: DuckConnection, sql: string, private readonly _maxChunks = 2) {
    this.finished = this._run(conn, sql);
  }

  /** The next chunk, or null at the end; rejects with DuckDB's error (and the chunk it failed at: 0 = opening). */
  async next(): Promise<DuckChunk | null> {
    while (this._chunks.length === 0 && !this._done) await new Promise<void>((r) => (this._wakeReader = r));
    const c = this._chunks.shift();
    this._wake('fetcher');
    if (c) return c;
    if (this._error) throw this._error;
    return null;
  }

  /** Stops fetching (a chunk in flight is dropped). */
  close(): void {
    this._closed = true;
    this._wake('fetcher');
  }

  private async _run(conn: DuckConnection, sql: string): Promise<void> {
    try {
      const result = await conn.stream(sql);
      while (!this._closed) {
        while (this._chunks.length >= this._maxChunks && !this._closed) await new Promise<void>((r) => (this._wakeFetcher = r));
        if (this._closed) break;
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        this._fetched += 1;
        this._chunks.push(chunk);
        this._wake('reader');
      }
    } catch (err) {
      this._error = { err, atChunk: this._fetched };
    } finally {
      this._done = true;
      this._wake('reader');
    }
  }

  private _wake(who: 'reader' | 'fetcher'): void {
    const w = who === 'reader' ? this._wakeReader : this._wakeFetcher;
    if (who === 'reader') this._wakeReader = undefined;
    else this._wakeFetcher = undefined;
    w?.();
  }
}
