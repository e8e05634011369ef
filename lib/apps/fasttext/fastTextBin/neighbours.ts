/**
 * fastText's `nn` and `analogies` (FastText::getNN, getAnalogies) on a model
 * of either program, in float32 step for step as fastText computes them, so
 * the similarities print as `fasttext nn` prints them: every word's vector is
 * computed once and scaled to unit length (nwords × dim floats), the query is
 * a word vector (nn) or a sum of three unit word vectors (analogies), and the
 * k most similar words, the query words excepted, come out of fastText's heap.
 */
import { FastTextBinDictionary } from './dictionary.js';
import type { FastTextBin } from './format.js';
import { KBest } from './predict.js';
import { wordVector } from './vec.js';

const f = Math.fround;

/** One neighbour: a word and its cosine similarity to the query. */
export interface Neighbour {
  word: string;
  similarity: number;
}

/** fastText's Vector::norm: a float32 sum of squares, then sqrt in float. */
function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s = f(s + f(x * x));
  return f(Math.sqrt(s));
}

export class WordNeighbours {
  private readonly _dict: FastTextBinDictionary;
  /** Unit-length word vectors by word id (zero rows stay zero), computed on first use. */
  private _unit: Float32Array | null = null;
  private readonly _dim: number;

  constructor(private readonly _bin: FastTextBin) {
    this._dict = new FastTextBinDictionary(_bin);
    this._dim = _bin.input.cols;
  }

  /** The k words nearest to `word` (itself excluded), best first. */
  nearest(word: string, k: number): Neighbour[] {
    return this._search(this._wordVector(word), k, new Set([word]));
  }

  /** The k words nearest to a - b + c (the three excluded), best first. */
  analogy(a: string, b: string, c: string, k: number): Neighbour[] {
    const query = new Float32Array(this._dim);
    const add = (word: string, sign: number) => {
      const v = this._wordVector(word);
      // fastText: query.addVector(v, ±1.0 / (v.norm() + 1e-8)), the scale rounded to float.
      const s = f(sign / (norm(v) + 1e-8));
      for (let j = 0; j < query.length; j++) query[j] = f(query[j]! + f(s * v[j]!));
    };
    add(a, 1);
    add(b, -1);
    add(c, 1);
    return this._search(query, k, new Set([a, b, c]));
  }

  private _wordVector(word: string): Float32Array {
    return wordVector(this._bin, this._dict, word, new Float32Array(this._dim));
  }

  private _unitVectors(): Float32Array {
    if (this._unit) return this._unit;
    const n = this._bin.nwords;
    const d = this._dim;
    const out = new Float32Array(n * d);
    const v = new Float32Array(d);
    for (let i = 0; i < n; i++) {
      wordVector(this._bin, this._dict, this._bin.entries[i]!.word, v);
      const nv = norm(v);
      if (!(nv > 0)) continue;
      const s = f(1 / nv);
      for (let j = 0; j < d; j++) out[i * d + j] = f(s * v[j]!);
    }
    this._unit = out;
    return out;
  }

  private _search(query: Float32Array, k: number, banned: ReadonlySet<string>): Neighbour[] {
    const unit = this._unitVectors();
    const d = this._dim;
    let qn = norm(query);
    if (Math.abs(qn) < 1e-8) qn = 1;
    const heap = new KBest(k);
    const entries = this._bin.entries;
    for (let i = 0; i < this._bin.nwords; i++) {
      if (banned.has(entries[i]!.word)) continue;
      let dp = 0;
      for (let j = 0; j < d; j++) dp = f(dp + f(unit[i * d + j]! * query[j]!));
      const similarity = f(dp / qn);
      if (heap.full && similarity < heap.worst) continue;
      heap.push({ score: similarity, label: i });
    }
    return heap.sorted().map((s) => ({ word: entries[s.label]!.word, similarity: s.score }));
  }
}
