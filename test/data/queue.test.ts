// The queue close protocol (docs/caffe2.md §9), aborting a job while threads wait
// on a full or an empty queue, and JS async iterables feeding a native queue
// (back-pressure, bad records, a producer that throws).
import { afterAll, describe, expect, test } from 'vitest';

import {
  AsyncIterableSource,
  BlobRecord,
  DataError,
  list,
  ops,
  pipe,
  Queue,
  ReaderWithLimit,
  TaskGroup,
  WorkspaceType,
} from '../../lib/index.js';
import { closeSessions, makeDestinationDataset, makeSourceDataset, newSession, numbers } from './helpers.js';

afterAll(closeSessions);

describe('close protocol', () => {
  test('the writer task closes the queue when done: readers drain it and stop', async () => {
    const session = newSession();
    const src = makeSourceDataset(session, 500);
    const dst = await makeDestinationDataset(session, src.schema);
    const tg = new TaskGroup();
    tg.scope(() => {
      const q = pipe(src.reader({ batchSize: 7 }), { numThreads: 3, capacity: 2 }) as Queue;
      pipe(q, { output: dst.writer(), numThreads: 4 });
    });
    await session.run(tg);
    expect(numbers(session, 'dst/label').sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  test('a reader that stops early closes the queue and releases blocked writers', async () => {
    const session = newSession();
    const src = makeSourceDataset(session, 10_000);
    const dst = await makeDestinationDataset(session, src.schema);
    const tg = new TaskGroup();
    tg.scope(() => {
      const q = pipe(src.reader(), { numThreads: 4, capacity: 2 }) as Queue;
      pipe(new ReaderWithLimit(q.reader(), 5), { output: dst.writer() });
    });
    const t0 = Date.now();
    await session.run(tg);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(numbers(session, 'dst/label')).toHaveLength(5);
  });
});

describe('abort while waiting on a queue', () => {
  test('threads blocked on a full queue (nobody reads it)', async () => {
    const session = newSession();
    const src = makeSourceDataset(session, 1000);
    const tg = new TaskGroup();
    tg.scope(() => pipe(src.reader(), { numThreads: 2, capacity: 1 }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop now')), 100);
    const t0 = Date.now();
    await expect(session.run(tg, { signal: ac.signal })).rejects.toThrow('stop now');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test('threads blocked on an empty queue (a producer that never yields)', async () => {
    const session = newSession();
    let release: () => void = () => {};
    const never = (async function* () {
      await new Promise<void>((r) => (release = r));
    })();
    const source = new AsyncIterableSource(never, { schema: { x: 'float32' } });
    const done = source.start(session);
    const tg = new TaskGroup();
    tg.scope(() => pipe(source, { numThreads: 3, processor: () => undefined }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('aborted while empty')), 100);
    await expect(session.run(tg, { signal: ac.signal })).rejects.toThrow('aborted while empty');
    release();
    expect((await done).records).toBe(0);
  });
});

describe('AsyncIterableSource', () => {
  const schemaSpec = { label: 'int32', tokens: list('int32') } as const;

  test('feeds records in batches; the producer awaits while the queue is full', async () => {
    const session = newSession();
    let produced = 0;
    let maxQueued = 0;
    async function* rows() {
      for (let i = 0; i < 300; i++) {
        produced += 1;
        maxQueued = Math.max(maxQueued, source.queued);
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
        yield { label: i % 7, tokens: Array.from({ length: i % 4 }, (_, k) => i * 10 + k) };
      }
    }
    const source: AsyncIterableSource = new AsyncIterableSource(rows(), { schema: schemaSpec, capacity: 8, batchSize: 16 });
    const done = source.start(session);
    const dst = await makeDestinationDataset(session, source.schema);
    const tg = new TaskGroup({ workspaceType: WorkspaceType.GLOBAL });
    tg.scope(() =>
      pipe(source, {
        output: dst.writer(),
        numThreads: 2,
        processor: (rec: BlobRecord) => {
          ops.Sleep([], [], { ms: 2 });  // a slow consumer
          return rec;
        },
      }),
    );
    await session.run(tg);
    const result = await done;
    expect(result.records).toBe(300);
    expect(result.waits).toBeGreaterThan(0);  // the producer awaited a full queue…
    expect(maxQueued).toBeLessThanOrEqual(8);  // …which never held more than its capacity
    const labels = numbers(session, 'dst/label');
    const lengths = numbers(session, 'dst/tokens:lengths');
    expect(labels).toHaveLength(300);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(numbers(session, 'dst/tokens:values').length);
    // Every record arrives whole: its tokens follow its label.
    const values = numbers(session, 'dst/tokens:values');
    let at = 0;
    for (let r = 0; r < 300; r++) {
      for (let k = 0; k < lengths[r]!; k++) expect(values[at + k]! % 10).toBe(k);
      at += lengths[r]!;
    }
    expect(produced).toBe(300);
  });

  test('a record that does not fit the schema fails the run, naming record and field', async () => {
    const session = newSession();
    const rows = [{ label: 1, tokens: [1, 2] }, { label: 2, tokens: [3] }, { label: 'x', tokens: [] }];
    const source = new AsyncIterableSource(rows, { schema: schemaSpec });
    const done = source.start(session);
    const tg = new TaskGroup();
    tg.scope(() => pipe(source, { processor: () => undefined }));
    await expect(session.run(tg)).rejects.toMatchObject({ code: 'HOGWILD_DATA', message: expect.stringMatching(/record 2 field 'label'/) });
    const r = await done;
    expect(r.records).toBe(2);
    expect(r.error).toBeInstanceOf(DataError);
  });

  test('a producer that throws fails the run with a DataError naming the record', async () => {
    const session = newSession();
    async function* rows() {
      yield { label: 1, tokens: [1] };
      yield { label: 2, tokens: [2] };
      throw new Error('database connection lost');
    }
    const source = new AsyncIterableSource(rows(), { schema: schemaSpec, name: 'db' });
    const done = source.start(session);
    const tg = new TaskGroup();
    tg.scope(() => pipe(source, { processor: () => undefined, numThreads: 2 }));
    const err = await session.run(tg).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/The record source 'db\/handler' threw at record 2: database connection lost/);
    expect((await done).error?.cause).toBeInstanceOf(Error);
  });

  test('bad options and a second start are refused', () => {
    const session = newSession();
    expect(() => new AsyncIterableSource(42 as never, { schema: schemaSpec })).toThrow(/iterable/);
    expect(() => new AsyncIterableSource([], { schema: schemaSpec, capacity: 0 })).toThrow(/capacity/);
    const s = new AsyncIterableSource([], { schema: schemaSpec });
    void s.start(session);
    expect(() => s.start(session)).toThrow(/started once/);
  });
});
