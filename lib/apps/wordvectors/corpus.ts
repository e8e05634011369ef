/**
 * A seeded text corpus with planted word classes, for the word-vector tests and
 * benchmarks: each line is about one class; a token is one of its class's
 * words with probability `signal`, otherwise a word shared by every class
 * (Zipf-like). Words of one class co-occur, so good vectors put them near each
 * other ({@link classPurity} measures it). Word spellings are random letters
 * unrelated to the class, so character n-grams give no hint of it.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

import { drawFromCdf, mulberry32, rankCdf } from '../../util/prng.js';

/** Options of {@link wordVectorsCorpus}. */
export interface WordVectorsCorpusOptions {
  /** Seed of every draw (default 1). */
  seed?: number;
  /** Planted classes (default 20). */
  classes?: number;
  /** Words per class (default 50). */
  classWords?: number;
  /** Words shared by every class (default 1 000). */
  sharedWords?: number;
  /** Probability that a token is a word of the line's class (default 0.5). */
  signal?: number;
  /** Tokens in the corpus, about (default 1 000 000). */
  tokens?: number;
  /** Tokens per line (default 20). */
  lineTokens?: number;
}

/** The class words of a corpus: `classes[c]` lists class c's words. */
export interface PlantedClasses {
  classes: string[][];
}

function spelling(rand: () => number, taken: Set<string>): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (;;) {
    let w = '';
    const n = 5 + Math.floor(rand() * 4);
    for (let i = 0; i < n; i++) w += letters[Math.floor(rand() * 26)];
    if (!taken.has(w)) {
      taken.add(w);
      return w;
    }
  }
}


/**
 * Writes the corpus to `path` (streamed: 10M tokens never sit in memory as one
 * string) and returns its planted classes.
 *
 * @example
 * const planted = await wordVectorsCorpus('text.txt', { tokens: 200_000, seed: 3 });
 */
export async function wordVectorsCorpus(path: string, options: WordVectorsCorpusOptions = {}): Promise<PlantedClasses> {
  const rand = mulberry32(options.seed ?? 1);
  const nClasses = options.classes ?? 20;
  const classWords = options.classWords ?? 50;
  const sharedWords = options.sharedWords ?? 1000;
  const signal = options.signal ?? 0.5;
  const tokens = options.tokens ?? 1_000_000;
  const lineTokens = options.lineTokens ?? 20;
  const taken = new Set<string>();
  const classes = Array.from({ length: nClasses }, () => Array.from({ length: classWords }, () => spelling(rand, taken)));
  const shared = Array.from({ length: sharedWords }, () => spelling(rand, taken));
  const sharedCdf = rankCdf(sharedWords);
  const out = createWriteStream(path);
  let chunk: string[] = [];
  for (let written = 0; written < tokens; written += lineTokens) {
    const words = classes[Math.floor(rand() * nClasses)]!;
    const line: string[] = [];
    for (let i = 0; i < lineTokens; i++) line.push(rand() < signal ? words[Math.floor(rand() * classWords)]! : shared[drawFromCdf(sharedCdf, rand())]!);
    chunk.push(line.join(' '));
    if (chunk.length === 4096) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length > 0) out.write(`${chunk.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
  return { classes };
}
