/**
 * Cuts chunks (DuckDB's ~2048-row units) into batches of `batchSize` rows as
 * TensorData, one tensor per schema field (`x`, or `x:lengths` + `x:values`
 * for a list). A batch inside one chunk is made of subarrays of that chunk's
 * columns; one spanning chunks is concatenated with TypedArray.set (a memcpy
 * per piece). The enqueue copies the batch into native tensors.
 */
import type { TensorData } from '../../native/coreTypes.js';
import { concatArrays, type ChunkColumn, type ColumnSpec, type NumericArray } from './columns.js';

interface Piece {
  cols: ChunkColumn[];
  /** The chunk the columns came from, kept alive until the batch is enqueued. */
  owner: object;
  from: number;
  to: number;
}

export class Batcher {
  private _pieces: Piece[] = [];
  private _rows = 0;

  constructor(
    private readonly _specs: readonly ColumnSpec[],
    readonly batchSize: number,
  ) {}

  /** Rows held for the next batch. */
  get rows(): number {
    return this._rows;
  }

  /** Adds rows [from, to) of a chunk; returns how many were taken (up to a full batch). */
  add(cols: ChunkColumn[], owner: object, from: number, to: number): number {
    const take = Math.min(to - from, this.batchSize - this._rows);
    if (take > 0) {
      this._pieces.push({ cols, owner, from, to: from + take });
      this._rows += take;
    }
    return take;
  }

  get full(): boolean {
    return this._rows >= this.batchSize;
  }

  /** The held rows as one batch, and the chunks they came from (empties the batcher). */
  take(): { tensors: TensorData[]; owners: object[] } {
    const pieces = this._pieces;
    const rows = this._rows;
    this._pieces = [];
    this._rows = 0;
    const out: TensorData[] = [];
    this._specs.forEach((spec, c) => {
      if (spec.kind === 'scalar') {
        const parts = pieces.map((p) => {
          const col = p.cols[c] as Extract<ChunkColumn, { kind: 'scalar' }>;
          return col.data.subarray(p.from * spec.width, p.to * spec.width);
        });
        out.push({ dtype: spec.dtype, shape: [rows, ...spec.shape], data: concat(spec.dtype, parts) } as TensorData);
      } else {
        const lens: Int32Array[] = [];
        const vals: NumericArray[] = [];
        for (const p of pieces) {
          const col = p.cols[c] as Extract<ChunkColumn, { kind: 'list' }>;
          lens.push(col.lengths.subarray(p.from, p.to));
          vals.push(col.values.subarray(col.starts[p.from]!, col.starts[p.to]!));
        }
        const values = concat(spec.dtype, vals);
        out.push({ dtype: 'int32', shape: [rows], data: concat('int32', lens) } as TensorData);
        out.push({ dtype: spec.dtype, shape: [values.length], data: values } as TensorData);
      }
    });
    return { tensors: out, owners: pieces.map((p) => p.owner) };
  }
}

/** One part is used as it is (no copy); several are copied into one array. */
function concat(dtype: ColumnSpec['dtype'], parts: NumericArray[]): NumericArray {
  return parts.length === 1 ? parts[0]! : concatArrays(dtype, parts);
}
