// Shared by the job/net/session/model tests.
import type { BlobLike, Workspace } from '../lib/index.js';

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

/** A deterministic PRNG (mulberry32) for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
