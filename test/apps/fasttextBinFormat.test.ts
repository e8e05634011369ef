// The fastText model-file reader on real files (supervised and word-vector
// models made by Debian's fasttext) and on damaged or hostile ones: every
// failure is a DataError with code HOGWILD_FASTTEXT_BIN, found before any
// allocation a size in the file asks for.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { parseFastTextBin } from '../../lib/apps/fasttext/fastTextBin/read.js';
import { serializeFastTextBin } from '../../lib/apps/fasttext/fastTextBin/write.js';
import { DataError, HogwildError } from '../../lib/errors/index.js';
import { fasttext, hasFastText, hogwild, writeSmallCorpus } from './fasttextBinHelpers.js';

/** Byte offset of the dictionary (after the signature and the 56 bytes of arguments). */
const DICT_AT = 8 + 56;

function expectBinError(bytes: Uint8Array, what?: RegExp): void {
  let caught: unknown;
  try {
    parseFastTextBin(bytes, 'bad.bin');
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DataError);
  expect((caught as HogwildError).code).toBe('HOGWILD_FASTTEXT_BIN');
  if (what) expect((caught as Error).message).toMatch(what);
}

describe.skipIf(!hasFastText())('fastText model files', () => {
  let dir: string;
  let sup: Buffer;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-ftformat-'));
    writeSmallCorpus(dir, 4, 200, 20);
    fasttext(['supervised', '-input', join(dir, 'train.txt'), '-output', join(dir, 'sup'), '-dim', '3', '-epoch', '1', '-thread', '1', '-verbose', '0', '-minn', '2', '-maxn', '3', '-bucket', '50']);
    fasttext(['skipgram', '-input', join(dir, 'train.txt'), '-output', join(dir, 'sg'), '-dim', '4', '-epoch', '1', '-thread', '1', '-verbose', '0', '-minCount', '2', '-bucket', '100']);
    sup = readFileSync(join(dir, 'sup.bin'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a supervised model: its arguments and dictionary are what fasttext dump prints, and it writes back to the same bytes', () => {
    const bin = parseFastTextBin(sup);
    expect(bin.args).toMatchObject({ dim: 3, model: 'sup', loss: 'softmax', minn: 2, maxn: 3, bucket: 50 });
    const dump = fasttext(['dump', join(dir, 'sup.bin'), 'dict']).trim().split('\n');
    expect(dump[0]).toBe(String(bin.entries.length));
    expect(dump.slice(1)).toEqual(bin.entries.map((e) => `${e.word} ${e.count} ${e.type === 1 ? 'label' : 'word'}`));
    expect(bin.input.rows).toBe(bin.nwords + 50);
    expect(serializeFastTextBin(bin).equals(sup)).toBe(true);
  });

  test('a skipgram model is read (word vectors), and test/predict refuse it clearly', async () => {
    const bytes = readFileSync(join(dir, 'sg.bin'));
    const bin = parseFastTextBin(bytes);
    expect(bin.args).toMatchObject({ model: 'sg', dim: 4, minCount: 2, bucket: 100 });
    expect(bin.nlabels).toBeGreaterThan(0); // labels stay in an unsupervised dictionary
    expect(bin.output.rows).toBe(bin.nwords);
    expect(serializeFastTextBin(bin).equals(bytes)).toBe(true);
    const r = await hogwild(['predict', join(dir, 'sg.bin'), join(dir, 'test.txt')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/supervised fastText model .* skipgram model/);
  });

  test('matrices read the same at any byte alignment (views when aligned, copies otherwise)', () => {
    const ref = parseFastTextBin(sup);
    for (let shift = 0; shift < 4; shift++) {
      const holder = Buffer.alloc(sup.length + shift);
      sup.copy(holder, shift);
      const bin = parseFastTextBin(holder.subarray(shift));
      expect(bin.input.data).toEqual(ref.input.data);
      expect(bin.output.data).toEqual(ref.output.data);
      expect(serializeFastTextBin(bin).equals(sup)).toBe(true);
    }
  });

  test('every truncation is refused with HOGWILD_FASTTEXT_BIN', () => {
    const step = Math.max(1, Math.floor(sup.length / 400));
    for (let n = 0; n < sup.length; n += n < 400 ? 1 : step) expectBinError(sup.subarray(0, n));
    expectBinError(Buffer.concat([sup, Buffer.alloc(1)]), /1 bytes follow/);
  });

  test('hostile sizes are refused before allocating', () => {
    const edit = (at: number, write: (b: Buffer) => void) => {
      const b = Buffer.from(sup);
      write(b.subarray(at));
      return b;
    };
    expectBinError(edit(0, (b) => b.writeInt32LE(1234)), /signature/);
    expectBinError(edit(4, (b) => b.writeInt32LE(11)), /version is 11/);
    expectBinError(edit(8, (b) => b.writeInt32LE(0)), /dim is 0/);
    expectBinError(edit(8 + 24, (b) => b.writeInt32LE(9)), /loss is 9/);
    expectBinError(edit(DICT_AT, (b) => b.writeInt32LE(0x7fffffff)), /inconsistent/);
    expectBinError(edit(DICT_AT + 4, (b) => b.writeInt32LE(-5)), /inconsistent/);
    expectBinError(edit(DICT_AT + 20, (b) => b.writeBigInt64LE(3n)), /quantized/);
    const bin = parseFastTextBin(sup);
    const inputAt = sup.length - 4 * (bin.input.data.length + bin.output.data.length) - 17 - 17;
    expectBinError(edit(inputAt, (b) => b.writeUInt8(1)), /input matrix is quantized/);
    expectBinError(edit(inputAt + 1, (b) => b.writeBigInt64LE(1n << 40n)), /input matrix is 1099511627776 × 3/);
    expectBinError(edit(inputAt + 9, (b) => b.writeBigInt64LE(-1n)), /input matrix/);
    expectBinError(edit(inputAt + 1, (b) => b.writeBigInt64LE(BigInt(bin.input.rows - 1))), /./);
    // A label among the words, or a word among the labels.
    const firstType = DICT_AT + 28 + Buffer.byteLength(bin.entries[0]!.word) + 1 + 8;
    expectBinError(edit(firstType, (b) => b.writeUInt8(1)), /is a label where a word is expected/);
    expectBinError(edit(firstType, (b) => b.writeUInt8(7)), /type 7/);
  });

  test('seeded random byte damage never escapes as anything but a HogwildError', () => {
    let s = 5;
    const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(sup);
      for (let j = 0; j < 3; j++) b[Math.floor(rand() * Math.min(b.length, 600))] = Math.floor(rand() * 256);
      try {
        parseFastTextBin(b);
      } catch (err) {
        expect(err).toBeInstanceOf(HogwildError);
      }
    }
  });

  test('hogwild predict on a damaged file: exit 3 and one line naming the file', async () => {
    writeFileSync(join(dir, 'cut.bin'), sup.subarray(0, 200));
    const r = await hogwild(['predict', join(dir, 'cut.bin'), join(dir, 'test.txt')]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cut\.bin.*larger than the file/);
  });
});
