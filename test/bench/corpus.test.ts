import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import {
  FULL_CORPUS, corpusKey, docTokens, docs, ensureCorpusFiles, generateCorpus, readSplit,
} from '../../bench/data/corpus.js';
import { Rng, detExp, detLog, zipfCdf } from '../../bench/data/prng.js';

const SMALL = { ...FULL_CORPUS, train: 500, test: 100 };
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function digest(c: ReturnType<typeof generateCorpus>): string {
  const h = createHash('sha256');
  for (const s of [c.train, c.test]) {
    h.update(new Uint8Array(s.ids.buffer, s.ids.byteOffset, s.ids.byteLength));
    h.update(s.labels);
    h.update(new Uint8Array(s.offsets.buffer));
  }
  return h.digest('hex');
}

describe('seeded corpus', () => {
  test('is the same on every machine (pinned digest of a small config)', () => {
    // Changing the generator or FULL_CORPUS changes this: recalibrate (bench/data/corpus.ts) and update it.
    expect(digest(generateCorpus(SMALL))).toBe('6513c67eba3d64ec3513853e29cf9f41c3ea4881bc2afa1cda0a47f4527ff3e0');
  });

  test('keeps its shape: lengths, vocabulary, classes; test split independent of train size', () => {
    const c = generateCorpus(SMALL);
    expect(c.train.labels.length).toBe(500);
    for (const { label, tokens } of docs(c.train)) {
      expect(tokens.length).toBeGreaterThanOrEqual(20);
      expect(tokens.length).toBeLessThanOrEqual(40);
      expect(label).toBeLessThan(20);
    }
    expect(Math.max(...c.train.ids)).toBeLessThan(50_000);
    const bigger = generateCorpus({ ...SMALL, train: 800 });
    expect(bigger.test.ids).toEqual(c.test.ids);
    expect(docTokens(bigger.train, 499)).toEqual(docTokens(c.train, 499));
  });

  test('writes fastText text and binary files once, keyed by config', () => {
    const cache = mkdtempSync(join(tmpdir(), 'corpus-test-'));
    dirs.push(cache);
    const files = ensureCorpusFiles(SMALL, cache);
    expect(files.dir).toBe(join(cache, corpusKey(SMALL)));
    const lines = readFileSync(files.trainTxt, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(500);
    const c = generateCorpus(SMALL);
    expect(lines[0]).toBe(`__label__${c.train.labels[0]} ${[...docTokens(c.train, 0)].map((t) => `w${t}`).join(' ')}`);
    const back = readSplit(files.testPrefix);
    expect(back.ids).toEqual(c.test.ids);
    expect(back.labels).toEqual(c.test.labels);
    expect(files.trainTokens).toBe(c.train.tokens);
    expect(ensureCorpusFiles(SMALL, cache)).toEqual(files); // cached
    expect(corpusKey({ ...SMALL, seed: 8 })).not.toBe(corpusKey(SMALL));
  });
});

describe('deterministic randomness', () => {
  test('exp and log match Math to 1e-14 relative', () => {
    for (const x of [1e-6, 0.3, 1, 2, 7.5, 1234.5, 5e4]) expect(Math.abs(detLog(x) - Math.log(x))).toBeLessThan(1e-13);
    for (const y of [-20, -3.3, -0.1, 0, 0.7, 5, 12]) expect(Math.abs(detExp(y) / Math.exp(y) - 1)).toBeLessThan(1e-14);
  });

  test('Zipf CDF ends at 1 and the PRNG streams differ', () => {
    const cdf = zipfCdf(1000, 1);
    expect(cdf[999]).toBe(1);
    expect(cdf[0]! / (cdf[1]! - cdf[0]!)).toBeCloseTo(2, 10);
    expect(new Rng(1, 0).nextU32()).not.toBe(new Rng(1, 1).nextU32());
    expect(new Rng(5).nextU32()).toBe(new Rng(5).nextU32());
  });
});
