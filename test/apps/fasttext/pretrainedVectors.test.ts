// -pretrainedVectors as fastText does it: the .vec file's words join the
// dictionary (the same entries and counts as fastText's dictionary, checked
// with `fasttext dump`), so test lines whose words only the .vec knows are
// classified as fastText's model classifies them (and not at all without it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { FastTextFile } from '../../../lib/index.js';
import { mulberry32 } from '../../../lib/util/prng.js';
import { fasttext, hasFastText, hogwild } from '../fasttextBinHelpers.js';

const CLASSES = 8;
const DIM = 16;

/** Train lines use class words 0-9, test lines only 10-19: what the model knows of those comes from the .vec. */
function writeFiles(dir: string): void {
  const rand = mulberry32(7);
  const pick = (n: number) => Math.floor(rand() * n);
  const line = (seen: boolean) => {
    const c = pick(CLASSES);
    const words = Array.from({ length: 8 + pick(8) }, () => (rand() < 0.35 ? `c${c}w${seen ? pick(10) : 10 + pick(10)}` : `s${pick(200)}`));
    return `__label__${c} ${words.join(' ')}\n`;
  };
  writeFileSync(join(dir, 'train.txt'), Array.from({ length: 4000 }, () => line(true)).join(''));
  writeFileSync(join(dir, 'test.txt'), Array.from({ length: 1000 }, () => line(false)).join(''));
  // Class words near their class's direction, shared words small; plus words no line has.
  const dirs = Array.from({ length: CLASSES }, () => Array.from({ length: DIM }, () => rand() * 2 - 1));
  const rows: string[] = [];
  const row = (w: string, v: number[]) => rows.push(`${w} ${v.map((x) => x.toFixed(5)).join(' ')}`);
  for (let c = 0; c < CLASSES; c++) for (let i = 0; i < 20; i++) row(`c${c}w${i}`, dirs[c]!.map((x) => x + 0.3 * (rand() * 2 - 1)));
  for (let i = 0; i < 200; i++) row(`s${i}`, Array.from({ length: DIM }, () => 0.3 * (rand() * 2 - 1)));
  row('onlyinvec', Array.from({ length: DIM }, () => 0));
  writeFileSync(join(dir, 'words.vec'), `${rows.length} ${DIM}\n${rows.join('\n')}\n`);
}

const p1 = (stdout: string) => Number(/P@1\t([0-9.]+)/.exec(stdout)![1]);

describe('-pretrainedVectors', () => {
  let dir: string;
  const at = (f: string) => join(dir, f);
  const train = (out: string, ...extra: string[]) =>
    hogwild(['supervised', '-input', at('train.txt'), '-output', at(out), '-dim', String(DIM), '-epoch', '5', '-lr', '0.5', '-thread', '1', '-verbose', '0', '--no-progress', ...extra]);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-pretrained-'));
    writeFiles(dir);
    for (const [out, extra] of [['with', ['-pretrainedVectors', at('words.vec')]], ['without', []]] as const) {
      const r = await train(out, ...extra);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the .vec words join the dictionary (count + 1, whatever -minCount)', async () => {
    const plain = (await FastTextFile.scan(at('train.txt'), { minCount: 2 })).info!;
    const joined = (await FastTextFile.scan(at('train.txt'), { minCount: 2, pretrainedVectors: at('words.vec') })).info!;
    // 160 class words + 200 shared + "onlyinvec"; the 80 test-only class words and "onlyinvec" are new.
    expect(joined.nwords).toBe(plain.nwords + 81);
    expect(joined.ntokens).toBe(plain.ntokens);
    writeFileSync(at('bad.vec'), '3 16\nw 1\n');
    await expect(FastTextFile.scan(at('train.txt'), { pretrainedVectors: at('bad.vec') })).rejects.toThrow(/bad\.vec: the header announces 3 words but the file has 1/);
    await expect(FastTextFile.scan(at('train.txt'), { pretrainedVectors: at('none.vec') })).rejects.toThrow(/none\.vec/);
  });

  test('words only the .vec has classify the test lines; without it they are unknown', async () => {
    expect(p1((await hogwild(['test', at('with.bin'), at('test.txt')])).stdout)).toBeGreaterThan(0.9);
    expect(p1((await hogwild(['test', at('without.bin'), at('test.txt')])).stdout)).toBeLessThan(0.3);
  });

  test('a bad .vec is an input error naming the file', async () => {
    writeFileSync(at('short.vec'), '5 16\nw 1\n');
    const r = await train('bad', '-pretrainedVectors', at('short.vec'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/short\.vec/);
  });

  describe.skipIf(!hasFastText())('against the fasttext binary', () => {
    test('the same dictionary entries and counts; P@1 within 2 points', async () => {
      fasttext(['supervised', '-input', at('train.txt'), '-output', at('ft'), '-dim', String(DIM), '-epoch', '5', '-lr', '0.5', '-thread', '1', '-verbose', '0', '-pretrainedVectors', at('words.vec')]);
      expect((await hogwild(['export', at('with.bin'), at('with-ft.bin')])).code).toBe(0);
      const entries = (bin: string) => fasttext(['dump', bin, 'dict']).trim().split('\n').slice(1).sort();
      expect(entries(at('with-ft.bin'))).toEqual(entries(at('ft.bin')));
      const ours = p1((await hogwild(['test', at('with.bin'), at('test.txt')])).stdout);
      expect(Math.abs(ours - p1(fasttext(['test', at('ft.bin'), at('test.txt')])))).toBeLessThan(0.02);
    });
  });
});
