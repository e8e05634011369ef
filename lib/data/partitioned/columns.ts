/**
 * The columns a partitioned reader yields: each top-level schema field is one
 * SQL column, checked against its DuckDB type before anything is read, and
 * turned into typed arrays one DuckDB chunk (about 2048 rows) at a time: one
 * block copy per vector out of DuckDB's memory (the bindings' vector_get_data
 * copies), then subarrays. There is no JS value per row: list lengths and NULL
 * checks are typed-array loops over a chunk.
 */
import { DataError, InvalidArgumentError } from '../../errors/index.js';
import type { DType } from '../../native/coreTypes.js';
import { List, Scalar, Struct, type Field } from '../schema.js';
import { TypeId, type DuckBindings, type DuckType, type RawVector } from './duckdb.js';

export type NumericArray = Int32Array | BigInt64Array | Float32Array | Float64Array | Uint8Array;

/** One field of the record schema read from one SQL column. */
export interface ColumnSpec {
  /** Field (and column) name. */
  readonly name: string;
  readonly kind: 'scalar' | 'list';
  readonly dtype: DType;
  /** Row shape of a scalar (a fixed-size ARRAY column when not empty). */
  readonly shape: readonly number[];
  /** Elements per row of a scalar (product of shape). */
  readonly width: number;
}

const DUCK_OF: Record<DType, { id: number; sql: string }> = {
  int32: { id: TypeId.INTEGER, sql: 'INTEGER' },
  int64: { id: TypeId.BIGINT, sql: 'BIGINT' },
  float32: { id: TypeId.FLOAT, sql: 'FLOAT' },
  float64: { id: TypeId.DOUBLE, sql: 'DOUBLE' },
  uint8: { id: TypeId.UTINYINT, sql: 'UTINYINT' },
  bool: { id: TypeId.BOOLEAN, sql: 'BOOLEAN' },
};

const BYTES: Record<DType, number> = { int32: 4, int64: 8, float32: 4, float64: 8, uint8: 1, bool: 1 };

/** The columns of a record schema: a struct whose children are scalars or lists of scalars. */
export function columnSpecs(schema: Field): ColumnSpec[] {
  if (!(schema instanceof Struct)) {
    throw new InvalidArgumentError(`Expected a struct schema (one field per column) for a partitioned reader but received ${schema.toString()}`);
  }
  return schema.children.map(([name, f]) => {
    if (f instanceof Scalar) return { name, kind: 'scalar', dtype: f.dtype, shape: f.shape, width: f.shape.reduce((a, b) => a * b, 1) };
    if (f instanceof List && f.values instanceof Scalar && f.values.shape.length === 0) {
      return { name, kind: 'list', dtype: f.values.dtype, shape: [], width: 1 };
    }
    throw new InvalidArgumentError(`Expected field '${name}' to be a scalar or a list of scalars (one SQL column) but received ${f.toString()}`);
  });
}

/** The SQL type a column must have for `spec` (for messages and casts). */
export function expectedSqlType(spec: ColumnSpec): string {
  const base = DUCK_OF[spec.dtype].sql;
  if (spec.kind === 'list') return `${base}[]`;
  // A row of any shape is one flat ARRAY of its elements (the tensor takes the shape).
  return spec.shape.length === 0 ? base : `${base}[${spec.width}]`;
}

/** Why `type` cannot feed `spec`, or undefined when it can. */
export function typeMismatch(spec: ColumnSpec, type: DuckType): string | undefined {
  const want = DUCK_OF[spec.dtype].id;
  if (spec.kind === 'list') {
    if (type.typeId === TypeId.LIST && type.valueType?.typeId === want) return undefined;
  } else if (spec.shape.length === 0) {
    if (type.typeId === want) return undefined;
  } else if (type.typeId === TypeId.ARRAY && type.length === spec.width && type.valueType?.typeId === want) {
    return undefined;
  }
  return `is ${type.toString()} but the schema needs ${expectedSqlType(spec)} (${spec.kind === 'list' ? `list('${spec.dtype}')` : spec.dtype}${spec.shape.length ? ` [${spec.shape.join(', ')}]` : ''})`;
}

/** One column of one chunk as typed arrays (lists: per-row lengths and start offsets into `values`). */
export type ChunkColumn =
  | { readonly kind: 'scalar'; readonly data: NumericArray }
  | { readonly kind: 'list'; readonly lengths: Int32Array; readonly starts: Float64Array; readonly values: NumericArray };

/** Where a NULL was found (row within the chunk; -1 for a NULL list element). */
export interface NullAt {
  readonly column: string;
  readonly row: number;
  readonly inList: boolean;
}

/**
 * Reads column `index` of a chunk of `rows` rows. Returns the column, or where
 * its first NULL is: a model input has no NULL.
 */
