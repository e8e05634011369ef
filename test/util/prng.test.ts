// lib/util/prng.ts is the only seeded generator of the library, tests,
// fixtures and benchmarks: its streams must not drift, or pinned corpora,
// checkpoint fixtures and accuracy floors silently change meaning. The
// expected numbers below are what the generators gave before they were
// gathered into one module (mulberry32 and xoshiro128** reference outputs).
import { describe, expect, it } from 'vitest';

import { mulberry32, Rng } from '../../lib/util/prng.js';

describe('mulberry32', () => {
  it('gives the pinned stream for a seed', () => {
    const r = mulberry32(42);
    expect([r(), r(), r()].map((x) => x * 4294967296)).toEqual([2581720956, 1925393290, 3661312704]);
  });

  it('stays in [0, 1) and differs between seeds', () => {
    const a = mulberry32(1);
    const b = mulberry32(2);
    let same = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a();
      expect(x >= 0 && x < 1).toBe(true);
      if (x === b()) same++;
    }
    expect(same).toBeLessThan(3);
  });
});

describe('Rng (xoshiro128**)', () => {
  it('gives the pinned stream for (seed, stream)', () => {
    const r = new Rng(7, 3);
    expect([r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([652856871, 246472394, 111051893]);
    expect(Array.from(new Rng(1).permutation(8))).toEqual([2, 0, 7, 6, 5, 1, 4, 3]);
  });

  it('gives different streams for different stream numbers', () => {
    expect(new Rng(7, 0).nextU32()).not.toBe(new Rng(7, 1).nextU32());
  });

  it('permutes without losing or repeating an index', () => {
    const p = Array.from(new Rng(9).permutation(1000)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
