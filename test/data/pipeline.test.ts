// Port of Caffe2's pipeline_test.py (test_dequeue_many: N = 17 records through
// a queue dequeuing 3 at a time → ceil(17/3) = 6 dequeues), plus the pipe()
// contract: names, outputs, processors returning records / nets / stop blobs,
// NetProcessor, pipeAndOutput and argument errors.
import { afterAll, describe, expect, test } from 'vitest';

import {
  BlobRecord,
  Dataset,
  Net,
  NetProcessor,
  ops,
  Output,
  pipe,
  pipeAndOutput,
  Queue,
  ReaderWithLimit,
  TaskGroup,
  WorkspaceType,
  type TaskOutput,
} from '../../lib/index.js';
import { closeSessions, makeDestinationDataset, makeSourceDataset, newSession, numbers } from './helpers.js';

afterAll(closeSessions);

describe('pipeline_test', () => {
  test('test_dequeue_many: 17 records, 3 per dequeue, 6 dequeues', async () => {
    const N = 17;
    const NUM_DEQUEUE_RECORDS = 3;
    const session = newSession();
    const ws = session.workspace;
    ws.feed('init/uid', BigInt64Array.from({ length: N }, (_, i) => BigInt(i)));
    ws.feed('init/value', Float64Array.from({ length: N }, (_, i) => 0.1 * i));
    const srcDs = new Dataset({ uid: 'int64', value: 'float64' }, { name: 'init', blobs: ['init/uid', 'init/value'] });
    const init = new Net('init');
    const dstDs = new Dataset(srcDs.schema, { name: 'dst' }).initEmpty(init);
    const counter = init.Const(0);
    const ONE = init.Const(1);
    await session.run(init);

    const proc1 = (rec: BlobRecord) => {
      const net = ops.net();
      const out = new BlobRecord(rec.schema, [net.nextScopedBlob('proc1/uid'), rec.field('value')]);
      ops.Add([rec.field('uid'), rec.field('uid')], [out.field('uid')]);
      return out;
    };
    const proc2 = (rec: BlobRecord) => {
      const net = ops.net();
      const out = new BlobRecord(rec.schema, [rec.field('uid'), net.nextScopedBlob('proc2/value')]);
      ops.Sub([rec.field('value'), rec.field('value')], [out.field('value')]);
      ops.Add([counter, ONE], [counter]);
      return out;
    };

    const tg = new TaskGroup();
    tg.scope(() => {
      const out1 = pipe(srcDs.reader(), { output: new Queue(11, { numDequeueRecords: NUM_DEQUEUE_RECORDS }), processor: proc1 });
      const out2 = pipe(out1 as Queue, { processor: proc2 });
      pipe(out2 as Queue, { output: dstDs.writer() });
    });
    await session.run(tg);
    expect(numbers(session, counter.name)).toEqual([Math.ceil(N / NUM_DEQUEUE_RECORDS)]);
    expect(numbers(session, 'dst/uid')).toEqual(Array.from({ length: N }, (_, i) => 2 * i));
    expect(numbers(session, 'dst/value')).toEqual(Array.from({ length: N }, () => 0));
  });
});

