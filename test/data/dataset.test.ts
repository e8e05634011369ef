// Port of Caffe2's dataset_ops_test.py (test_dataset_ops steps 1–5, without
// the string field): the nested schema's field names, the 3 entries read one
// at a time and then empty batches, writing a copy through the writer; plus
// seeded shuffled reads, a cursor shared by Hogwild threads, and the cursor's
// checkpoint record.
import { afterAll, describe, expect, test } from 'vitest';

import { Dataset, list, map, Net, pipe, scalar, schema, struct, TaskGroup, WorkspaceType, type LocalSession } from '../../lib/index.js';
import { closeSessions, newSession, numbers } from './helpers.js';

afterAll(closeSessions);

const dsSchema = schema({
  dense: scalar('float32', [3]),
  floats: map('int32', 'float32'),
  int_lists: map('int32', list('int64')),
  id_score_pairs: map('int32', map('int64', 'float32')),
  metadata: struct({ user_id: 'int64', user_embed: scalar('float32', [2]) }),
});

const contents: [string, 'float32' | 'int32' | 'int64', number[], number[]?][] = [
  ['dense', 'float32', [1.1, 1.2, 1.3, 2.1, 2.2, 2.3, 3.1, 3.2, 3.3], [3, 3]],
  ['floats:lengths', 'int32', [1, 2, 3]],
  ['floats:values:keys', 'int32', [11, 21, 22, 31, 32, 33]],
  ['floats:values:values', 'float32', [1.1, 2.1, 2.2, 3.1, 3.2, 3.3]],
  ['int_lists:lengths', 'int32', [2, 0, 1]],
  ['int_lists:values:keys', 'int32', [11, 12, 31]],
  ['int_lists:values:values:lengths', 'int32', [2, 4, 3]],
  ['int_lists:values:values:values', 'int64', [111, 112, 121, 122, 123, 124, 311, 312, 313]],
  ['id_score_pairs:lengths', 'int32', [1, 2, 2]],
  ['id_score_pairs:values:keys', 'int32', [11, 21, 22, 31, 32]],
  ['id_score_pairs:values:values:lengths', 'int32', [1, 1, 2, 2, 3]],
  ['id_score_pairs:values:values:values:keys', 'int64', [111, 211, 221, 222, 311, 312, 321, 322, 323]],
  ['id_score_pairs:values:values:values:values', 'float32', [11.1, 21.1, 22.1, 22.2, 31.1, 31.2, 32.1, 32.2, 32.3]],
  ['metadata:user_id', 'int64', [123, 234, 456]],
  ['metadata:user_embed', 'float32', [0.2, 0.8, 0.5, 0.5, 0.7, 0.3], [3, 2]],
];

// What reading the top-level entries one by one gives (Caffe2's entries_raw).
const entries: number[][][] = [
  [[1.1, 1.2, 1.3], [1], [11], [1.1], [2], [11, 12], [2, 4], [111, 112, 121, 122, 123, 124], [1], [11], [1], [111], [11.1], [123], [0.2, 0.8]],
  [[2.1, 2.2, 2.3], [2], [21, 22], [2.1, 2.2], [0], [], [], [], [2], [21, 22], [1, 2], [211, 221, 222], [21.1, 22.1, 22.2], [234], [0.5, 0.5]],
  [[3.1, 3.2, 3.3], [3], [31, 32, 33], [3.1, 3.2, 3.3], [1], [31], [3], [311, 312, 313], [2], [31, 32], [2, 3], [311, 312, 321, 322, 323], [31.1, 31.2, 32.1, 32.2, 32.3], [456], [0.7, 0.3]],
];

function feedContents(session: LocalSession, prefix: string): string[] {
  return contents.map(([name, dtype, data, shape]) => {
    const blob = `${prefix}/${name}`;
    const typed = dtype === 'float32' ? Float32Array.from(data) : dtype === 'int32' ? Int32Array.from(data) : BigInt64Array.from(data.map(BigInt));
    session.workspace.feed(blob, { dtype, shape: shape ?? [data.length], data: typed });
    return blob;
  });
}

const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-4);

