/**
 * fastText's prediction on a model file, computed as fastText computes it in
 * float32 (Math.fround after every operation, the same order of additions),
 * so probabilities and ties come out as `fasttext predict-prob` prints them:
 * hidden = mean of the input rows; softmax, one sigmoid per label (ns, ova),
 * or a depth-first walk of the Huffman tree (hs); scores are log(p + 1e-5).
 */
import { buildHuffmanTree, type HuffmanTree } from '../../../model/losses/huffmanTree.js';
import type { Prediction } from '../metrics.js';
import type { FastTextBin } from './format.js';

const f = Math.fround;
/** fastText's std_log: log(x + 1e-5) in double, rounded to float. */
const stdLog = (x: number) => f(Math.log(f(x) + 1e-5));
/** fastText's prediction sigmoid (a 512-entry table over [-8, 8]). */
const SIGMOID_TABLE = Float32Array.from({ length: 513 }, (_, i) => 1 / (1 + f(Math.exp(-f(f((i * 2 * 8) / 512) - 8)))));
function tableSigmoid(x: number): number {
  if (x < -8) return 0;
  if (x > 8) return 1;
  return SIGMOID_TABLE[Math.trunc(f(f(f(f(x + 8) * 512) / 8) / 2))]!;
}

export interface Scored {
  score: number;
  label: number;
}

/**
 * fastText's heap of the k best (comparePairs: a.score > b.score, so the root
 * holds the worst kept score), with libstdc++'s push_heap, pop_heap and
 * sort_heap step for step: which of two equal scores is printed first
 * depends on it.
 */
export class KBest {
  readonly items: Scored[] = [];
  constructor(private readonly _k: number) {}
  get full(): boolean {
    return this.items.length === this._k;
  }
  get worst(): number {
    return this.items[0]!.score;
  }
  /** push_back, push_heap, and pop_heap + pop_back when more than k. */
  push(s: Scored): void {
    const h = this.items;
    h.push(s);
    pushHeap(h, h.length - 1, 0, s);
    if (h.length > this._k) {
      popHeap(h, h.length);
      h.pop();
    }
  }
  /** The kept items best first (std::sort_heap), consuming the heap. */
  sorted(): Scored[] {
    const h = this.items;
    for (let last = h.length; last > 1; last--) popHeap(h, last);
    return h;
  }
}

const comp = (a: Scored, b: Scored) => a.score > b.score;

function pushHeap(h: Scored[], hole: number, top: number, value: Scored): void {
  let parent = (hole - 1) >> 1;
  while (hole > top && comp(h[parent]!, value)) {
    h[hole] = h[parent]!;
    hole = parent;
    parent = (hole - 1) >> 1;
  }
  h[hole] = value;
}

function adjustHeap(h: Scored[], hole: number, len: number, value: Scored): void {
  const top = hole;
  let child = hole;
  while (child < Math.trunc((len - 1) / 2)) {
    child = 2 * (child + 1);
    if (comp(h[child]!, h[child - 1]!)) child--;
    h[hole] = h[child]!;
    hole = child;
  }
  if ((len & 1) === 0 && child === Math.trunc((len - 2) / 2)) {
    child = 2 * (child + 1);
    h[hole] = h[child - 1]!;
    hole = child - 1;
  }
  pushHeap(h, hole, top, value);
}

/** std::pop_heap over h[0, last): the root moves to last - 1. */
function popHeap(h: Scored[], last: number): void {
  if (last <= 1) return;
  const value = h[last - 1]!;
  h[last - 1] = h[0]!;
  adjustHeap(h, 0, last - 1, value);
}

export class FastTextBinPredictor {
  private readonly _tree: HuffmanTree | null;
  private readonly _hidden: Float32Array;

  constructor(private readonly _bin: FastTextBin) {
    this._hidden = new Float32Array(_bin.args.dim);
    this._tree = _bin.args.loss === 'hs' ? buildHuffmanTree(_bin.entries.slice(_bin.nwords).map((e) => e.count)) : null;
  }

  /** The `k` best labels of a line's input rows with probability >= threshold, best first; none when it has no rows. */
  predict(words: readonly number[], k: number, threshold: number): Prediction[] {
    if (words.length === 0) return [];
    this._computeHidden(words);
    const heap = new KBest(k);
    if (this._tree) this._dfs(this._tree, heap, 2 * this._tree.leaves - 2, 0, stdLog(threshold));
    else this._scoreAll(heap, f(threshold));
    const labels = this._bin.entries;
    return heap.sorted().map((s) => ({ label: labels[this._bin.nwords + s.label]!.word, prob: f(Math.exp(s.score)) }));
  }

  private _computeHidden(words: readonly number[]): void {
    const { data, cols } = this._bin.input;
    const h = this._hidden;
    h.fill(0);
    for (const w of words) {
      const at = w * cols;
      for (let j = 0; j < cols; j++) h[j] = data[at + j]! + h[j]!;
    }
    const scale = f(1 / words.length);
    for (let j = 0; j < cols; j++) h[j] = h[j]! * scale;
  }

  private _dotRow(row: number): number {
    const { data, cols } = this._bin.output;
    const at = row * cols;
    let d = 0;
    for (let j = 0; j < cols; j++) d = f(d + f(data[at + j]! * this._hidden[j]!));
    return d;
  }

  private _scoreAll(heap: KBest, threshold: number): void {
    const n = this._bin.nlabels;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this._dotRow(i);
    if (this._bin.args.loss === 'softmax') {
      let max = out[0]!;
      for (let i = 0; i < n; i++) max = Math.max(out[i]!, max);
      let z = 0;
      for (let i = 0; i < n; i++) {
        out[i] = f(Math.exp(f(out[i]! - max)));
        z = f(z + out[i]!);
      }
      for (let i = 0; i < n; i++) out[i] = f(out[i]! / z);
    } else {
      for (let i = 0; i < n; i++) out[i] = tableSigmoid(out[i]!);
    }
    for (let i = 0; i < n; i++) {
      if (out[i]! < threshold) continue;
      const score = stdLog(out[i]!);
      if (heap.full && score < heap.worst) continue;
      heap.push({ score, label: i });
    }
  }

  private _dfs(tree: HuffmanTree, heap: KBest, node: number, score: number, logThreshold: number): void {
    if (score < logThreshold) return;
    if (heap.full && score < heap.worst) return;
    if (tree.left[node] === -1 && tree.right[node] === -1) {
      heap.push({ score, label: node });
      return;
    }
    const dot = this._dotRow(node - tree.leaves);
    const p = f(1 / f(1 + f(Math.exp(-dot))));
    this._dfs(tree, heap, tree.left[node]!, f(score + stdLog(1 - p)), logThreshold);
    this._dfs(tree, heap, tree.right[node]!, f(score + stdLog(p)), logThreshold);
  }
}
