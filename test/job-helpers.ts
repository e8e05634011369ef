// Shared by the job/net/session/model tests.
import type { BlobLike, Workspace } from '../lib/index.js';
import { mulberry32 } from '../lib/util/prng.js';

/** The single element of a blob as a number or boolean. */
export function scalar(ws: Workspace, blob: BlobLike): number | boolean {
  const t = ws.fetch(String(blob));
  if (t.data.length !== 1) throw new Error(`Expected one element in '${String(blob)}' but it has shape [${t.shape.join(', ')}]`);
  const x = t.data[0]!;
  if (t.dtype === 'bool') return x !== 0;
  return typeof x === 'bigint' ? Number(x) : x;
}

/** A blob's elements as plain numbers. */
export function values(ws: Workspace, blob: BlobLike): number[] {
  return Array.from(ws.fetch(String(blob)).data as ArrayLike<number | bigint>, (x) => Number(x));
}

/** A deterministic PRNG (mulberry32, lib/util/prng.ts) for test data. */
export const rng = mulberry32;
