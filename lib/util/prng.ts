/**
 * Seeded pseudo-random numbers that are the same on every machine and Node
 * version (32-bit integer ops only; no Math.random, no platform math). The
 * one place the library, its tests, test fixtures and the benchmarks get
 * reproducible randomness from.
 *
 * - `mulberry32(seed)`: one uniform stream from a 32-bit seed; small and fast,
 *   for synthetic data (demo corpora, test tensors).
 * - `Rng(seed, stream)`: xoshiro128**, with independent streams per
 *   (seed, stream) and integer/permutation helpers, for generators that need
 *   many decorrelated streams (the benchmark corpora).
 */

/** mulberry32: a uniform double in [0, 1) per call, 32 random bits each. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** splitmix32: spreads a seed over the state words. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** xoshiro128** (Blackman & Vigna), one independent stream per (seed, stream). */
export class Rng {
  private _a: number;
  private _b: number;
  private _c: number;
  private _d: number;

  constructor(seed: number, stream = 0) {
    const st = { s: (seed ^ Math.imul(stream + 1, 0x632be5ab)) | 0 };
    this._a = splitmix32(st);
    this._b = splitmix32(st);
    this._c = splitmix32(st);
    this._d = splitmix32(st) || 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this._b, 5), 7), 9) >>> 0;
    const t = this._b << 9;
    this._c ^= this._a;
    this._d ^= this._b;
    this._b ^= this._c;
    this._a ^= this._d;
    this._c ^= t;
    this._d = rotl(this._d, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** A uniform integer in [0, n), n ≤ 2^32 (multiply-shift; the bias is below 2^-32 · n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates shuffle of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Cumulative weights of a 1/(rank+2) law over n ranks (ends at 1), for {@link drawFromCdf}. @internal */
export function rankCdf(n: number): Float64Array {
  const cdf = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) cdf[i] = s += 1 / (i + 2);
  for (let i = 0; i < n; i++) cdf[i]! /= s;
  return cdf;
}

/** The first index whose cumulative weight is at least u (binary search). @internal */
export function drawFromCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
