// File readers through the public API: fastText tokenization, labels, word
// n-grams and hashing on a hand-made file (ids worked out by hand, see
// native/tests/test_readers_files.cc for the arithmetic), cross-checked with
// Debian's fasttext when installed; CSV, IDX (Fashion-MNIST) and raw arrays;
// and every kind of bad input as a DataError naming the file and line.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, test } from 'vitest';

import { DataError, FastTextFile, Net, readCsv, readIdx, readMnist, readRawArray, type LocalSession } from '../../lib/index.js';
import { mulberry32 } from '../../lib/util/prng.js';
import { closeSessions, newSession, numbers } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hogwild-files-'));
afterAll(async () => {
  await closeSessions();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const handMade = '__label__a hello world\n__label__b hello there world\n__label__a hello\n';

async function runErr(session: LocalSession, net: Net): Promise<DataError> {
  const err = await session.run(net).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('fastText files', () => {
  test('scan: dictionary sizes and label order (by count, ties by first appearance)', async () => {
    const f = await FastTextFile.scan(file('a.txt', handMade));
    expect(f.info).toMatchObject({ nwords: 4, nlabels: 2, bucket: 0, inputRows: 4, ntokens: 12, labels: ['__label__a', '__label__b'], lines: 3, examples: 3, tokens: 6, ids: 9 });
  });

  test('ids: words by decreasing count, "</s>" per line, word bigrams hashed like fastText', async () => {
    const session = newSession();
    const path = file('b.txt', handMade);
    const uni = await FastTextFile.scan(path);
    const bi = new FastTextFile(path, { wordNgrams: 2, bucket: 100 });
    const net = new Net('load');
    const { dataset: d1 } = uni.read(net, { name: 'uni' });
    const { dataset: d2, dictionary } = bi.read(net, { name: 'bi', indexDtype: 'int64' });
    const { dataset: d3 } = new FastTextFile(path).read(net, { name: 'again', dictionary });
    await session.run(net);
    // hello 0, </s> 1, world 2, there 3; labels a 0, b 1.
    expect(numbers(session, d1.content().field('label').name)).toEqual([0, 1, 0]);
    expect(numbers(session, d1.content().field('tokens:lengths').name)).toEqual([3, 4, 2]);
    expect(numbers(session, d1.content().field('tokens:values').name)).toEqual([0, 2, 1, 0, 3, 2, 1, 0, 1]);
    // Bigram ids = nwords + (sext(h1) * 116049371 + sext(h2)) mod 2^64 mod 100.
    expect(numbers(session, d2.content().field('tokens:values').name)).toEqual([0, 2, 1, 24, 62, 0, 3, 2, 1, 66, 66, 62, 0, 1, 18]);
    expect(session.workspace.fetch(d2.content().field('tokens:values').name).dtype).toBe('int64');
    expect(numbers(session, d3.content().field('tokens:values').name)).toEqual(numbers(session, d2.content().field('tokens:values').name));
  });

  test('label sets: every known label of a line, in order, duplicates kept; the same on 2 threads', async () => {
    const text = '__label__a __label__b hello\n__label__b world\n__label__a hello __label__a\n__label__c\n';
    const path = file('multi.txt', text.repeat(3000));
    const scan = await FastTextFile.scan(path);
    // Labels by count: a 0 (9000), b 1 (6000), c 2 (3000); a label-only line is an example ("</s>" is its word), as in fastText.
    expect(scan.info).toMatchObject({ examples: 12000, multiLabelExamples: 6000, skipped: 0 });
    const session = newSession();
    const net = new Net('sets');
    const one = scan.read(net, { name: 'one', labelSets: true, threads: 1 });
    const two = scan.read(net, { name: 'two', labelSets: true, threads: 2 });
    await session.run(net);
    const field = (d: typeof one.dataset, f: string) => numbers(session, d.content().field(f).name);
    expect(field(one.dataset, 'label').slice(0, 3)).toEqual([0, 1, 0]);
    expect(field(one.dataset, 'labelSet:lengths').slice(0, 3)).toEqual([2, 1, 2]);
    expect(field(one.dataset, 'labelSet:values').slice(0, 5)).toEqual([0, 1, 1, 0, 0]);
    expect(field(one.dataset, 'labelSet:values')).toHaveLength(18000);
    for (const f of ['label', 'labelSet:lengths', 'labelSet:values', 'tokens:values']) expect(field(two.dataset, f), f).toEqual(field(one.dataset, f));
    expect(() => new FastTextFile(path, { unsupervised: true }).read(new Net('x'), { labelSets: true })).toThrow(/unsupervised/);
  });

  test.runIf(existsSync('/usr/bin/fasttext'))("the dictionary order matches Debian's fasttext on a generated file", async () => {
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
    const rand = mulberry32(1);
    const lines = Array.from({ length: 400 }, () => {
      const n = 3 + Math.floor(rand() * 8);
      // Zipf-ish: distinct counts almost everywhere, so ties do not decide the order.
      const toks = Array.from({ length: n }, () => words[Math.floor(words.length * rand() ** 3)]!);
      return `__label__${Math.floor(rand() * 5)} ${toks.join(' ')}`;
    });
    const path = file('gen.txt', lines.join('\n') + '\n');
    const model = join(dir, 'gen');
    execFileSync('fasttext', ['supervised', '-input', path, '-output', model, '-dim', '2', '-epoch', '1', '-verbose', '0']);
    const dump = execFileSync('fasttext', ['dump', `${model}.bin`, 'dict'], { encoding: 'utf8' }).trim().split('\n').slice(1);
    const theirs = dump.map((l) => l.split(' ')).map(([w, c, t]) => ({ w: w!, c: Number(c), t: t! }));
    const f = await FastTextFile.scan(path);
    expect(f.info!.nwords).toBe(theirs.filter((x) => x.t === 'word').length);
    // Same words with the same counts in the same count order; same labels.
    const counts = theirs.filter((x) => x.t === 'word').map((x) => x.c);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
    expect(f.info!.labels.sort()).toEqual(theirs.filter((x) => x.t === 'label').map((x) => x.w).sort());
  });

  test('bad lines: no label, unknown label, invalid UTF-8, a 10 MB line, a missing file', async () => {
    const session = newSession();
    const train = file('train.txt', handMade);
    const check = async (content: string | Buffer, re: RegExp, withDict = false, opts: { maxLineBytes?: number } = {}) => {
      const p = file(`bad${Math.random().toString(36).slice(2)}.txt`, content);
      const net = new Net('bad');
      if (withDict) {
        const { dictionary } = new FastTextFile(train).read(net, { name: 'dict_src' });
        new FastTextFile(p, opts).read(net, { name: 'bad', dictionary });
      } else {
        new FastTextFile(p, opts).read(net, { name: 'bad' });
      }
      const err = await runErr(session, net);
      expect(err.code).toBe('HOGWILD_DATA');
      expect(err.message).toContain(p);
      expect(err.message).toMatch(re);
    };
    await check('__label__a x\ny z\n', /:2: expected a label/);
    await check('__label__a hello\n__label__zzz hello\n', /:2: label out of range: '__label__zzz' is not one of the dictionary's 2 labels/, true);
    await check(Buffer.concat([Buffer.from('__label__a ok\n__label__a h'), Buffer.from([0xc3, 0x28]), Buffer.from('llo\n')]), /:2: invalid UTF-8 at byte 13/);
    await check(`__label__a ok\n__label__a ${'x'.repeat(10 << 20)}\n`, /:2: line is 10485771 bytes, more than max_line_bytes/, false, { maxLineBytes: 1 << 20 });
    const net = new Net('missing');
    new FastTextFile(join(dir, 'nope.txt')).read(net);
    const err = await runErr(session, net);
    expect(err.code).toBe('HOGWILD_IO');
    expect(err.message).toMatch(/nope\.txt.*No such file/);
    await expect(FastTextFile.scan(join(dir, 'nope.txt'))).rejects.toMatchObject({ code: 'HOGWILD_IO' });
    await expect(FastTextFile.scan(train, { wordNgrams: 0 })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
  });
});

describe('CSV', () => {
  test('numeric columns with a label column', async () => {
    const session = newSession();
    const net = new Net('csv');
    const ds = readCsv(net, file('a.csv', 'x1,x2,y\n1.5,2,1\n-3,4e-1,0\n'), { labelColumn: 'y', numClasses: 2, numFeatures: 2 });
    await session.run(net);
    expect(session.workspace.fetch(ds.content().field('features').name).shape).toEqual([2, 2]);
    expect(numbers(session, ds.content().field('features').name)).toEqual([1.5, 2, -3, Math.fround(0.4)]);
    expect(numbers(session, ds.content().field('label').name)).toEqual([1, 0]);
  });

  test('missing and non-numeric fields, out-of-range labels', async () => {
    const session = newSession();
    const cases: [string, RegExp][] = [
      ['a,b,y\n1,2,0\n3,4\n', /:3: expected 3 fields but found 2 \(missing field\)/],
      ['1,2,0\n3,abc,1\n', /:2: column 2: expected a finite number but found 'abc'/],
      ['1,2,0\n3,,1\n', /:2: column 2 is empty/],
      ['1,2,0\n3,4,7\n', /:2: label out of range/],
    ];
    for (const [content, re] of cases) {
      const p = file(`bad${Math.random().toString(36).slice(2)}.csv`, content);
      const net = new Net('csv');
      readCsv(net, p, { numClasses: 3 });
      const err = await runErr(session, net);
      expect(err.message).toContain(p);
      expect(err.message).toMatch(re);
    }
  });
});

describe('IDX and raw arrays', () => {
  const fmnist = '/usr/share/datasets/fashion-mnist';

  test.runIf(existsSync(`${fmnist}/t10k-images-idx3-ubyte.gz`))('Fashion-MNIST test set, gzipped', async () => {
    const session = newSession();
    const net = new Net('mnist');
    const ds = readMnist(net, `${fmnist}/t10k-images-idx3-ubyte.gz`, `${fmnist}/t10k-labels-idx1-ubyte.gz`);
    await session.run(net);
    const px = session.workspace.fetch(ds.content().field('pixels').name);
    expect(px.shape).toEqual([10000, 784]);
    const data = px.data as Float32Array;
    expect(Math.min(...data.subarray(0, 784))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...data.subarray(0, 7840))).toBeLessThanOrEqual(1);
    const labels = numbers(session, ds.content().field('label').name);
    expect(labels).toHaveLength(10000);
    expect(new Set(labels).size).toBe(10);
  });

  test('wrong magic number, truncated data (plain and gzipped), out-of-range labels', async () => {
    const session = newSession();
    const header = (type: number, dims: number[]) => {
      const b = Buffer.alloc(4 + 4 * dims.length);
      b[2] = type;
      b[3] = dims.length;
      dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
      return b;
    };
    const cases: [Buffer, RegExp, object?][] = [
      [Buffer.from([1, 2, 8, 1, 0, 0, 0, 1, 0]), /not an IDX file \(magic number 0x01020801/],
      [Buffer.concat([header(8, [10, 28, 28]), Buffer.alloc(100)]), /truncated IDX data: shape \[10, 28, 28\]/],
      [gzipSync(Buffer.concat([header(8, [10, 28, 28]), Buffer.alloc(100)])), /truncated IDX data/],
      [gzipSync(Buffer.concat([header(8, [10, 28, 28]), Buffer.alloc(7840)])).subarray(0, 30), /truncated/],
      [Buffer.concat([header(8, [3]), Buffer.from([1, 2, 12])]), /label out of range: value 12 at index 2/, { dtype: 'int32', numClasses: 10 }],
    ];
    for (const [content, re, opts] of cases) {
      const p = file(`bad${Math.random().toString(36).slice(2)}.idx`, content);
      const net = new Net('idx');
      readIdx(net, p, opts ?? {});
      const err = await runErr(session, net);
      expect(err.message).toContain(p);
      expect(err.message).toMatch(re);
    }
  });

  test('raw little-endian arrays', async () => {
    const session = newSession();
    const p = file('x.f32', Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer));
    const net = new Net('raw');
    const b = readRawArray(net, p, { dtype: 'float32', shape: [-1, 3] });
    await session.run(net);
    expect(session.workspace.fetch(b.name).shape).toEqual([2, 3]);
    const bad = new Net('raw_bad');
    readRawArray(bad, p, { dtype: 'float32', shape: [-1, 4] });
    expect((await runErr(session, bad)).message).toMatch(/not a whole number of float32 rows/);
  });
});
