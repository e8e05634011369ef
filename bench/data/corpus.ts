/**
 * The seeded text-classification corpus of the Hogwild text benchmark (issue 7).
 *
 * Each document has a class drawn uniformly, a length drawn uniformly in
 * [minLength, maxLength], and tokens drawn one by one: with probability `classProb`
 * from its class's own Zipf law over `classVocab` words, otherwise from a global Zipf
 * law over the whole vocabulary. Its written label is then replaced by a uniformly
 * drawn class with probability `labelNoise`. The defaults are calibrated so that the
 * fastText binary (dim 16, 5 epochs, lr 0.5) reaches about 0.80–0.81 P@1.
 *
 * Everything comes from ./prng.ts, so a given config yields byte-identical files on
 * every machine. Files are cached under bench/out/corpus/<key>/, keyed by the config.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { writeLines } from './lines.js';
import { Rng, sampleCdf, zipfCdf } from './prng.js';

export interface CorpusConfig {
  seed: number;
  classes: number;
  vocab: number;
  train: number;
  test: number;
  minLength: number;
  maxLength: number;
  /** Exponent of the global Zipf law over the whole vocabulary. */
  globalZipf: number;
  /** Words in each class's own distribution (drawn at random from the vocabulary). */
  classVocab: number;
  /** Exponent of each class's Zipf law. */
  classZipf: number;
  /** Probability that a token comes from the document's class rather than the global law. */
  classProb: number;
  /** Probability that a written label is replaced by a uniformly drawn class. */
  labelNoise: number;
}

/** The benchmark corpus: 20 classes, vocabulary 50 000, 200 000 / 20 000 documents of 20–40 tokens. */
export const FULL_CORPUS: Readonly<CorpusConfig> = Object.freeze({
  seed: 7,
  classes: 20,
  vocab: 50_000,
  train: 200_000,
  test: 20_000,
  minLength: 20,
  maxLength: 40,
  globalZipf: 1.0,
  classVocab: 2_000,
  classZipf: 1.0,
  classProb: 0.1,
  labelNoise: 0.03,
});

/** The same law with fewer documents, for `--quick` smoke runs. */
export const QUICK_CORPUS: Readonly<CorpusConfig> = Object.freeze({ ...FULL_CORPUS, train: 20_000, test: 2_000 });

export function corpusConfig(quick: boolean): CorpusConfig {
  return { ...(quick ? QUICK_CORPUS : FULL_CORPUS) };
}

/** Documents in compressed-row form: doc i is ids[offsets[i] .. offsets[i+1]). */
export interface CorpusSplit {
  ids: Int32Array;
  offsets: Uint32Array;
  labels: Uint8Array;
  /** Number of tokens (ids.length). */
  tokens: number;
}

export interface Corpus {
  config: CorpusConfig;
  train: CorpusSplit;
  test: CorpusSplit;
}

export interface CorpusFiles {
  dir: string;
  config: CorpusConfig;
  /** fastText format, one `__label__<k> w<id> w<id> …` line per document. */
  trainTxt: string;
  testTxt: string;
  /** Binary form for readers that should not parse text: `<split>.ids.i32`, `.offsets.u32`, `.labels.u8` (little-endian). */
  trainPrefix: string;
  testPrefix: string;
  trainTokens: number;
  testTokens: number;
}

/** Token i of document d, as a typed-array view (no copy). */
export function docTokens(split: CorpusSplit, d: number): Int32Array {
  return split.ids.subarray(split.offsets[d]!, split.offsets[d + 1]!);
}

/** Iterates the documents of a split as { label, tokens } (views, no copies). */
export function* docs(split: CorpusSplit): Generator<{ label: number; tokens: Int32Array }> {
  for (let d = 0; d < split.labels.length; d++) yield { label: split.labels[d]!, tokens: docTokens(split, d) };
}

/** The word a token id is written as in the text files. */
export function tokenWord(id: number): string {
  return `w${id}`;
}

interface Laws {
  globalCdf: Float64Array;
  globalWords: Int32Array;
  classCdf: Float64Array;
  classWords: Int32Array[];
}

function laws(config: CorpusConfig): Laws {
  const rng = new Rng(config.seed, 0);
  const globalWords = rng.permutation(config.vocab);
  const classWords: Int32Array[] = [];
  for (let c = 0; c < config.classes; c++) {
    // A partial Fisher–Yates: the first classVocab entries of a fresh shuffle.
    const pool = rng.permutation(config.vocab);
    classWords.push(pool.slice(0, config.classVocab));
  }
  return {
    globalCdf: zipfCdf(config.vocab, config.globalZipf),
    globalWords,
    classCdf: zipfCdf(config.classVocab, config.classZipf),
    classWords,
  };
}

