// Ports of Caffe2's dataio_test.py (TestReaderWithLimit, TestCompositeReader)
// with its numbers: runtime threads and chained limited pipes (100/100/8, then
// 25/25/6), count- and time-limited readers, composite readers and builders,
// and the counter reader.
import { afterAll, describe, expect, test } from 'vitest';

import {
  CompositeReader,
  CompositeReaderBuilder,
  countUntil,
  CounterReader,
  Dataset,
  finalOutput,
  ops,
  pipe,
  ReaderBuilder,
  ReaderWithDelay,
  ReaderWithLimit,
  ReaderWithTimeLimit,
  Struct,
  TaskGroup,
  WorkspaceType,
  BlobRecord,
  type Field,
  type LocalSession,
  type Reader,
  type ReaderWithLimitBase,
  type TaskOutput,
} from '../../lib/index.js';
import { closeSessions, makeDestinationDataset, makeSourceDataset, newSession, numbers } from './helpers.js';

afterAll(closeSessions);

describe('ReaderWithLimit: runtime threads', () => {
  test('task init/instance/exit hooks count reads, then a chained limited pipe stops at 25', async () => {
    const session = newSession();
    const src = makeSourceDataset(session);
    const totals: TaskOutput[] = [];
    const proc = (rec: BlobRecord) => {
      // executed once
      const [c1, c2, c3] = ops.taskInit().scope(() => [
        ops.CreateCounter([], ['global_counter']),
        ops.CreateCounter([], ['global_counter2']),
        ops.CreateCounter([], ['global_counter3']),
      ]);
      // executed once per thread
      const taskCounter = ops.taskInstanceInit().scope(() => ops.CreateCounter([], ['task_counter']));
      // executed on each iteration
      ops.CountUp(c1!);
      ops.CountUp(taskCounter);
      // executed once per thread
      ops.taskInstanceExit().scope(() => {
        ops.loop(ops.RetrieveCount(taskCounter)).scope(() => ops.CountUp(c2!));
        ops.CountUp(c3!);
      });
      // executed once
      ops.taskExit().scope(() => {
        totals[0] = finalOutput(ops.RetrieveCount(c1!));
        totals[1] = finalOutput(ops.RetrieveCount(c2!));
        totals[2] = finalOutput(ops.RetrieveCount(c3!));
      });
      return rec;
    };

    // Read the full data set from the original reader.
    let tg = new TaskGroup();
    tg.scope(() => pipe(src.reader(), { numThreads: 8, processor: proc }));
    await session.run(tg);
    expect(totals.map((t) => t.fetchScalar())).toEqual([100, 100, 8]);

    // Read with a count-limited reader between two queues.
    tg = new TaskGroup();
    tg.scope(() => {
      const q1 = pipe(src.reader(), { numThreads: 2 }) as { reader(): Reader };
      const q2 = pipe(new ReaderWithLimit(q1.reader(), 25), { numThreads: 3 }) as { reader(): Reader };
      pipe(q2, { processor: proc, numThreads: 6 });
    });
    await session.run(tg);
    expect(totals.map((t) => t.fetchScalar())).toEqual([25, 25, 6]);
  });
});

describe('limited readers (dataio_test._test_limit_reader_shared)', () => {
  async function limitReaderShared(
    make: (r: Reader) => ReaderWithLimitBase,
    o: { size: number; expectedReadLen: number; threshold: number; expectedFinish: boolean; numThreads: number; readDelay: number },
  ): Promise<void> {
    const session = newSession();
    const src = makeSourceDataset(session, o.size);
    const dst = await makeDestinationDataset(session, src.schema);
    // GLOBAL: dataFinished() is fetched after the group ran.
    const tg = new TaskGroup({ workspaceType: WorkspaceType.GLOBAL });
    const reader = tg.scope(() => {
      const r = make(o.readDelay > 0 ? new ReaderWithDelay(src.reader(), o.readDelay) : src.reader());
      pipe(r, { output: dst.writer(), numThreads: o.numThreads });
      return r;
    });
    await session.run(tg);
    const read = numbers(session, dst.getBlobs()[0]!.name).sort((a, b) => a - b);
    expect(read.length).toBeGreaterThanOrEqual(o.expectedReadLen - o.threshold);
    expect(read.length).toBeLessThanOrEqual(o.expectedReadLen + o.threshold);
    expect(read).toEqual(Array.from({ length: read.length }, (_, i) => i));
    expect(session.workspace.fetch(reader.dataFinished().name).data[0]).toBe(o.expectedFinish ? 1 : 0);
  }

  test('count limit: none reads all 100 and finishes', () =>
    limitReaderShared((r) => new ReaderWithLimit(r, null), { size: 100, expectedReadLen: 100, threshold: 0, expectedFinish: true, numThreads: 8, readDelay: 0 }));
  test('count limit: zero reads nothing, not finished', () =>
    limitReaderShared((r) => new ReaderWithLimit(r, 0), { size: 100, expectedReadLen: 0, threshold: 0, expectedFinish: false, numThreads: 8, readDelay: 0 }));
  test('count limit: 10 of 100, not finished', () =>
    limitReaderShared((r) => new ReaderWithLimit(r, 10), { size: 100, expectedReadLen: 10, threshold: 0, expectedFinish: false, numThreads: 8, readDelay: 0 }));
  test('count limit: 110 of 100 reads all, finished', () =>
    limitReaderShared((r) => new ReaderWithLimit(r, 110), { size: 100, expectedReadLen: 100, threshold: 0, expectedFinish: true, numThreads: 8, readDelay: 0 }));
  test('count limit defaults to 1 (Caffe2)', () =>
    limitReaderShared((r) => new ReaderWithLimit(r), { size: 100, expectedReadLen: 1, threshold: 0, expectedFinish: false, numThreads: 8, readDelay: 0 }));
  test('time limit: none reads all 100 (0.1 s per read, 8 threads)', () =>
    limitReaderShared((r) => new ReaderWithTimeLimit(r, 0), { size: 100, expectedReadLen: 100, threshold: 0, expectedFinish: true, numThreads: 8, readDelay: 0.1 }));
  test('time limit: too short for 50 reads at 0.25 s with 4 threads', () => {
    const size = 50, numThreads = 4, sleep = 0.25, duration = 1;
    const expected = Math.round((numThreads * duration) / sleep);
    return limitReaderShared((r) => new ReaderWithTimeLimit(r, duration - 0.25 * sleep), {
      size, expectedReadLen: expected / 2, threshold: expected / 2, expectedFinish: false, numThreads, readDelay: sleep,
    });
  });
  test('time limit: ample, reads all 50', () =>
    limitReaderShared((r) => new ReaderWithTimeLimit(r, 10), { size: 50, expectedReadLen: 50, threshold: 0, expectedFinish: true, numThreads: 4, readDelay: 0.2 }));
});