export function readChunkColumn(b: DuckBindings, chunk: object, index: number, rows: number, spec: ColumnSpec): ChunkColumn | NullAt {
  const vector = b.data_chunk_get_vector(chunk, index);
  const bad = firstNull(b, vector, 0, rows);
  if (bad >= 0) return { column: spec.name, row: bad, inList: false };
  if (spec.kind === 'scalar') {
    if (spec.shape.length === 0) return { kind: 'scalar', data: view(b, vector, spec.dtype, rows) };
    const child = b.array_vector_get_child(vector);
    const n = rows * spec.width;
    const badItem = firstNull(b, child, 0, n);
    if (badItem >= 0) return { column: spec.name, row: Math.floor(badItem / spec.width), inList: true };
    return { kind: 'scalar', data: view(b, child, spec.dtype, n) };
  }
  // A LIST vector holds (offset u64, length u64) per row into one child vector.
  const entries = b.vector_get_data(vector, rows * 16);
  const e32 = new Uint32Array(entries.buffer, entries.byteOffset, rows * 4);
  const lengths = new Int32Array(rows);
  const starts = new Float64Array(rows + 1);
  let next = e32[0]!;
  let contiguous = true;
  for (let i = 0; i < rows; i++) {
    const off = e32[4 * i]!, len = e32[4 * i + 2]!;
    // High words are 0 within a chunk's child vector (far below 2^32 items).
    if (e32[4 * i + 1] !== 0 || e32[4 * i + 3] !== 0) throw new DataError('HOGWILD_DATA', `Expected list column '${spec.name}' to have fewer than 2^32 items per chunk`);
    if (off !== next) contiguous = false;
    lengths[i] = len;
    starts[i] = next - e32[0]!;
    next = off + len;
  }
  const child = b.list_vector_get_child(vector);
  const childSize = b.list_vector_get_size(vector);
  const all = view(b, child, spec.dtype, childSize);
  let values: NumericArray;
  if (contiguous) {
    starts[rows] = next - e32[0]!;
    if (rows > 0 && next > childSize) throw new DataError('HOGWILD_DATA', `Expected list column '${spec.name}' to lie inside its child vector`);
    values = rows === 0 ? all.subarray(0, 0) : all.subarray(e32[0]!, next);
    const badItem = rows === 0 ? -1 : firstNull(b, child, e32[0]!, next - e32[0]!);
    if (badItem >= 0) return { column: spec.name, row: rowOfItem(starts, badItem), inList: true };
  } else {
    // Rows out of order in the child (DuckDB may do this after a filter): gather them.
    let total = 0;
    for (let i = 0; i < rows; i++) total += lengths[i]!;
    values = newArray(spec.dtype, total);
    let at = 0;
    for (let i = 0; i < rows; i++) {
      const off = e32[4 * i]!, len = lengths[i]!;
      if (off + len > childSize) throw new DataError('HOGWILD_DATA', `Expected list column '${spec.name}' to lie inside its child vector`);
      if (firstNull(b, child, off, len) >= 0) return { column: spec.name, row: i, inList: true };
      starts[i] = at;
      (values as Float64Array).set((all as Float64Array).subarray(off, off + len), at);
      at += len;
    }
    starts[rows] = at;
  }
  return { kind: 'list', lengths, starts, values };
}

/** Every column of a chunk (in `specs` order), or where the first NULL is. */
export function readChunkColumns(b: DuckBindings, chunk: object, rows: number, specs: readonly ColumnSpec[]): ChunkColumn[] | NullAt {
  const cols: ChunkColumn[] = [];
  for (let c = 0; c < specs.length; c++) {
    const col = readChunkColumn(b, chunk, c, rows, specs[c]!);
    if ('column' in col) return col;
    cols.push(col);
  }
  return cols;
}

/** The message of a NULL found at `row` of a partition described by `where`. */
export function nullMessage(at: NullAt, where: string, row: number): string {
  return `Expected no NULL in column '${at.column}' of ${where} but row ${row} has one${at.inList ? ' in its list' : ''}: the model needs every value (filter or fill it in SQL)`;
}

function rowOfItem(starts: Float64Array, item: number): number {
  let row = 0;
  while (row + 1 < starts.length && starts[row + 1]! <= item) row++;
  return row;
}

/** `count` items of a vector's data as a typed array (one block copy made by the bindings). */
function view(b: DuckBindings, vector: RawVector, dtype: DType, count: number): NumericArray {
  const bytes = b.vector_get_data(vector, count * BYTES[dtype]);
  const aligned = bytes.byteOffset % BYTES[dtype] === 0;
  const u8 = aligned ? bytes : bytes.slice();
  switch (dtype) {
    case 'int32': return new Int32Array(u8.buffer, u8.byteOffset, count);
    case 'int64': return new BigInt64Array(u8.buffer, u8.byteOffset, count);
    case 'float32': return new Float32Array(u8.buffer, u8.byteOffset, count);
    case 'float64': return new Float64Array(u8.buffer, u8.byteOffset, count);
    default: return new Uint8Array(u8.buffer, u8.byteOffset, count);
  }
}

export function newArray(dtype: DType, n: number): NumericArray {
  switch (dtype) {
    case 'int32': return new Int32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    default: return new Uint8Array(n);
  }
}

/** The parts one after the other in a new array of `dtype`. */
export function concatArrays(dtype: DType, parts: readonly NumericArray[]): NumericArray {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = newArray(dtype, n);
  let at = 0;
  for (const p of parts) {
    (out as Float64Array).set(p as Float64Array, at);
    at += p.length;
  }
  return out;
}

/** Index (from `start`) of the first NULL among `count` items, or -1. A vector without a mask has none. */
function firstNull(b: DuckBindings, vector: RawVector, start: number, count: number): number {
  if (count <= 0) return -1;
  const end = start + count;
  const mask = b.vector_get_validity(vector, Math.ceil(end / 64) * 8);
  if (!mask) return -1;
  let i = start;
  while (i < end) {
    if ((i & 7) === 0 && i + 8 <= end) {
      if (mask[i >> 3] === 0xff) {
        i += 8;
        continue;
      }
    }
    if ((mask[i >> 3]! & (1 << (i & 7))) === 0) return i - start;
    i++;
  }
  return -1;
}
