/**
 * A seeded text-classification corpus with many labels (the `-loss hs` case of
 * issue 15): label frequencies follow a Zipf law (so fastText's Huffman tree
 * is deep on the rare labels, as with real tag sets), each label has its own
 * words `l<label>w<j>`, and every token is, with probability `classProb`, one
 * of its label's words (uniform), otherwise a shared word `s<j>` (Zipf). A
 * written label is replaced by a random one with probability `labelNoise`.
 * Everything comes from lib/util/prng.ts: a config gives the same bytes on
 * every machine. Used by bench/fasttext_losses.ts and the loss tests.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { writeLines } from './lines.js';
import { Rng, sampleCdf, zipfCdf } from './prng.js';

export interface LabelCorpusConfig {
  seed: number;
  labels: number;
  train: number;
  test: number;
  minLength: number;
  maxLength: number;
  /** Exponent of the Zipf law of the labels. */
  labelZipf: number;
  /** Words of each label's own vocabulary. */
  labelVocab: number;
  /** Shared words (Zipf, exponent 1). */
  sharedVocab: number;
  classProb: number;
  labelNoise: number;
}

export const MANY_LABELS: Readonly<LabelCorpusConfig> = Object.freeze({
  seed: 15,
  labels: 2000,
  train: 300_000,
  test: 20_000,
  minLength: 8,
  maxLength: 24,
  labelZipf: 0.8,
  labelVocab: 30,
  sharedVocab: 20_000,
  classProb: 0.3,
  labelNoise: 0.02,
});

export interface LabelCorpusFiles {
  trainTxt: string;
  testTxt: string;
  /** Word tokens of the training file (labels excluded). */
  trainTokens: number;
  config: LabelCorpusConfig;
}

function writeSplit(path: string, c: LabelCorpusConfig, count: number, stream: number): number {
  const rng = new Rng(c.seed, stream);
  const labelCdf = zipfCdf(c.labels, c.labelZipf);
  const sharedCdf = zipfCdf(c.sharedVocab, 1);
  const span = c.maxLength - c.minLength + 1;
  let tokens = 0;
  writeLines(path, count, () => {
    const label = sampleCdf(labelCdf, rng.next());
    const length = c.minLength + rng.int(span);
    const words: string[] = [];
    for (let t = 0; t < length; t++) words.push(rng.next() < c.classProb ? `l${label}w${rng.int(c.labelVocab)}` : `s${sampleCdf(sharedCdf, rng.next())}`);
    tokens += length;
    const written = rng.next() < c.labelNoise ? rng.int(c.labels) : label;
    return `__label__${written} ${words.join(' ')}`;
  });
  return tokens;
}

/** Writes (or reuses) the corpus under `cacheDir/<key>/`. */
export function ensureLabelCorpus(cacheDir: string, config: LabelCorpusConfig = { ...MANY_LABELS }): LabelCorpusFiles {
  const key = createHash('sha256').update(`labels-v1;${JSON.stringify(config, Object.keys(config).sort())}`).digest('hex').slice(0, 12);
  const dir = join(cacheDir, `labels-${key}`);
  mkdirSync(dir, { recursive: true });
  const trainTxt = join(dir, 'train.txt');
  const testTxt = join(dir, 'test.txt');
  const tokensFile = join(dir, 'train.tokens');
  let trainTokens: number;
  if (existsSync(trainTxt) && existsSync(testTxt) && existsSync(tokensFile)) {
    trainTokens = Number(readFileSync(tokensFile, 'utf8').trim());
  } else {
    trainTokens = writeSplit(trainTxt, config, config.train, 1);
    writeSplit(testTxt, config, config.test, 2);
    const fd = openSync(tokensFile, 'w');
    writeSync(fd, String(trainTokens));
    closeSync(fd);
  }
  return { trainTxt, testTxt, trainTokens, config };
}
