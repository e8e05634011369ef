/**
 * Seeded randomness that gives the same numbers on every machine and Node version:
 * xoshiro128** on 32-bit integer ops, and exp/log built from +, *, / only (IEEE 754
 * rounds those exactly everywhere; Math.pow/exp/log are not specified bit for bit).
 */

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

const LN2 = 0.6931471805599453;

/** ln(x) for x > 0 with basic operations only (atanh series after scaling to [1, 2)). */
export function detLog(x: number): number {
  let e = 0;
  while (x >= 2) { x /= 2; e++; }
  while (x < 1) { x *= 2; e--; }
  const z = (x - 1) / (x + 1); // |z| < 1/3
  const z2 = z * z;
  let term = z;
  let sum = 0;
  for (let k = 1; k < 80; k += 2) {
    sum += term / k;
    term *= z2;
  }
  return 2 * sum + e * LN2;
}

/** e^y with basic operations only (Taylor series after removing multiples of ln 2). */
export function detExp(y: number): number {
  const n = Math.round(y / LN2);
  const r = y - n * LN2;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 30; k++) {
    term = (term * r) / k;
    sum += term;
  }
  let scale = 1;
  for (let i = 0; i < Math.abs(n); i++) scale *= 2;
  return n >= 0 ? sum * scale : sum / scale;
}

/** Cumulative weights of a Zipf law over ranks 1..n, weight(k) = k^-s, normalised to end at 1. */
export function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k++) {
    total += detExp(-s * detLog(k));
    cdf[k - 1] = total;
  }
  for (let i = 0; i < n; i++) cdf[i] = cdf[i]! / total;
  return cdf;
}

/** The first index whose cumulative weight exceeds u (binary search). */
export function sampleCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
