/**
 * The floor of any reader that goes through DuckDB: the time DuckDB itself
 * takes to stream Parquet partitions, with the partitioned reader's own query
 * per file (one after the other, on one connection), every chunk fetched and
 * each column's values copied out once, and no training. A Parquet-fed job
 * can not read faster than this unless the scan overlaps work it would wait
 * for anyway.
 */
import { createRequire } from 'node:module';

interface Bindings {
  data_chunk_get_vector(chunk: object, i: number): object;
  vector_get_data(v: object, bytes: number): Uint8Array;
  array_vector_get_child(v: object): object;
  list_vector_get_child(v: object): object;
  list_vector_get_size(v: object): number;
}
interface Result {
  fetchChunk(): Promise<{ rowCount: number; chunk: object } | null>;
}
interface Conn {
  stream(sql: string): Promise<Result>;
  run(sql: string): Promise<{ getRowObjectsJS(): Promise<Record<string, unknown>[]> }>;
  closeSync(): void;
}
interface Api {
  DuckDBInstance: { create(path: string, o?: Record<string, string>): Promise<{ connect(): Promise<Conn>; closeSync(): void }> };
}

/** How each column is copied out: a scalar per row, a fixed array of `width` 4-byte values, or a list of 4-byte values. */
export type ScanColumn = { name: string; kind: 'scalar' } | { name: string; kind: 'array'; width: number } | { name: string; kind: 'list' };

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Seconds DuckDB takes to stream every Parquet file under `dir` `passes` times (start-up and listing excluded). */
export async function duckdbScanSeconds(dir: string, columns: readonly ScanColumn[], passes: number): Promise<number> {
  const req = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'));
  const api = (await import('@duckdb/node-api')) as unknown as Api;
  const b = ((m: Bindings & { default?: Bindings }) => m.default ?? m)(req('@duckdb/node-bindings') as Bindings & { default?: Bindings });
  // One DuckDB thread, as the reader runs each query (see PartitionedSourceOptions.threads).
  const instance = await api.DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    const files = (await (await conn.run(`SELECT file FROM glob(${sqlString(`${dir}/**/*.parquet`)}) ORDER BY file`)).getRowObjectsJS()).map((r) => String(r.file));
    const list = columns.map((c) => `"${c.name}"`).join(', ');
    const t0 = performance.now();
    for (let pass = 0; pass < passes; pass++) {
      for (const f of files) {
        const result = await conn.stream(`SELECT ${list} FROM read_parquet(${sqlString(f)}, hive_partitioning = true, file_row_number = true)`);
        for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
          columns.forEach((c, i) => {
            const v = b.data_chunk_get_vector(chunk.chunk, i);
            if (c.kind === 'scalar') b.vector_get_data(v, chunk.rowCount * 4);
            else if (c.kind === 'array') b.vector_get_data(b.array_vector_get_child(v), chunk.rowCount * c.width * 4);
            else b.vector_get_data(b.list_vector_get_child(v), b.list_vector_get_size(v) * 4);
          });
        }
      }
    }
    return (performance.now() - t0) / 1000;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
