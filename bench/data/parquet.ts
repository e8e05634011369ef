/**
 * Writes benchmark data as Hive-style Parquet partitions (`<dir>/part=<k>/…`)
 * straight from typed arrays: DuckDB data chunks are filled with memcpys into
 * their vectors (no JS value per row) and appended, then COPY … PARTITION_BY.
 * Partitions hold `rowsPerPartition` rows each, in order, so a reader with a
 * batch size dividing it cuts the same batches as one reading the arrays.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** The vector-level API of @duckdb/node-bindings this writer uses. */
interface Bindings {
  open(path?: string): Promise<object>;
  connect(db: object): Promise<object>;
  query(conn: object, sql: string): Promise<object>;
  disconnect_sync(conn: object): void;
  close_sync(db: object): void;
  create_logical_type(type: number): object;
  create_array_type(t: object, size: number): object;
  create_list_type(t: object): object;
  create_data_chunk(types: readonly object[]): object;
  data_chunk_get_vector(chunk: object, i: number): object;
  data_chunk_set_size(chunk: object, n: number): void;
  array_vector_get_child(v: object): object;
  list_vector_get_child(v: object): object;
  list_vector_reserve(v: object, n: number): void;
  list_vector_set_size(v: object, n: number): void;
  copy_data_to_vector(v: object, targetByteOffset: number, buf: ArrayBufferLike, srcByteOffset: number, bytes: number): void;
  appender_create(conn: object, schema: string | null, table: string): object;
  append_data_chunk(app: object, chunk: object): void;
  appender_close_sync(app: object): void;
}

const INTEGER = 4;
const FLOAT = 10;
const CHUNK = 2048;

function bindings(): Bindings {
  const req = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'));
  const b = req('@duckdb/node-bindings') as Bindings & { default?: Bindings };
  return b.default ?? b;
}

/** A column: int32 scalars, float32 arrays of `width`, or int32 lists (lengths + values). */
export type ParquetColumn =
  | { name: string; kind: 'int32'; data: Int32Array }
  | { name: string; kind: 'float32array'; width: number; data: Float32Array }
  | { name: string; kind: 'int32list'; lengths: Int32Array; values: Int32Array };

function sqlType(c: ParquetColumn): string {
  return c.kind === 'int32' ? 'INTEGER' : c.kind === 'float32array' ? `FLOAT[${c.width}]` : 'INTEGER[]';
}

/** Writes `rows` rows of `columns` to `dir` as partitions of `rowsPerPartition` rows. */
export async function writeParquetPartitions(dir: string, rows: number, columns: readonly ParquetColumn[], rowsPerPartition: number): Promise<void> {
  const b = bindings();
  mkdirSync(dirname(dir), { recursive: true });
  const db = await b.open(':memory:');
  const conn = await b.connect(db);
  try {
    await b.query(conn, `CREATE TABLE t (part INTEGER, ${columns.map((c) => `"${c.name}" ${sqlType(c)}`).join(', ')})`);
    const types = [
      b.create_logical_type(INTEGER),
      ...columns.map((c) =>
        c.kind === 'int32' ? b.create_logical_type(INTEGER) : c.kind === 'float32array' ? b.create_array_type(b.create_logical_type(FLOAT), c.width) : b.create_list_type(b.create_logical_type(INTEGER)),
      ),
    ];
    const listStarts = columns.map((c) => (c.kind === 'int32list' ? prefixSums(c.lengths) : undefined));
    const app = b.appender_create(conn, null, 't');
    const part = Int32Array.from({ length: rows }, (_, i) => Math.floor(i / rowsPerPartition));
    for (let from = 0; from < rows; from += CHUNK) {
      const n = Math.min(CHUNK, rows - from);
      const chunk = b.create_data_chunk(types);
      b.copy_data_to_vector(b.data_chunk_get_vector(chunk, 0), 0, part.buffer, from * 4, n * 4);
      columns.forEach((c, i) => {
        const v = b.data_chunk_get_vector(chunk, i + 1);
        if (c.kind === 'int32') b.copy_data_to_vector(v, 0, c.data.buffer, c.data.byteOffset + from * 4, n * 4);
        else if (c.kind === 'float32array') b.copy_data_to_vector(b.array_vector_get_child(v), 0, c.data.buffer, c.data.byteOffset + from * c.width * 4, n * c.width * 4);
        else {
          const starts = listStarts[i]!;
          const first = starts[from]!, total = starts[from + n]! - first;
          const entries = new BigUint64Array(2 * n);
          for (let r = 0; r < n; r++) {
            entries[2 * r] = BigInt(starts[from + r]! - first);
            entries[2 * r + 1] = BigInt(c.lengths[from + r]!);
          }
          b.copy_data_to_vector(v, 0, entries.buffer, 0, entries.byteLength);
          b.list_vector_reserve(v, total);
          b.list_vector_set_size(v, total);
          b.copy_data_to_vector(b.list_vector_get_child(v), 0, c.values.buffer, c.values.byteOffset + first * 4, total * 4);
        }
      });
      b.data_chunk_set_size(chunk, n);
      b.append_data_chunk(app, chunk);
    }
    b.appender_close_sync(app);
    await b.query(conn, 'SET threads = 1');  // one file per partition, rows in order
    await b.query(conn, `COPY (SELECT * FROM t ORDER BY rowid) TO '${dir.replaceAll("'", "''")}' (FORMAT parquet, PARTITION_BY (part), OVERWRITE_OR_IGNORE true)`);
  } finally {
    b.disconnect_sync(conn);
    b.close_sync(db);
  }
}

function prefixSums(lengths: Int32Array): Float64Array {
  const out = new Float64Array(lengths.length + 1);
  for (let i = 0; i < lengths.length; i++) out[i + 1] = out[i]! + lengths[i]!;
  return out;
}
