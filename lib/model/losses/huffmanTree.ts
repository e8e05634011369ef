/**
 * The binary tree of hierarchical softmax, built as fastText builds it
 * (HierarchicalSoftmaxLoss::buildTree): leaves 0..n-1 are the classes in the
 * order given (fastText passes counts sorted by decreasing frequency), inner
 * nodes n..2n-2 are created by merging the two lightest nodes, taking leaves
 * from the right end before an inner node of equal or larger count. Inner node
 * i uses row i - n of the output matrix; the root is 2n - 2.
 */
import { InvalidArgumentError } from '../../errors/index.js';

export interface HuffmanTree {
  /** Number of leaves (classes). */
  readonly leaves: number;
  /** By node: parent, left and right child (-1 when none). */
  readonly parent: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** By node: true when it is its parent's right child (its code bit). */
  readonly binary: Uint8Array;
  /** By leaf: the output rows of its inner ancestors, bottom up. */
  readonly paths: readonly Int32Array[];
  /** By leaf: the code bit at each step of its path (1: go right). */
  readonly codes: readonly Uint8Array[];
}

/** Builds fastText's Huffman tree over `counts` (one per class, non-negative). */
export function buildHuffmanTree(counts: readonly (number | bigint)[]): HuffmanTree {
  const n = counts.length;
  if (n < 1) throw new InvalidArgumentError('Expected at least one class count for the Huffman tree but received none');
  const size = 2 * n - 1;
  // Counts as doubles: exact below 2^53 and compared the way fastText's int64s compare.
  const count = new Float64Array(size).fill(1e15);
  counts.forEach((c, i) => {
    const v = Number(c);
    if (!(v >= 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`Expected a count >= 0 for class ${i} but received ${String(c)}`);
    count[i] = v;
  });
  const parent = new Int32Array(size).fill(-1);
  const left = new Int32Array(size).fill(-1);
  const right = new Int32Array(size).fill(-1);
  const binary = new Uint8Array(size);
  let leaf = n - 1;
  let node = n;
  for (let i = n; i < size; i++) {
    const mini = [0, 0];
    for (let j = 0; j < 2; j++) mini[j] = leaf >= 0 && count[leaf]! < count[node]! ? leaf-- : node++;
    left[i] = mini[0]!;
    right[i] = mini[1]!;
    count[i] = count[mini[0]!]! + count[mini[1]!]!;
    parent[mini[0]!] = i;
    parent[mini[1]!] = i;
    binary[mini[1]!] = 1;
  }
  const paths: Int32Array[] = [];
  const codes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const path: number[] = [];
    const code: number[] = [];
    for (let j = i; parent[j] !== -1; j = parent[j]!) {
      path.push(parent[j]! - n);
      code.push(binary[j]!);
    }
    paths.push(Int32Array.from(path));
    codes.push(Uint8Array.from(code));
  }
  return { leaves: n, parent, left, right, binary, paths, codes };
}