describe('dataset_ops_test', () => {
  test('schema field names follow Caffe2', () => {
    expect(dsSchema.fieldNames()).toEqual(contents.map(([n]) => n));
    expect(dsSchema.fieldTypes()).toEqual(contents.map(([, t]) => t));
  });

  test('reads the 3 entries, then empty batches forever; a writer copies the dataset', async () => {
    const session = newSession();
    const blobs = feedContents(session, 'ds');
    const ds = new Dataset(dsSchema, { name: 'ds', blobs });
    const readInit = new Net('read_init');
    const readNext = new Net('read_next');
    const reader = ds.reader({ initNet: readInit });
    const { shouldStop, record } = reader.readRecord(readNext);
    await session.run(readInit);
    for (let i = 0; i < 5; i++) {
      await session.run(readNext);
      const got = record.fieldBlobs().map((b) => numbers(session, b.name));
      if (i < 3) {
        got.forEach((g, k) => expect(close(g, entries[i]![k]!), `entry ${i} field ${contents[k]![0]}`).toBe(true));
        expect(session.workspace.fetch(shouldStop.name).data[0]).toBe(0);
      } else {
        for (const g of got) expect(g).toEqual([]);
        expect(session.workspace.fetch(shouldStop.name).data[0]).toBe(1);
      }
    }

    // Reading and writing in one plan: reset, then copy every entry into a second dataset.
    const init2 = new Net('init2');
    reader.reset(init2);
    const ds2 = new Dataset(dsSchema, { name: 'dataset2' }).initEmpty(init2);
    const writer = ds2.writer({ initNet: init2 });
    await session.run(init2);
    const tg = new TaskGroup({ workspaceType: WorkspaceType.GLOBAL });
    tg.scope(() => pipe(reader, { output: writer }));
    await session.run(tg);
    contents.forEach(([name, , data]) => expect(close(numbers(session, `dataset2/${name}`), data), name).toBe(true));
  });

  test('trim keeps a multiple of the batch size', async () => {
    const session = newSession();
    const blobs = feedContents(session, 'tr');
    const ds = new Dataset(dsSchema, { name: 'tr', blobs });
    const net = new Net('trim');
    ds.trim(net, 2);
    await session.run(net);
    expect(numbers(session, 'tr/dense')).toHaveLength(6);
    expect(numbers(session, 'tr/int_lists:values:values:values')).toEqual([111, 112, 121, 122, 123, 124]);
  });
});

describe('randomReader', () => {
  async function order(session: LocalSession, seed: number, passes: number): Promise<number[][]> {
    const ds = new Dataset({ id: 'int64' }, { name: `r${seed}_${passes}`, blobs: ['ids'] });
    const init = new Net('init');
    const reader = ds.randomReader({ initNet: init, batchSize: 8, seed });
    await session.run(init);
    const out: number[][] = [];
    for (let p = 0; p < passes; p++) {
      const dst = new Dataset({ id: 'int64' }, { name: `out_${seed}_${p}` });
      const i2 = new Net('i2');
      dst.initEmpty(i2);
      if (p > 0) reader.reset(i2);
      await session.run(i2);
      const tg = new TaskGroup({ workspaceType: WorkspaceType.GLOBAL });
      tg.scope(() => pipe(reader, { output: dst.writer() }));
      await session.run(tg);
      out.push(numbers(session, `out_${seed}_${p}/id`));
    }
    return out;
  }

  test('a seeded permutation per pass, replayed identically', async () => {
    const session = newSession();
    session.workspace.feed('ids', BigInt64Array.from({ length: 100 }, (_, i) => BigInt(i)));
    const a = await order(session, 7, 2);
    const b = await order(session, 7, 2);
    const c = await order(session, 8, 1);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(a[1]);
    expect(a[0]).not.toEqual(c[0]);
    for (const pass of a) expect([...pass].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('cursors', () => {
  test('shared by Hogwild threads: every entry read exactly once', async () => {
    const session = newSession();
    session.workspace.feed('big/label', BigInt64Array.from({ length: 5000 }, (_, i) => BigInt(i)));
    const src = new Dataset({ label: 'int64' }, { name: 'big', blobs: ['big/label'] });
    const init = new Net('init');
    const dst = new Dataset(src.schema, { name: 'copy' }).initEmpty(init);
    await session.run(init);
    const tg = new TaskGroup();
    tg.scope(() => pipe(src.reader({ batchSize: 3 }), { output: dst.writer(), numThreads: 4 }));
    await session.run(tg);
    expect(numbers(session, 'copy/label').sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  test('a cursor is checkpointed as its offsets and resumes after restore', async () => {
    const session = newSession();
    const blobs = feedContents(session, 'ck');
    const ds = new Dataset(dsSchema, { name: 'ck', blobs });
    const init = new Net('init');
    const reader = ds.reader({ initNet: init, cursorName: 'ck_cursor' });
    const read = new Net('read');
    const { record } = reader.readRecord(read);
    await session.run(init);
    await session.run(read);
    const saved = session.workspace.serializeBlob('ck_cursor');
    expect(saved?.dtype).toBe('uint8');
    await session.run(read);  // moves on to entry 2
    session.workspace.deserializeBlob('ck_cursor', 'treeCursor', saved!);
    await session.run(read);  // entry 1 again
    expect(numbers(session, record.field('metadata:user_id').name)).toEqual([234]);
    expect(session.workspace.kind('ck_cursor')).toBe('treeCursor');
  });
});
