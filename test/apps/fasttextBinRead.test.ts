// hogwild test/predict/predict-prob on models made by Debian's fasttext print
// what fasttext prints, for every loss and with word and character n-grams.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { fasttext, hasFastText, hogwild, writeSmallCorpus } from './fasttextBinHelpers.js';

const MODELS: Record<string, string[]> = {
  softmax: ['-loss', 'softmax'],
  ngrams: ['-loss', 'softmax', '-wordNgrams', '2', '-minn', '2', '-maxn', '4', '-bucket', '5000'],
  hs: ['-loss', 'hs'],
  ns: ['-loss', 'ns', '-neg', '3'],
  ova: ['-loss', 'ova', '-wordNgrams', '2', '-bucket', '3000'],
};

describe.skipIf(!hasFastText())('fastText model files read by hogwild', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-ftbin-'));
    writeSmallCorpus(dir);
    for (const [name, flags] of Object.entries(MODELS)) {
      fasttext(['supervised', '-input', join(dir, 'train.txt'), '-output', join(dir, name), '-dim', '12', '-epoch', '4', '-lr', '0.4', '-thread', '1', '-verbose', '0', ...flags]);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(Object.keys(MODELS))('%s: predict-prob k=3, predict k=2 with a threshold, and test print what fasttext prints', async (name) => {
    const model = join(dir, `${name}.bin`);
    const data = join(dir, 'test.txt');
    for (const args of [['predict-prob', model, data, '3'], ['predict', model, data, '2', '0.2'], ['test', model, data, '1'], ['test', model, data, '3', '0.1']]) {
      const ours = await hogwild(args);
      expect(ours.stderr).toBe('');
      expect(ours.code).toBe(0);
      expect(ours.stdout, args.join(' ')).toBe(fasttext(args));
    }
  });
});

describe.skipIf(!hasFastText())('hierarchical softmax over 40 labels of skewed counts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-ftbin-hs-'));
    writeSmallCorpus(dir, 40, 2500, 60);
    fasttext(['supervised', '-input', join(dir, 'train.txt'), '-output', join(dir, 'hs'), '-loss', 'hs', '-dim', '8', '-epoch', '3', '-thread', '1', '-verbose', '0']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Every label's probability is the product along its path: any difference
  // between our Huffman tree and fastText's would change a printed number.
  test('the probability of every label is what fasttext prints (the same tree)', async () => {
    const args = ['predict-prob', join(dir, 'hs.bin'), join(dir, 'test.txt'), '40'];
    const theirs = fasttext(args);
    expect(theirs.split('\n')[0]!.split(' ')).toHaveLength(80);
    expect((await hogwild(args)).stdout).toBe(theirs);
  });
});
