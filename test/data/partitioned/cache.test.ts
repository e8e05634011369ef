// The in-memory cache (cacheBytes): partitions read whole once are fed from
// native memory on later passes. The rows and their order do not change, so
// with one thread a cached run ends with the parameters of a streamed one,
// bitwise; a partition over the budget streams every pass; a resumed cached
// run equals an uninterrupted one; a file changed after it was cached fails
// the run naming it.
import { mkdirSync, rmSync, utimesSync } from 'node:fs';

import { afterAll, beforeAll, expect, test } from 'vitest';

import { CheckpointManager, Job, JobRunner, LocalSession, ops, PartitionedSource, pipe, ReaderWithLimit, Task, type Queue } from '../../../lib/index.js';
import { recordSchema, tempDir, TokenModel, writePartitions } from './helpers.js';

const SIZES = [100, 150, 90, 130];
const tmp = tempDir();
let paths: string[] = [];
afterAll(tmp.remove);
beforeAll(async () => {
  paths = await writePartitions(`${tmp.dir}/data`, SIZES, 40);
  mkdirSync(`${tmp.dir}/cp`);
});

const PARAMS = ['tm/emb', 'tm/w', 'tm/b'];

interface TrainOptions {
  cacheBytes?: number;
  load?: boolean;
  checkpoints?: string;
  maxEpochs?: number;
  resume?: boolean;
  /** Runs after the source is open (and loaded), before training. */
  before?: () => void;
  /** Read the same rows through a SQL query (one partition per day, ordered by id) instead of the files. */
  sql?: boolean;
}

/** Three shuffled passes, 7 batches an epoch, one thread per pipe; returns the parameters, the cursor and the cache's use. */
async function train(o: TrainOptions) {
  const options = { schema: recordSchema, batchSize: 16, shuffleSeed: 3, passes: 3, capacity: 4, ...(o.cacheBytes !== undefined ? { cacheBytes: o.cacheBytes } : {}) };
  const partitions = o.sql
    ? await PartitionedSource.sql(
        { query: 'SELECT * FROM events', partitionColumn: 'day', orderBy: 'id' },
        { ...options, setup: [`CREATE VIEW events AS SELECT * FROM read_parquet('${tmp.dir}/data/*/*.parquet', hive_partitioning = true)`] },
      )
    : await PartitionedSource.parquet(`${tmp.dir}/data`, options);
  const session = new LocalSession();
  try {
    if (o.load) await partitions.load();
    o.before?.();
    const job = new Job();
    job.scope(() => {
      const model = new TokenModel();
      const reader = job.initGroup.scope(() =>
        new Task({ name: 'build' }).scope(() => {
          model.init(ops.net());
          return partitions.reader();
        }),
      );
      const limited = new ReaderWithLimit(reader, 7);
      const queue = pipe(limited, { numThreads: 1 }) as Queue;
      job.addStopCondition(limited.dataFinished());
      pipe(queue, { processor: model, numThreads: 1 });
    });
    const checkpointManager = o.checkpoints ? new CheckpointManager(o.checkpoints, 'node0') : undefined;
    const runner = new JobRunner(job, { checkpointManager, ...(o.resume ? { resumeFromEpoch: 'latest' as const } : {}) });
    partitions.attach(runner, session);
    const epochs = await runner.train(session, o.maxEpochs ? { maxEpochs: o.maxEpochs } : {});
    const fetch = (b: string) => session.workspace.fetch(b).data;
    return {
      params: PARAMS.map((p) => Buffer.from((fetch(p) as Float32Array).buffer)),
      cursor: Array.from(fetch('partitioned/cursor') as BigInt64Array, Number),
      epochs,
      stats: partitions.stats,
      cache: partitions.cache,
    };
  } finally {
    await partitions.close();
    await session.close();
  }
}

const sameParams = (a: { params: Buffer[] }, b: { params: Buffer[] }) => a.params.every((p, i) => p.equals(b.params[i]!));

let streamed: Awaited<ReturnType<typeof train>>;

test('a cached run reads the same rows in the same order as a streamed one (bitwise-equal parameters)', async () => {
  streamed = await train({});
  // Three passes of 7 + 10 + 6 + 9 = 32 batches (one short batch per partition), 7 per epoch.
  expect(streamed.epochs).toBe(14);
  expect(streamed.stats).toEqual({ batches: 96, rows: 1410 });
  expect(streamed.cache).toBeUndefined();

  const cached = await train({ cacheBytes: 1 << 20 });
  expect(cached.stats).toEqual(streamed.stats);
  expect(cached.cursor).toEqual(streamed.cursor);
  // The first pass streams (misses) and fills the cache; the two others are fed from it.
  expect(cached.cache).toMatchObject({ partitions: 4, misses: 4, hits: 8, overBudget: 0 });
  expect(cached.cache!.bytes).toBeGreaterThan(470 * 4 * 5);
  expect(sameParams(cached, streamed)).toBe(true);
});