describe('pipe()', () => {
  test('task names come from the processor, the output or the input', () => {
    const session = newSession();
    const src = makeSourceDataset(session, 4);
    const tg = new TaskGroup();
    tg.scope(() => {
      pipe(src.reader(), { processor: function double(r: BlobRecord) { return r; }, name: undefined });
      pipe(src.reader(), { processor: { name: 'model', process: (r: BlobRecord) => r } });
      pipe(src.reader(), { output: new Queue(4) });
      pipe(src.reader());
    });
    expect(tg.tasks().map((t) => t.name)).toEqual(['local/double', 'local/model', 'local/pipe_into:Queue', 'local/pipe_from:DatasetReader']);
  });

  test('numThreads 0 returns the processing reader and builds no task', () => {
    const session = newSession();
    const src = makeSourceDataset(session, 4);
    const tg = new TaskGroup();
    const r = tg.scope(() => pipe(src.reader(), { numThreads: 0, processor: (x: BlobRecord) => x }));
    expect(r?.constructor.name).toBe('ProcessingReader');
    expect(tg.numRegisteredTasks()).toBe(0);
  });

  test('a processor stop blob ends the pipe; nets-only processors make no output', async () => {
    const session = newSession();
    const src = makeSourceDataset(session, 50);
    const dst = await makeDestinationDataset(session, src.schema);
    const tg = new TaskGroup({ workspaceType: WorkspaceType.GLOBAL });
    tg.scope(() => {
      // Stop once a label >= 20 was read: the record that trips it is not written.
      const proc = (rec: BlobRecord) => {
        const reached = ops.GE([rec.field('label'), ops.Const(20)], 1, { broadcast: 1 });
        return [rec, ops.Reshape([reached], 2, { shape: [] })[0]!] as const;  // a scalar stop flag
      };
      pipe(src.reader(), { processor: proc, output: dst.writer() });
    });
    await session.run(tg);
    expect(numbers(session, dst.getBlobs()[0]!.name)).toEqual(Array.from({ length: 20 }, (_, i) => i));

    const tg2 = new TaskGroup();
    const q = tg2.scope(() => pipe(src.reader(), { processor: () => undefined }));
    expect(q).toBeUndefined();
  });

  test('Output and [nets, record, stop] results; mixing ops with explicit nets is refused', () => {
    const session = newSession();
    const src = makeSourceDataset(session, 4);
    new TaskGroup().scope(() => {
      expect(() =>
        pipe(src.reader(), {
          processor: (rec: BlobRecord) => {
            ops.Copy(rec.field('label'));
            return new Output([new Net('explicit')], rec);
          },
        }),
      ).toThrow(/Cannot both use `ops` syntax and return a list of nets/);
      const made = pipe(src.reader(), { processor: (rec: BlobRecord) => [[new Net('n')], rec, null] as const });
      expect(made).toBeInstanceOf(Queue);
    });
  });

  test('[nets, record] and a bare list of nets are Output(*tuple), as in Caffe2 (session_test returns `[net], out`)', async () => {
    const session = newSession();
    const src = makeSourceDataset(session, 5);
    const dst = await makeDestinationDataset(session, src.schema);
    // GLOBAL: the three pipes share one workspace, so each reader needs its own
    // cursor name (the default `src_cursor` would be one cursor split between them).
    const tg = new TaskGroup({ workspaceType: WorkspaceType.GLOBAL });
    tg.scope(() => {
      const doubled = pipe(src.reader({ cursorName: 'doubled_cursor' }), {
        processor: (rec: BlobRecord) => {
          const net = new Net('double');
          const out = new BlobRecord(rec.schema, [net.Add([rec.field('label'), rec.field('label')], ['doubled'])]);
          return [[net], out] as const;
        },
      });
      pipe(doubled as Queue, { output: dst.writer() });
      // A list of nets only: they run, and no record (no queue) comes out.
      const counted = pipe(src.reader({ cursorName: 'counted_cursor' }), {
        processor: () => {
          const net = new Net('count');
          net.Add(['seen', 'one'], ['seen']);
          return [net];
        },
      });
      expect(counted).toBeUndefined();
      // An empty list names no nets: the ops the processor added run.
      pipe(src.reader({ cursorName: 'ops_cursor' }), {
        processor: () => {
          ops.Add(['seen_ops', 'one'], ['seen_ops']);
          return [];
        },
      });
    });
    session.workspace.feed('seen', { dtype: 'int64', shape: [], data: BigInt64Array.of(0n) });
    session.workspace.feed('seen_ops', { dtype: 'int64', shape: [], data: BigInt64Array.of(0n) });
    session.workspace.feed('one', { dtype: 'int64', shape: [], data: BigInt64Array.of(1n) });
    await session.run(tg);
    expect(numbers(session, dst.getBlobs()[0]!.name)).toEqual([0, 2, 4, 6, 8]);
    expect(numbers(session, 'seen')).toEqual([5]);
    expect(numbers(session, 'seen_ops')).toEqual([5]);
    new TaskGroup().scope(() => {
      expect(() =>
        pipe(src.reader(), {
          processor: (rec: BlobRecord) => {
            ops.Copy(rec.field('label'));
            return [[new Net('explicit')], rec] as const;
          },
        }),
      ).toThrow(/Cannot both use `ops` syntax and return a list of nets/);
      expect(() => pipe(src.reader(), { processor: (rec: BlobRecord) => [rec, rec] as never })).toThrow(/received an array of 2/);
    });
  });

  test('NetProcessor clones a net per use, keeping its external inputs', async () => {
    const session = newSession();
    const src = makeSourceDataset(session, 10);
    const dst = await makeDestinationDataset(session, src.schema);
    const net = new Net('times3');
    const y = net.Add([net.Add(['label', 'label']), 'label']);
    const proc = new NetProcessor(net, { outputs: [y], outputSchema: src.schema });
    const tg = new TaskGroup({ workspaceType: WorkspaceType.GLOBAL });
    tg.scope(() => pipe(src.reader(), { processor: proc, output: dst.writer(), numThreads: 2 }));
    await session.run(tg);
    expect(numbers(session, dst.getBlobs()[0]!.name).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 3 * i));
    const maps = proc.blobMaps();
    expect(maps).toHaveLength(1);
    expect(maps[0]!.get('label')).toMatch(/label$/);
    expect(() => new TaskGroup().scope(() => pipe(src.reader(), { processor: proc }))).toThrow(/frozen/);
  });

  test('pipeAndOutput returns the final outputs', async () => {
    const session = newSession();
    const src = makeSourceDataset(session, 30);
    const tg = new TaskGroup();
    let out: TaskOutput | TaskOutput[] | undefined;
    tg.scope(() => {
      const proc = (rec: BlobRecord) => {
        const c = ops.taskInit().scope(() => ops.CreateCounter([], ['reads']));
        ops.CountUp(c);
        ops.taskExit().scope(() => ops.RetrieveCount([c], ['reads_total']));
        void rec;
      };
      ({ outputs: out } = pipeAndOutput(new ReaderWithLimit(src.reader(), 12), { processor: proc, numThreads: 3, finalOutputs: 'reads_total' }));
    });
    await session.run(tg);
    expect((out as TaskOutput).fetchScalar()).toBe(12);
  });

  test('bad arguments', () => {
    const session = newSession();
    const src = makeSourceDataset(session, 4);
    new TaskGroup().scope(() => {
      expect(() => pipe(42 as never)).toThrow(/Input must be a reader, queue or stream/);
      expect(() => pipe(src.reader(), { numThreads: -1 })).toThrow(/numThreads/);
      expect(() => pipe(src.reader(), { output: new Queue(3), capacity: 5 })).toThrow(/capacity would not be used/);
      expect(() => pipe(src.reader(), { output: {} as never })).toThrow(/output must be a reader, queue or stream/);
      expect(() => pipe(src.reader(), { processor: 7 as never })).toThrow(/Expected a processor/);
      expect(() => pipeAndOutput(src.reader(), { numThreads: 0 })).toThrow(/numThreads > 0/);
      expect(() => new Queue(0)).toThrow(/capacity/);
    });
  });
});
