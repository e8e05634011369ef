// Port of Caffe2's session_test.py (pytorch/pytorch 18a9cac7…, docs/caffe2.md §0):
// test_local_session, its one scenario, with its numbers. A source Dataset
// over fed blobs (uid = [1, 2, 6] int64, value = [1.4, 1.6, 1.7] float64) is
// piped through proc1 (uid + uid), a queue, proc2 (value - value), a second
// queue, and into a destination Dataset that the init net created empty; the
// destination ends up uid = [2, 4, 12], value = [0, 0, 0]. The processors
// build their own Net and return `[nets, record]`, as the original did.
import { afterAll, describe, expect, test } from 'vitest';

import { BlobRecord, Dataset, LocalSession, Net, pipe, Queue, schema, TaskGroup, Workspace } from '../../lib/index.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('session_test', () => {
  test('test_local_session: two processors piped through queues into a dataset', async () => {
    const initNet = new Net('init');
    const srcSchema = schema({ uid: 'int64', value: 'float64' });
    const srcValues = { uid: BigInt64Array.from([1n, 2n, 6n]), value: Float64Array.from([1.4, 1.6, 1.7]) };
    const expectedDst = { uid: [2, 4, 12], value: [0.0, 0.0, 0.0] };

    // NewRecord / InitEmptyRecord under NameScope('init'): Caffe2 names the
    // second record's blobs apart (`_0`); InitEmptyRecord fills them with empty tensors.
    const srcBlobs = new BlobRecord(srcSchema, ['init/uid', 'init/value']);
    const dstBlobs = new BlobRecord(srcSchema, ['init/uid_0', 'init/value_0']);
    srcSchema.fields().forEach((f, i) => initNet.ConstantFill([], [dstBlobs.fieldBlobs()[i]!], { shape: [0], dtype: f.dtype, value: 0 }));

    const proc1 = (rec: BlobRecord) => {
      const net = new Net('proc1');
      const out = new BlobRecord(rec.schema, [net.nextScopedBlob('proc1/uid'), rec.field('value')]);
      net.Add([rec.field('uid'), rec.field('uid')], [out.field('uid')]);
      return [[net], out] as const;
    };
    const proc2 = (rec: BlobRecord) => {
      const net = new Net('proc2');
      const out = new BlobRecord(rec.schema, [rec.field('uid'), net.nextScopedBlob('proc2/value')]);
      net.Sub([rec.field('value'), rec.field('value')], [out.field('value')]);
      return [[net], out] as const;
    };

    const srcDs = Dataset.fromRecord(srcBlobs);
    const dstDs = Dataset.fromRecord(dstBlobs);

    const tg = new TaskGroup();
    tg.scope(() => {
      const out1 = pipe(srcDs.reader(), { processor: proc1 });
      const out2 = pipe(out1 as Queue, { processor: proc2 });
      pipe(out2 as Queue, { output: dstDs.writer() });
    });
    // Three pipe tasks; the first two write into new default queues.
    expect(tg.tasks().length).toBe(3);

    const ws = new Workspace();
    cleanup.push(() => ws.dispose());
    ws.feed('init/uid', srcValues.uid);
    ws.feed('init/value', srcValues.value);
    const session = new LocalSession(ws);
    cleanup.push(() => session.close());
    await session.run(initNet);
    await session.run(tg);

    const uid = ws.fetch('init/uid_0');
    const value = ws.fetch('init/value_0');
    expect(uid.dtype).toBe('int64');
    expect(value.dtype).toBe('float64');
    expect(Array.from(uid.data as BigInt64Array, Number)).toEqual(expectedDst.uid);
    expect(Array.from(value.data as Float64Array)).toEqual(expectedDst.value);
    // The source is read, not consumed.
    expect(Array.from(ws.fetch('init/value').data as Float64Array)).toEqual([1.4, 1.6, 1.7]);
  });
});
