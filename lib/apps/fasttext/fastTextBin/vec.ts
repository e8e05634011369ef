/**
 * fastText's text vector files (`.vec`): a header `<count> <dim>`, then one
 * word and its `dim` numbers per line. Writing computes each word's vector as
 * fastText does (the mean of its input rows: the word's own and its character
 * n-grams') and prints it as fastText does (5 significant digits,
 * `setprecision(5)`, and a trailing space), so the file is
 * byte-identical to the one fastText writes next to its model. Reading
 * validates every count and number, for `-pretrainedVectors`.
 */
import { readFile } from 'node:fs/promises';

import { DataError, InvalidArgumentError } from '../../../errors/index.js';
import type { Workspace } from '../../../runtime/Workspace.js';
import { FASTTEXT_BLOBS } from '../FastTextJob.js';
import { formatG } from '../metrics.js';
import { FastTextBinDictionary } from './dictionary.js';
import type { FastTextBin } from './format.js';
import { fastTextBinFromWorkspace } from './convert.js';

/** Stable code of every error about a .vec file. */
export const VEC_ERROR = 'HOGWILD_VEC';

/** fastText's word vector: the mean of the word's input rows (float32 sums, scaled by float(1/n)). */
export function wordVector(bin: FastTextBin, dict: FastTextBinDictionary, word: string, out = new Float32Array(bin.args.dim)): Float32Array {
  const rows = dict.subwords(word);
  const { data, cols } = bin.input;
  out.fill(0);
  for (const r of rows) for (let j = 0; j < cols; j++) out[j] = out[j]! + data[r * cols + j]!;
  if (rows.length > 0) {
    const scale = Math.fround(1 / rows.length);
    for (let j = 0; j < cols; j++) out[j] = out[j]! * scale;
  }
  return out;
}

/** A vector as fastText's `operator<<` prints it: 5 significant digits, each followed by a space. */
export function formatVector(v: Float32Array): string {
  let out = '';
  for (const x of v) out += `${formatG(x, 5)} `;
  return out;
}

/**
 * fastText's sentence vector of one line: for a supervised model the mean of
 * the line's input rows (words, n-grams, end of line); otherwise the mean of
 * its words' vectors, each scaled to unit length (zero vectors left out).
 */
export function sentenceVector(bin: FastTextBin, dict: FastTextBinDictionary, line: string): Float32Array {
  const dim = bin.args.dim;
  const out = new Float32Array(dim);
  if (bin.args.model === 'sup') {
    const { words } = dict.getLine(line);
    const { data, cols } = bin.input;
    for (const r of words) for (let j = 0; j < cols; j++) out[j] = out[j]! + data[r * cols + j]!;
    if (words.length > 0) {
      const scale = Math.fround(1 / words.length);
      for (let j = 0; j < dim; j++) out[j] = out[j]! * scale;
    }
    return out;
  }
  const vec = new Float32Array(dim);
  let count = 0;
  for (const word of line.split(/[ \t\n\r\v\f]+/).filter((w) => w.length > 0)) {
    wordVector(bin, dict, word, vec);
    let sum = 0;
    for (const x of vec) sum = Math.fround(sum + Math.fround(x * x));
    const norm = Math.fround(Math.sqrt(sum));
    if (norm > 0) {
      const scale = Math.fround(1 / norm);
      for (let j = 0; j < dim; j++) out[j] = out[j]! + Math.fround(vec[j]! * scale);
      count++;
    }
  }
  if (count > 0) {
    const scale = Math.fround(1 / count);
    for (let j = 0; j < dim; j++) out[j] = out[j]! * scale;
  }
  return out;
}

/** The `.vec` text of a model's words, as fastText writes it. */
export function formatVec(bin: FastTextBin): string {
  const dict = new FastTextBinDictionary(bin);
  const vec = new Float32Array(bin.args.dim);
  const lines = [`${bin.nwords} ${bin.args.dim}\n`];
  for (let i = 0; i < bin.nwords; i++) {
    const word = bin.entries[i]!.word;
    wordVector(bin, dict, word, vec);
    lines.push(`${word} ${formatVector(vec)}\n`);
  }
  return lines.join('');
}

/** Vectors read from a `.vec` file. */
export interface VecFile {
  dim: number;
  words: string[];
  /** words.length × dim, row-major. */
  vectors: Float32Array;
}

/** Parses `.vec` text the way fastText reads it (whitespace-separated tokens); `name` names it in errors. */
export function parseVec(text: string, name = 'the vectors file'): VecFile {
  const tokens = text.split(/[ \t\n\r\v\f]+/).filter((t) => t.length > 0);
  const bad = (what: string) => new DataError(VEC_ERROR, `Expected a fastText .vec file in ${name} but ${what}`);
  const count = Number(tokens[0]);
  const dim = Number(tokens[1]);
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(dim) || dim < 1) throw bad(`its header is '${tokens.slice(0, 2).join(' ')}' (expected '<count> <dim>')`);
  if (tokens.length !== 2 + count * (dim + 1)) throw bad(`it has ${tokens.length - 2} tokens after the header where ${count} words of dim ${dim} need ${count * (dim + 1)}`);
  const words: string[] = [];
  const vectors = new Float32Array(count * dim);
  let at = 2;
  for (let i = 0; i < count; i++) {
    words.push(tokens[at++]!);
    for (let j = 0; j < dim; j++) {
      const t = tokens[at++]!;
      const v = Number(t);
      if (!Number.isFinite(v)) throw bad(`value ${j + 1} of '${words[i]}' (vector ${i + 1}) is '${t}'`);
      vectors[i * dim + j] = v;
    }
  }
  return { dim, words, vectors };
}

/** Reads a `.vec` file. */
export async function readVec(path: string): Promise<VecFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DataError('HOGWILD_IO', `Could not read the vectors file ${path}: ${(err as Error).message}`);
  }
  return parseVec(text, path);
}

/**
 * `-pretrainedVectors`: overwrites the input rows of the dictionary's words
 * that `vec` has (after the parameters are initialized, before training).
 * Synchronous, so it can run in JobRunner's 'init' event. Returns how many
 * rows it set. Unlike fastText, words only in `vec` are not added to the
 * dictionary (they would have no training example anyway).
 */
export function applyPretrainedVectors(ws: Workspace, vec: VecFile): number {
  const input = ws.fetch(FASTTEXT_BLOBS.input);
  const dim = input.shape[1];
  if (dim !== vec.dim) throw new InvalidArgumentError(`Expected pretrained vectors of dimension ${String(dim)} (-dim) but received ${vec.dim}`, VEC_ERROR);
  const bin = fastTextBinFromWorkspace(ws, {}, { dropBias: true });
  const ids = new Map(bin.entries.slice(0, bin.nwords).map((e, i) => [e.word, i]));
  const data = input.data as Float32Array;
  let set = 0;
  vec.words.forEach((w, i) => {
    const id = ids.get(w);
    if (id === undefined) return;
    data.set(vec.vectors.subarray(i * vec.dim, (i + 1) * vec.dim), id * vec.dim);
    set++;
  });
  ws.feed(FASTTEXT_BLOBS.input, { dtype: 'float32', shape: input.shape, data });
  return set;
}
