// fastText's .vec files: written by hogwild export byte-identical to the ones
// fasttext writes next to its models (supervised with n-grams, and skipgram),
// read back with every count and number checked, and used as -pretrainedVectors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { fastTextBinToWorkspace } from '../../lib/apps/fasttext/fastTextBin/convert.js';
import { readAnyModelAsFastTextBin } from '../../lib/apps/fasttext/fastTextBin/export.js';
import { readFastTextBin } from '../../lib/apps/fasttext/fastTextBin/read.js';
import { applyPretrainedVectors, parseVec, readVec } from '../../lib/apps/fasttext/fastTextBin/vec.js';
import { FASTTEXT_BLOBS } from '../../lib/apps/fasttext/FastTextJob.js';
import { DataError, HogwildError } from '../../lib/errors/index.js';
import { Workspace } from '../../lib/runtime/Workspace.js';
import { fasttext, hasFastText, hogwild, writeSmallCorpus } from './fasttextBinHelpers.js';

describe('parseVec', () => {
  test('reads words and numbers as fastText does (any whitespace)', () => {
    const v = parseVec('2 3\nhello 1 -2.5 3e-2 \nwörld\t0 0 1\n');
    expect(v.dim).toBe(3);
    expect(v.words).toEqual(['hello', 'wörld']);
    expect(Array.from(v.vectors)).toEqual([1, -2.5, Math.fround(0.03), 0, 0, 1]);
  });

  test.each([
    ['', /header/],
    ['2 x\n', /header/],
    ['-1 3\n', /header/],
    ['2 3\na 1 2 3\n', /need 8/],
    ['1 3\na 1 2 3 4\n', /need 4/],
    ['1 2\na 1 nan\n', /value 2 of 'a'/],
    ['1 2\na 1 1e999\n', /value 2 of 'a'/],
  ])('refuses %j', (text, why) => {
    expect(() => parseVec(text, 'v.vec')).toThrow(why);
    try {
      parseVec(text);
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      expect((err as HogwildError).code).toBe('HOGWILD_VEC');
    }
  });
});

describe.skipIf(!hasFastText())('.vec files and fasttext', () => {
  let dir: string;
  const at = (f: string) => join(dir, f);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-ftvec-'));
    writeSmallCorpus(dir, 5, 400, 20);
    const common = ['-input', at('train.txt'), '-epoch', '1', '-thread', '1', '-verbose', '0'];
    fasttext(['supervised', ...common, '-output', at('sup'), '-dim', '6', '-minn', '2', '-maxn', '4', '-bucket', '300', '-wordNgrams', '2']);
    fasttext(['skipgram', ...common, '-output', at('sg'), '-dim', '5', '-minCount', '2', '-bucket', '200']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(['sup', 'sg'])('hogwild export --format vec of %s.bin is the .vec fasttext wrote', async (m) => {
    const r = await hogwild(['export', at(`${m}.bin`), at(`${m}-hw.vec`), '--format', 'vec']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(at(`${m}-hw.vec`), 'utf8')).toBe(readFileSync(at(`${m}.vec`), 'utf8'));
  });

  test('-pretrainedVectors: the rows of the words the file has are set, others kept', async () => {
    const vec = await readVec(at('sg.vec'));
    const bin = readFastTextBin(at('sup.bin'));
    const ws = new Workspace();
    try {
      fastTextBinToWorkspace(bin, ws);
      expect(() => applyPretrainedVectors(ws, vec)).toThrow(/dimension 6 .* received 5/);
      const six = parseVec(`2 6\n${bin.entries[1]!.word} 1 2 3 4 5 6\nnot-a-word 9 9 9 9 9 9\n`);
      expect(applyPretrainedVectors(ws, six)).toBe(1);
      const rows = ws.fetch(FASTTEXT_BLOBS.input).data as Float32Array;
      expect(Array.from(rows.subarray(6, 12))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(rows.subarray(0, 6))).toEqual(Array.from(bin.input.data.subarray(0, 6)));
      expect(Array.from(rows.subarray(12))).toEqual(Array.from(bin.input.data.subarray(12)));
    } finally {
      ws.dispose();
    }
    writeFileSync(at('bad.vec'), '1 2\nw 1\n');
    await expect(readVec(at('bad.vec'))).rejects.toThrow(/bad\.vec/);
  });

  test('hogwild supervised -pretrainedVectors starts from the file\'s rows', async () => {
    const train = ['supervised', '-input', at('train.txt'), '-dim', '6', '-epoch', '1', '-lr', '1e-7', '-thread', '1', '-verbose', '0', '--no-charts'];
    const r = await hogwild([...train, '-output', at('pre'), '-pretrainedVectors', at('sup.vec')]);
    expect(r.code, r.stderr).toBe(0);
    const vec = await readVec(at('sup.vec'));
    const bin = await readAnyModelAsFastTextBin(at('pre.bin'), { dropBias: true });
    const ids = new Map(bin.entries.map((e, i) => [e.word, i]));
    let checked = 0;
    vec.words.forEach((w, i) => {
      const id = ids.get(w);
      if (id === undefined || id >= bin.nwords) return;
      for (let j = 0; j < 6; j++) expect(Math.abs(bin.input.data[id * 6 + j]! - vec.vectors[i * 6 + j]!)).toBeLessThan(1e-4);
      checked++;
    });
    expect(checked).toBeGreaterThan(bin.nwords / 2);
    const wrongDim = await hogwild([...train, '-dim', '5', '-output', at('pre5'), '-pretrainedVectors', at('sup.vec')]);
    expect(wrongDim.code).toBe(3);
    expect(wrongDim.stderr).toMatch(/dimension 5 .* have 6/);
  });

  test.each(['sup', 'sg'])('print-word-vectors and print-sentence-vectors on %s.bin print what fasttext prints', async (m) => {
    // (Not a label: fasttext aborts on one, an assertion in getSubwords.)
    const words = 'c0w1 s3 unseenword ünïcödé </s> c1w2\nk0 s4\n';
    writeFileSync(at('words.txt'), words);
    const ftWords = execFileSync('fasttext', ['print-word-vectors', at(`${m}.bin`)], { input: words, encoding: 'utf8' });
    expect(ftWords.split('\n')).toHaveLength(9);
    expect((await hogwild(['print-word-vectors', at(`${m}.bin`), at('words.txt')])).stdout).toBe(ftWords);
    // Word-vector models look each word up (fasttext aborts on a label there): no labels for them.
    const raw = readFileSync(at('test.txt'), 'utf8');
    const lines = m === 'sup' ? raw : raw.replace(/__label__\S+/g, '');
    writeFileSync(at('lines.txt'), lines);
    const ftLines = execFileSync('fasttext', ['print-sentence-vectors', at(`${m}.bin`)], { input: lines, encoding: 'utf8' });
    expect((await hogwild(['print-sentence-vectors', at(`${m}.bin`), at('lines.txt')])).stdout).toBe(ftLines);
  });
});