class TestReaderBuilder extends ReaderBuilder {
  private _ds: Dataset | undefined;
  constructor(
    private readonly _session: LocalSession,
    private readonly _name: string,
    private readonly _size: number,
    private readonly _offset: number,
  ) {
    super();
  }
  schema(): Field {
    return new Struct({ label: 'int64' });
  }
  setup(): Record<string, unknown> {
    this._ds = makeSourceDataset(this._session, this._size, this._offset, this._name);
    return {};
  }
  newReader(): Reader {
    return this._ds!.reader();
  }
}

describe('CompositeReader', () => {
  const names = ['src_0', 'src_1', 'src_2'];
  const size = 100;

  test('reads every source once per iteration with 3 runtime threads', async () => {
    const session = newSession();
    const srcs = names.map((n, i) => makeSourceDataset(session, size, i * size, n));
    for (const [i, s] of srcs.entries()) expect(numbers(session, s.getBlobs()[0]!.name)).toEqual(Array.from({ length: size }, (_, k) => i * size + k));
    const dst = await makeDestinationDataset(session, new Struct(names.map((n, i) => [n, srcs[i]!.schema] as const)));
    const tg = new TaskGroup();
    tg.scope(() => pipe(new CompositeReader(names, srcs.map((s) => s.reader())), { output: dst.writer(), numThreads: 3 }));
    await session.run(tg);
    for (const [i, n] of names.entries()) {
      const written = numbers(session, dst.content().field(`${n}:label`).name).sort((a, b) => a - b);
      expect(written).toEqual(Array.from({ length: size }, (_, k) => i * size + k));
    }
  });

  test('CompositeReaderBuilder sets up and reads every source', async () => {
    const session = newSession();
    const builders = names.map((n, i) => new TestReaderBuilder(session, n, size, i * size));
    const dst = await makeDestinationDataset(session, new Struct(names.map((n, i) => [n, builders[i]!.schema()] as const)));
    const tg = new TaskGroup();
    tg.scope(() => {
      const rb = new CompositeReaderBuilder(names, builders);
      rb.setup();
      pipe(rb.newReader(), { output: dst.writer(), numThreads: 3 });
    });
    await session.run(tg);
    for (const [i, n] of names.entries()) {
      const written = numbers(session, dst.content().field(`${n}:label`).name).sort((a, b) => a - b);
      expect(written).toEqual(Array.from({ length: size }, (_, k) => i * size + k));
    }
  });

  test('stops when the shortest source is exhausted', async () => {
    const session = newSession();
    const a = makeSourceDataset(session, 10, 0, 'short');
    const b = makeSourceDataset(session, 30, 100, 'long');
    const dst = await makeDestinationDataset(session, new Struct([['a', a.schema], ['b', b.schema]]));
    const tg = new TaskGroup();
    tg.scope(() => pipe(new CompositeReader(['a', 'b'], [a.reader(), b.reader()]), { output: dst.writer() }));
    await session.run(tg);
    expect(numbers(session, dst.content().field('a:label').name)).toEqual(Array.from({ length: 10 }, (_, k) => k));
    expect(numbers(session, dst.content().field('b:label').name)).toEqual(Array.from({ length: 10 }, (_, k) => 100 + k));
  });
});

describe('CounterReader', () => {
  test('countUntil(n) yields 0 … n-1 across threads', async () => {
    const session = newSession();
    const dst = await makeDestinationDataset(session, new CounterReader().schema());
    const tg = new TaskGroup({ workspaceType: WorkspaceType.GLOBAL });
    const limited = tg.scope(() => {
      const r = countUntil(37);
      // CountUp yields a scalar; a dataset row needs a leading dim.
      const toRow = (rec: BlobRecord) => new BlobRecord(rec.schema, [ops.Reshape([rec.field('iter')], 2, { shape: [1] })[0]!]);
      pipe(r, { output: dst.writer(), numThreads: 4, processor: toRow });
      return r;
    });
    await session.run(tg);
    expect(numbers(session, dst.getBlobs()[0]!.name).sort((x, y) => x - y)).toEqual(Array.from({ length: 37 }, (_, i) => i));
    expect(session.workspace.fetch(limited.dataFinished().name).data[0]).toBe(0);  // a counter never runs out
  });
});