test('load() reads every partition into the cache before training: every pass is a hit', async () => {
  const loaded = await train({ cacheBytes: 1 << 20, load: true });
  expect(loaded.cache).toMatchObject({ partitions: 4, misses: 4, hits: 12 });
  expect(loaded.stats).toEqual(streamed.stats);
  expect(sameParams(loaded, streamed)).toBe(true);
});

test('a SQL source is cached the same way (no file to compare: the query is read once)', async () => {
  const cached = await train({ cacheBytes: 1 << 20, sql: true });
  expect(cached.cache).toMatchObject({ partitions: 4, misses: 4, hits: 8 });
  expect(cached.stats).toEqual(streamed.stats);
  expect(sameParams(cached, streamed)).toBe(true);
});

test('partitions over the budget stream every pass, the others come from memory', async () => {
  // The 150-row partition (~7.5 kB decoded) and the 130-row one do not fit next to the others in 12 kB.
  const tight = await train({ cacheBytes: 12_000, load: true });
  expect(tight.cache!.bytes).toBeLessThanOrEqual(12_000);
  expect(tight.cache!.partitions).toBeGreaterThan(0);
  expect(tight.cache!.partitions).toBeLessThan(4);
  expect(tight.cache!.overBudget).toBeGreaterThan(0);
  // load() read each once; then each pass feeds the cached ones and streams the rest.
  const held = tight.cache!.partitions;
  expect(tight.cache!.hits).toBe(3 * held);
  expect(tight.cache!.misses).toBe(4 + 3 * (4 - held));
  expect(tight.stats).toEqual(streamed.stats);
  expect(sameParams(tight, streamed)).toBe(true);
});

test('a cached job resumed from its checkpoint ends bitwise equal to an uninterrupted one', async () => {
  const first = await train({ cacheBytes: 1 << 20, checkpoints: `${tmp.dir}/cp`, maxEpochs: 9 });
  expect(first.epochs).toBe(9);
  expect(first.cursor[0]).toBe(1);  // 63 of 96 batches: inside the second pass
  expect(first.cache!.hits).toBeGreaterThan(0);
  const second = await train({ cacheBytes: 1 << 20, checkpoints: `${tmp.dir}/cp`, resume: true });
  expect(second.epochs).toBe(14);
  expect(second.cursor).toEqual(streamed.cursor);
  expect(sameParams(second, streamed)).toBe(true);
  expect(sameParams(first, streamed)).toBe(false);
});

test('a partition file changed after it was cached fails the run, naming it', async () => {
  const run = train({
    cacheBytes: 1 << 20,
    load: true,
    before: () => utimesSync(paths[2]!, new Date(), new Date(Date.now() + 5000)),
  });
  await expect(run).rejects.toMatchObject({ code: 'HOGWILD_DATA', message: expect.stringMatching(/day=2\/part\.parquet.*unchanged since it was read into the cache/) });
});

test('a partition file deleted after it was cached fails the run, naming it', async () => {
  const gone = await writePartitions(`${tmp.dir}/gone`, [40, 40]);
  const source = await PartitionedSource.parquet(`${tmp.dir}/gone`, { schema: recordSchema, batchSize: 16, passes: 2, cacheBytes: 1 << 20 });
  const session = new LocalSession();
  try {
    expect(await source.load()).toMatchObject({ partitions: 2, misses: 2 });
    rmSync(gone[1]!);
    const job = new Job();
    job.scope(() => {
      const model = new TokenModel();
      const reader = job.initGroup.scope(() => new Task({ name: 'build' }).scope(() => (model.init(ops.net()), source.reader())));
      const limited = new ReaderWithLimit(reader, 3);
      job.addStopCondition(limited.dataFinished());
      pipe(limited, { processor: model, numThreads: 1 });
    });
    const runner = new JobRunner(job);
    source.attach(runner, session);
    await expect(runner.train(session)).rejects.toMatchObject({ code: 'HOGWILD_DATA', message: expect.stringMatching(/day=1\/part\.parquet.*its file is gone/) });
    expect(source.error?.message).toMatch(/day=1/);
  } finally {
    await source.close();
    await session.close();
  }
});

test('cacheBytes must be a byte count, and load() needs one', async () => {
  await expect(PartitionedSource.parquet(`${tmp.dir}/data`, { schema: recordSchema, cacheBytes: -1 })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
  const s = await PartitionedSource.parquet(`${tmp.dir}/data`, { schema: recordSchema });
  try {
    await expect(s.load()).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT', message: expect.stringMatching(/cacheBytes/) });
  } finally {
    await s.close();
  }
});
