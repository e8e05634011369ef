// fastText's Huffman tree for hierarchical softmax, checked by hand; that it is
// fastText's own tree for real label counts is checked by predicting every
// label's probability of a fastText hs model (test/apps/fasttextBinRead.test.ts).
import { describe, expect, test } from 'vitest';

import { buildHuffmanTree } from '../../lib/model/losses/huffmanTree.js';
import { HogwildError } from '../../lib/errors/index.js';

describe('buildHuffmanTree', () => {
  test('counts 5, 3, 2, 1: merges as fastText does (a leaf only when strictly lighter)', () => {
    const t = buildHuffmanTree([5, 3, 2, 1]);
    // Inner nodes: 4 = {3, 2} (count 3), 5 = {4, 1} (3 is not < 3: the inner node first), root 6 = {0, 5}.
    expect(Array.from(t.left)).toEqual([-1, -1, -1, -1, 3, 4, 0]);
    expect(Array.from(t.right)).toEqual([-1, -1, -1, -1, 2, 1, 5]);
    expect(Array.from(t.parent)).toEqual([6, 5, 4, 4, 5, 6, -1]);
    expect(t.paths.map((p) => Array.from(p))).toEqual([[2], [1, 2], [0, 1, 2], [0, 1, 2]]);
    expect(t.codes.map((c) => Array.from(c))).toEqual([[0], [1, 1], [1, 0, 1], [0, 0, 1]]);
  });

  test('one class: a lone leaf with an empty path; bigint counts', () => {
    const t = buildHuffmanTree([7n]);
    expect(t.paths).toEqual([new Int32Array(0)]);
    expect(Array.from(buildHuffmanTree([4n, 4n]).codes[1]!)).toEqual([0]);
  });

  test('bad counts are refused', () => {
    expect(() => buildHuffmanTree([])).toThrow(HogwildError);
    expect(() => buildHuffmanTree([1, -1])).toThrow(/count >= 0 for class 1/);
    expect(() => buildHuffmanTree([1, Number.NaN])).toThrow(HogwildError);
  });
});
