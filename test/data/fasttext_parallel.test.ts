// The training file is parsed on several threads (line-aligned byte ranges):
// the dictionary (words, counts, order, ties) and every encoded id must be
// exactly the serial ones, errors must name the real line, and `once` keeps
// an encoding already in the workspace instead of parsing again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { DataError, FastTextFile, generateCorpus, Net } from '../../lib/index.js';
import { closeSessions, newSession, numbers } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hogwild-ftpar-'));
afterAll(async () => {
  await closeSessions();
  rmSync(dir, { recursive: true, force: true });
});

// About 5 MB: big enough for 4 ranges of at least 1 MiB each. Many ties in
// the tail of the vocabulary, the rule most sensitive to the merge order.
const big = join(dir, 'big.txt');
writeFileSync(big, generateCorpus({ seed: 3, train: 50_000, test: 1, sharedWords: 20_000, classWords: 3_000 }).train + '__label__sports last line without newline');

describe('parallel fastText parsing', () => {
  test('scan: 1 and 4 threads find the same dictionary and counts', async () => {
    const one = await FastTextFile.scan(big, { wordNgrams: 2, bucket: 1000, threads: 1 });
    const four = await FastTextFile.scan(big, { wordNgrams: 2, bucket: 1000, threads: 4 });
    expect(four.info).toEqual(one.info);
    expect(one.info!.examples).toBe(50_001);
  });

  test('dictionary and encoding: 4 threads give the serial bytes', async () => {
    const session = newSession();
    const net = new Net('par');
    const serial = new FastTextFile(big, { wordNgrams: 2, bucket: 1000 });
    const { dataset: d1, dictionary: dict1 } = serial.read(net, { name: 's', threads: 1 });
    const { dataset: d2, dictionary: dict2 } = serial.read(net, { name: 'p', threads: 4 });
    const dict3 = serial.buildDictionary(net, { name: 'b', threads: 3 });
    const { dataset: d3 } = serial.read(net, { name: 'e', dictionary: dict3, threads: 4 });
    await session.run(net);
    const bytes = (name: string) => {
      const t = session.workspace.serializeBlob(name)!;
      return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex');
    };
    expect(bytes(dict2.name)).toBe(bytes(dict1.name));
    expect(bytes(dict3.name)).toBe(bytes(dict1.name));
    const raw = (name: string) => {
      const t = session.workspace.fetch(name);
      return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    };
    for (const f of ['label', 'tokens:lengths', 'tokens:values']) {
      const a = raw(d1.content().field(f).name);
      expect(a.length, f).toBeGreaterThan(50_000);
      expect(Buffer.compare(raw(d2.content().field(f).name), a), f).toBe(0);
      expect(Buffer.compare(raw(d3.content().field(f).name), a), f).toBe(0);
    }
  });

  test('a bad line in a later range is reported with its real line number', async () => {
    const text = generateCorpus({ seed: 4, train: 40_000, test: 1 }).train;
    const lines = text.split('\n');
    lines[30_000] = 'no label on this line';
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, lines.join('\n'));
    const session = newSession();
    const net = new Net('bad');
    const dict = new FastTextFile(bad).buildDictionary(net, { threads: 4 });
    new FastTextFile(bad).read(net, { name: 'bad', dictionary: dict, threads: 4 });
    const err = await session.run(net).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(`${bad}:30001: expected a label`);
  });

  test('once: the dictionary keeps its encoding; a second run shares it without parsing', async () => {
    const path = join(dir, 'once.txt');
    writeFileSync(path, '__label__a x y\n__label__b y z\n');
    const session = newSession();
    const init = new Net('once_init');
    const dict = new FastTextFile(path).buildDictionary(init, { name: 'once' });
    await session.run(init);
    const read = new Net('once_read');
    const { dataset } = new FastTextFile(path).read(read, { name: 'once_ds', dictionary: dict, once: true });
    await session.run(read);
    const ids = numbers(session, dataset.content().field('tokens:values').name);
    expect(ids.length).toBe(6);
    // The file changes; with `once` the dictionary keeps what it encoded first.
    writeFileSync(path, '__label__a x\n');
    await session.run(read);
    expect(numbers(session, dataset.content().field('tokens:values').name)).toEqual(ids);
    expect(() => new FastTextFile(path).read(new Net('x'), { once: true })).toThrow(/Expected a dictionary with once/);
  });

  test('retain: the job takes the scan\'s parse; a file changed since is parsed again', async () => {
    const path = join(dir, 'retain.txt');
    writeFileSync(path, '__label__a x y\n__label__b y z\n');
    const scanned = await FastTextFile.scan(path, { retain: true, threads: 2 });
    expect(scanned.info).toMatchObject({ nwords: 4, examples: 2 });
    const session = newSession();
    const net = new Net('retain');
    const dict = scanned.buildDictionary(net, { name: 'retained' });
    const { dataset } = scanned.read(net, { name: 'retained_ds', dictionary: dict, once: true });
    await session.run(net);
    expect(numbers(session, dataset.content().field('tokens:values').name)).toEqual([2, 0, 1, 0, 3, 1]);

    await FastTextFile.scan(path, { retain: true });
    writeFileSync(path, '__label__a x x x w\n');  // another size: the retained parse no longer matches
    const net2 = new Net('retain2');
    const dict2 = scanned.buildDictionary(net2, { name: 'changed' });
    const { dataset: d2 } = scanned.read(net2, { name: 'changed_ds', dictionary: dict2, once: true });
    await session.run(net2);
    expect(numbers(session, d2.content().field('tokens:values').name)).toEqual([0, 0, 0, 1, 2]);
  });
});
