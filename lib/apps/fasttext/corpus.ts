/**
 * A seeded synthetic corpus in fastText's supervised format, for `hogwild demo`,
 * the docs and the tests: no download, the same bytes on every machine.
 *
 * Each document has a class drawn uniformly and 8–24 tokens. A token comes from
 * its class's own words with probability `signal`, otherwise from a vocabulary
 * shared by every class (both Zipf-like). With probability `labelNoise` the
 * written label is another class, which caps the reachable accuracy near
 * `1 - labelNoise · (1 - 1/classes)`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { drawFromCdf, mulberry32, rankCdf } from '../../util/prng.js';

/** Options of {@link generateCorpus}. */
export interface CorpusOptions {
  /** Seed of every random draw (default 1). */
  seed?: number;
  /** Number of labels (default 8). */
  classes?: number;
  /** Training documents (default 20 000). */
  train?: number;
  /** Test documents (default 2 000). */
  test?: number;
  /** Words of each class (default 200). */
  classWords?: number;
  /** Words shared by every class (default 2 000). */
  sharedWords?: number;
  /** Probability that a token is a class word (default 0.25). */
  signal?: number;
  /** Probability that a written label is replaced by another class (default 0.05). */
  labelNoise?: number;
}



/** Label names: a short word per class, so predictions read well. */
const NAMES = ['sports', 'science', 'music', 'travel', 'food', 'health', 'finance', 'games', 'weather', 'history', 'art', 'tech'];

/** The label of class `c` (without the `__label__` prefix). */
export function corpusLabel(c: number): string {
  return c < NAMES.length ? NAMES[c]! : `class${c}`;
}

/**
 * Generates `{ train, test }` as fastText-format text (one `__label__x tok …`
 * line per document, each ending in '\n').
 *
 * @example
 * const { train, test } = generateCorpus({ seed: 1, train: 5000, test: 500 });
 */
export function generateCorpus(options: CorpusOptions = {}): { train: string; test: string } {
  const seed = options.seed ?? 1;
  const classes = options.classes ?? 8;
  const classWords = options.classWords ?? 200;
  const sharedWords = options.sharedWords ?? 2000;
  const signal = options.signal ?? 0.25;
  const noise = options.labelNoise ?? 0.05;
  const rand = mulberry32(seed);
  const classCdf = rankCdf(classWords);
  const sharedCdf = rankCdf(sharedWords);
  const doc = (): string => {
    const c = Math.floor(rand() * classes);
    const n = 8 + Math.floor(rand() * 17);
    const words: string[] = [];
    for (let i = 0; i < n; i++) {
      words.push(rand() < signal ? `${corpusLabel(c).slice(0, 3)}${drawFromCdf(classCdf, rand())}` : `w${drawFromCdf(sharedCdf, rand())}`);
    }
    let written = c;
    if (rand() < noise) written = (c + 1 + Math.floor(rand() * (classes - 1))) % classes;
    return `__label__${corpusLabel(written)} ${words.join(' ')}\n`;
  };
  const lines = (count: number) => Array.from({ length: count }, doc).join('');
  return { train: lines(options.train ?? 20_000), test: lines(options.test ?? 2_000) };
}

/** Writes the corpus to `trainPath` and `testPath` (directories are created). */
export function writeCorpus(trainPath: string, testPath: string, options: CorpusOptions = {}): void {
  const { train, test } = generateCorpus(options);
  for (const [p, text] of [[trainPath, train], [testPath, test]] as const) {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}
