/**
 * Nearest-neighbour class purity: the quality measure of word vectors on a
 * corpus with planted classes. For every class word, its k nearest other class
 * words by cosine similarity; purity is the fraction of them in its own class
 * (1: classes perfectly separated; 1/classes: vectors carry no class
 * information). Vectors are centred first (the mean of the class words'
 * vectors is subtracted): cbow's vectors share one large common direction
 * early in training, which would otherwise decide every cosine. It needs no external data set and compares two tools' vectors
 * on the same corpus directly, which correlation with a human similarity set
 * could not do here.
 */
import { InvalidArgumentError } from '../../errors/index.js';
import type { PlantedClasses } from './corpus.js';

/** Word → vector lookup (a parsed .vec file gives one). */
export interface WordVectorsTable {
  dim: number;
  words: readonly string[];
  /** words.length × dim, row-major. */
  vectors: Float32Array;
}

/** Mean fraction of each class word's k nearest class words (cosine) in its own class; words missing from `table` are skipped. */
export function classPurity(table: WordVectorsTable, planted: PlantedClasses, k = 10): number {
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for k but received ${String(k)}`);
  const index = new Map(table.words.map((w, i) => [w, i]));
  const vecs: Float32Array[] = [];
  const cls: number[] = [];
  const raw: Float32Array[] = [];
  planted.classes.forEach((words, c) => {
    for (const w of words) {
      const i = index.get(w);
      if (i === undefined) continue;
      raw.push(table.vectors.slice(i * table.dim, (i + 1) * table.dim));
      cls.push(c);
    }
  });
  const mean = new Float64Array(table.dim);
  for (const v of raw) for (let j = 0; j < v.length; j++) mean[j]! += v[j]! / raw.length;
  for (const v of raw) {
    {
      for (let j = 0; j < v.length; j++) v[j]! -= mean[j]!;
      let n = 0;
      for (const x of v) n += x * x;
      n = Math.sqrt(n) || 1;
      for (let j = 0; j < v.length; j++) v[j]! /= n;
      vecs.push(v);
    }
  }
  if (vecs.length <= k) throw new InvalidArgumentError(`Expected more than k = ${k} class words in the vectors but found ${vecs.length}`);
  let total = 0;
  const sims = new Float64Array(vecs.length);
  for (let a = 0; a < vecs.length; a++) {
    for (let b = 0; b < vecs.length; b++) {
      let s = 0;
      const va = vecs[a]!;
      const vb = vecs[b]!;
      for (let j = 0; j < va.length; j++) s += va[j]! * vb[j]!;
      sims[b] = b === a ? -Infinity : s;
    }
    const order = Array.from(sims.keys()).sort((x, y) => sims[y]! - sims[x]!);
    let same = 0;
    for (let r = 0; r < k; r++) if (cls[order[r]!] === cls[a]) same++;
    total += same / k;
  }
  return total / vecs.length;
}
