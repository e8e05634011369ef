/**
 * Deterministic math for the benchmark corpora: exp/log built from +, *, /
 * only (IEEE 754 rounds those exactly everywhere; Math.pow/exp/log are not
 * specified bit for bit). The generator itself is lib/util/prng.ts.
 */
export { Rng } from '../../lib/util/prng.js';

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
