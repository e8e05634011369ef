/**
 * Seeded text-classification corpora whose shapes differ from the main text
 * suite's (bench/shapes.ts): short lines for word n-grams, two labels per
 * line, words built from morphemes for char n-grams, long documents.
 *
 * A line's class is uniform; its length is `meanLength` × U[0.5, 1.5); each
 * token is, with probability `classProb`, one of its class's own words, else
 * a shared word (skewed towards low ranks, so some are very frequent).
 * - `words`: class words `k<c>w<j>`.
 * - `morphemes`: class words prefix + class stem + suffix + number
 *   (`unk3xing17`), so only character n-grams tell that two words share a class.
 * - `multilabel`: the class label first and, with probability `topicProb`, a
 *   topic label second; a token is a class word (`classProb`), else a topic
 *   word `t<t>w<j>` (`topicShare`) when the line has a topic, else shared.
 * Everything comes from the seeded Rng (bench/data/prng.ts): a config gives
 * the same bytes on every machine.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { writeLines } from './lines.js';
import { Rng } from './prng.js';

export interface ShapeCorpusConfig {
  kind: 'words' | 'morphemes' | 'multilabel';
  seed: number;
  train: number;
  test: number;
  /** Classes (the first label of a line). */
  classes: number;
  meanLength: number;
  /** Share of tokens drawn from the line's class words. */
  classProb: number;
  /** Words of each class's own vocabulary. */
  classVocab: number;
  sharedVocab: number;
  /** multilabel only: topics, the share of lines with one, and the share of tokens that are topic words. */
  topics?: number;
  topicProb?: number;
  topicShare?: number;
}

export interface ShapeCorpusFiles {
  trainTxt: string;
  testTxt: string;
  config: ShapeCorpusConfig;
}

const PREFIXES = ['pre', 'sub', 'un', 're'];
const SUFFIXES = ['ing', 'ed', 'er', 's', 'ly'];

function sharedWord(rng: Rng, c: ShapeCorpusConfig): string {
  const u = rng.next();
  return `s${Math.floor(c.sharedVocab * u * u)}`;
}

function classWord(rng: Rng, c: ShapeCorpusConfig, cls: number): string {
  if (c.kind !== 'morphemes') return `k${cls}w${rng.int(c.classVocab)}`;
  const prefix = PREFIXES[rng.int(PREFIXES.length)]!;
  const suffix = SUFFIXES[rng.int(SUFFIXES.length)]!;
  return `${prefix}k${cls}x${suffix}${rng.int(c.classVocab)}`;
}

function lineLength(rng: Rng, c: ShapeCorpusConfig): number {
  return Math.max(1, Math.round(c.meanLength * (0.5 + rng.next())));
}

function singleLabelLine(rng: Rng, c: ShapeCorpusConfig): string {
  const cls = rng.int(c.classes);
  const n = lineLength(rng, c);
  const words: string[] = [];
  for (let j = 0; j < n; j++) words.push(rng.next() < c.classProb ? classWord(rng, c, cls) : sharedWord(rng, c));
  return `__label__${cls} ${words.join(' ')}`;
}

function multiLabelLine(rng: Rng, c: ShapeCorpusConfig): string {
  const cls = rng.int(c.classes);
  const topic = rng.next() < c.topicProb! ? rng.int(c.topics!) : -1;
  const n = lineLength(rng, c);
  const words: string[] = [];
  for (let j = 0; j < n; j++) {
    const r = rng.next();
    if (r < c.classProb) words.push(classWord(rng, c, cls));
    else if (r < c.classProb + c.topicShare! && topic >= 0) words.push(`t${topic}w${rng.int(c.classVocab)}`);
    else words.push(sharedWord(rng, c));
  }
  const labels = topic >= 0 ? `__label__c${cls} __label__t${topic}` : `__label__c${cls}`;
  return `${labels} ${words.join(' ')}`;
}

/** Writes split `stream` of the corpus (`count` lines) to `path`. */
function writeSplit(path: string, c: ShapeCorpusConfig, count: number, stream: number): void {
  const rng = new Rng(c.seed, stream);
  const line = c.kind === 'multilabel' ? multiLabelLine : singleLabelLine;
  writeLines(path, count, () => line(rng, c));
}

/** Writes (or reuses) the corpus under `cacheDir/shapes-<kind>-<key>/`. */
export function ensureShapeCorpus(cacheDir: string, config: ShapeCorpusConfig): ShapeCorpusFiles {
  const key = createHash('sha256').update(`shapes-v1;${JSON.stringify(config, Object.keys(config).sort())}`).digest('hex').slice(0, 12);
  const dir = join(cacheDir, `shapes-${config.kind}-${key}`);
  mkdirSync(dir, { recursive: true });
  const trainTxt = join(dir, 'train.txt');
  const testTxt = join(dir, 'test.txt');
  if (!existsSync(trainTxt)) writeSplit(trainTxt, config, config.train, 1);
  if (!existsSync(testTxt)) writeSplit(testTxt, config, config.test, 2);
  return { trainTxt, testTxt, config };
}