function generateSplit(config: CorpusConfig, law: Laws, count: number, stream: number): CorpusSplit {
  const rng = new Rng(config.seed, stream);
  const offsets = new Uint32Array(count + 1);
  const labels = new Uint8Array(count);
  let ids = new Int32Array(count * ((config.minLength + config.maxLength) >> 1) + config.maxLength);
  let n = 0;
  const span = config.maxLength - config.minLength + 1;
  for (let d = 0; d < count; d++) {
    const label = rng.int(config.classes);
    const length = config.minLength + rng.int(span);
    if (n + length > ids.length) {
      const grown = new Int32Array(ids.length * 2);
      grown.set(ids);
      ids = grown;
    }
    const own = law.classWords[label]!;
    for (let t = 0; t < length; t++) {
      ids[n++] = rng.next() < config.classProb
        ? own[sampleCdf(law.classCdf, rng.next())]!
        : law.globalWords[sampleCdf(law.globalCdf, rng.next())]!;
    }
    labels[d] = rng.next() < config.labelNoise ? rng.int(config.classes) : label;
    offsets[d + 1] = n;
  }
  return { ids: ids.slice(0, n), offsets, labels, tokens: n };
}

/** Generates the corpus in memory (about 1 s for the full config). */
export function generateCorpus(config: CorpusConfig = corpusConfig(false)): Corpus {
  const law = laws(config);
  // Separate streams: the test set does not change when the training size does.
  return { config, train: generateSplit(config, law, config.train, 1), test: generateSplit(config, law, config.test, 2) };
}

/** A short stable key of a config (also the cache folder name). */
export function corpusKey(config: CorpusConfig): string {
  const fields = Object.keys(config).sort().map((k) => `${k}=${config[k as keyof CorpusConfig]}`);
  return createHash('sha256').update(`corpus-v1;${fields.join(';')}`).digest('hex').slice(0, 12);
}

function writeText(path: string, split: CorpusSplit, vocab: number): void {
  const words = Array.from({ length: vocab }, (_, i) => tokenWord(i));
  writeLines(path, split.labels.length, (d) => {
    const tokens = docTokens(split, d);
    let line = `__label__${split.labels[d]}`;
    for (let t = 0; t < tokens.length; t++) line += ` ${words[tokens[t]!]}`;
    return line;
  });
}

function writeBinary(prefix: string, split: CorpusSplit): void {
  const view = (a: Int32Array | Uint32Array | Uint8Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(`${prefix}.ids.i32`, view(split.ids));
  writeFileSync(`${prefix}.offsets.u32`, view(split.offsets));
  writeFileSync(`${prefix}.labels.u8`, view(split.labels));
}

/** Reads a split written by ensureCorpusFiles (little-endian hosts, like every target we ship). */
export function readSplit(prefix: string): CorpusSplit {
  const read = (suffix: string) => {
    const b = readFileSync(`${prefix}${suffix}`);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  };
  const ids = new Int32Array(read('.ids.i32'));
  return { ids, offsets: new Uint32Array(read('.offsets.u32')), labels: new Uint8Array(read('.labels.u8')), tokens: ids.length };
}

/**
 * Writes the corpus files into `<cacheDir>/<key>/` unless they are already there
 * (meta.json is written last, so a half-written folder is regenerated).
 */
export function ensureCorpusFiles(config: CorpusConfig, cacheDir: string): CorpusFiles {
  const dir = join(cacheDir, corpusKey(config));
  const files = (trainTokens: number, testTokens: number): CorpusFiles => ({
    dir,
    config,
    trainTxt: join(dir, 'train.txt'),
    testTxt: join(dir, 'test.txt'),
    trainPrefix: join(dir, 'train'),
    testPrefix: join(dir, 'test'),
    trainTokens,
    testTokens,
  });
  const metaPath = join(dir, 'meta.json');
  if (existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { trainTokens: number; testTokens: number };
    return files(meta.trainTokens, meta.testTokens);
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const corpus = generateCorpus(config);
  writeText(join(tmp, 'train.txt'), corpus.train, config.vocab);
  writeText(join(tmp, 'test.txt'), corpus.test, config.vocab);
  writeBinary(join(tmp, 'train'), corpus.train);
  writeBinary(join(tmp, 'test'), corpus.test);
  const meta = { key: corpusKey(config), config, trainTokens: corpus.train.tokens, testTokens: corpus.test.tokens };
  writeFileSync(join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return files(corpus.train.tokens, corpus.test.tokens);
}
