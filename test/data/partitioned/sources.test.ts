// Partition sources: Hive-style directories and globs, SQL queries split by a
// partition column, shards; and every row read exactly once (sum and sum of
// squares of the ids, accumulated by one trainer thread behind an 8-thread reading pipe).
import { afterAll, beforeAll, expect, test } from 'vitest';

import { finalOutput, Job, JobRunner, list, LocalSession, ops, PartitionedSource, pipe, ReaderWithLimit, scalar, Task, type BlobRecord, type Queue, type TaskOutput } from '../../../lib/index.js';
import { recordSchema, tempDir, writePartitions } from './helpers.js';

const SIZES = [300, 500, 200, 400, 100];
const TOTAL = SIZES.reduce((a, b) => a + b, 0);
const tmp = tempDir();
let files: string[] = [];
afterAll(tmp.remove);
beforeAll(async () => {
  files = await writePartitions(tmp.dir, SIZES, 128);
});

/** Trains nothing: sums the ids (and their squares) and the tokens of every batch, reading with 8 threads. */
async function readAll(source: PartitionedSource): Promise<{ sum: number; squares: number; tokens: number; epochs: number }> {
  const session = new LocalSession();
  try {
    const job = new Job();
    let sum!: TaskOutput, squares!: TaskOutput, tokens!: TaskOutput;
    job.scope(() => {
      const reader = job.initGroup.scope(() =>
        new Task({ name: 'build' }).scope(() => {
          const net = ops.net();
          for (const b of ['acc/sum', 'acc/squares', 'acc/tokens']) net.ConstantFill([], [b], { shape: [], value: 0, dtype: 'float64' });
          return source.reader(net);
        }),
      );
      const limited = new ReaderWithLimit(reader, 9);
      const queue = pipe(limited, { numThreads: 8 }) as Queue;
      job.addStopCondition(limited.dataFinished());
      pipe(queue, {
        numThreads: 1,
        processor: (rec: BlobRecord) => {
          const net = ops.net();
          const id = net.Cast(rec.field('id'), 1, { to: 'float64' });
          net.Add(['acc/sum', net.ReduceSum(id, 1, { keepdims: 0 })], ['acc/sum']);
          net.Add(['acc/squares', net.ReduceSum(net.Mul([id, id]), 1, { keepdims: 0 })], ['acc/squares']);
          const lengths = net.Cast(rec.field('tokens:lengths'), 1, { to: 'float64' });
          net.Add(['acc/tokens', net.ReduceSum(lengths, 1, { keepdims: 0 })], ['acc/tokens']);
        },
      });
      job.exitGroup.scope(() =>
        new Task({ name: 'result' }).scope(() => {
          sum = finalOutput(ops.Copy('acc/sum'));
          squares = finalOutput(ops.Copy('acc/squares'));
          tokens = finalOutput(ops.Copy('acc/tokens'));
        }),
      );
    });
    const runner = new JobRunner(job);
    source.attach(runner, session);
    const epochs = await runner.train(session);
    return { sum: Number(sum.fetchScalar()), squares: Number(squares.fetchScalar()), tokens: Number(tokens.fetchScalar()), epochs };
  } finally {
    await source.close();
    await session.close();
  }
}

const idSchema = { id: 'int64', tokens: list('int32') } as const;
// Each row i has 1 + (i % 5) tokens.
const expected = {
  sum: (TOTAL * (TOTAL - 1)) / 2,
  squares: ((TOTAL - 1) * TOTAL * (2 * TOTAL - 1)) / 6,
  tokens: Array.from({ length: TOTAL }, (_, i) => 1 + (i % 5)).reduce((a, b) => a + b, 0),
};

test('a directory of Hive-style partitions is read with every row exactly once', async () => {
  const source = await PartitionedSource.parquet(tmp.dir, { schema: idSchema, batchSize: 50, shuffleSeed: 3, capacity: 4 });
  expect(source.partitions.map((p) => p.rows)).toEqual(SIZES);
  const got = await readAll(source);
  expect({ sum: got.sum, squares: got.squares, tokens: got.tokens }).toEqual(expected);
});

test('a SQL query (on a view its setup made) split by a partition column (a Hive key here) is read with every row exactly once', async () => {
  const source = await PartitionedSource.sql(
    { query: 'SELECT * FROM events', partitionColumn: 'day', orderBy: 'id' },
    { schema: idSchema, batchSize: 64, capacity: 4, setup: [`CREATE VIEW events AS SELECT * FROM read_parquet('${tmp.dir}/*/*.parquet', hive_partitioning = true)`] },
  );
  expect(source.partitions.map((p) => p.name)).toEqual(['day = 0', 'day = 1', 'day = 2', 'day = 3', 'day = 4']);
  expect(source.partitions.map((p) => p.rows)).toEqual(SIZES);
  const got = await readAll(source);
  expect({ sum: got.sum, squares: got.squares, tokens: got.tokens }).toEqual(expected);
});

test('shards split the partitions between nodes; globs and explicit files list the same partitions', async () => {
  const shard = (i: number) => PartitionedSource.parquet(`${tmp.dir}/day=*/*.parquet`, { schema: recordSchema, shard: i, numShards: 2 });
  const [a, b] = await Promise.all([shard(0), shard(1)]);
  const files2 = await PartitionedSource.parquet(files, { schema: recordSchema });
  try {
    expect(a.partitions.map((p) => p.name)).toEqual([files[0], files[2], files[4]]);
    expect(b.partitions.map((p) => p.name)).toEqual([files[1], files[3]]);
    expect(files2.partitions.map((p) => p.name)).toEqual(files);
    expect(a.rows + b.rows).toBe(TOTAL);
  } finally {
    await Promise.all([a.close(), b.close(), files2.close()]);
  }
});

test('a Hive key is a column the schema may read', async () => {
  const source = await PartitionedSource.parquet(tmp.dir, { schema: { id: 'int64', day: 'int32' }, columns: { day: 'CAST(day AS INTEGER)' }, batchSize: 1000 });
  await source.close();
  await expect(PartitionedSource.parquet(tmp.dir, { schema: { id: 'int64', day: 'int32' } })).rejects.toMatchObject({
    code: 'HOGWILD_SCHEMA_MISMATCH',
    message: expect.stringMatching(/column 'day' of partition '.*day=0.*' .* is BIGINT but the schema needs INTEGER/),
  });
});

test('a row of any shape comes from a flat array column: FLOAT[4] (stored as a list) read as [2, 2]', async () => {
  const source = await PartitionedSource.parquet(files[4]!, { schema: { x: scalar('float32', [2, 2]), label: 'int32' }, batchSize: 30 });
  const session = new LocalSession();
  try {
    const job = new Job();
    job.scope(() => {
      const reader = job.initGroup.scope(() =>
        new Task({ name: 'build' }).scope(() => {
          ops.ConstantFill([], ['seen/x'], { shape: [1], value: 0, dtype: 'float32' });
          return source.reader();
        }),
      );
      pipe(reader, { numThreads: 1, processor: (rec: BlobRecord) => void ops.Copy(rec.field('x'), 'seen/x') });
    });
    const runner = new JobRunner(job);
    source.attach(runner, session);
    await runner.train(session, { maxEpochs: 1 });
    const x = session.workspace.fetch('seen/x');
    // The last batch: the final 10 rows (ids 1490..1499) of the last partition, as [rows, 2, 2].
    expect(x.shape).toEqual([10, 2, 2]);
    const i = 1499;
    expect(Array.from(x.data as Float32Array).slice(-4)).toEqual([(i % 3) - 1, ((i * 7) % 5) / 5, 1 - (i % 3), 0.5].map(Math.fround));
  } finally {
    await source.close();
    await session.close();
  }
});

test('a SQL source without its partition column, or with failing setup SQL, fails at build time', async () => {
  await expect(PartitionedSource.sql({ query: `SELECT * FROM read_parquet('${files[0]}')`, partitionColumn: 'week', orderBy: 'id' }, { schema: idSchema })).rejects.toMatchObject({
    code: 'HOGWILD_DATA',
    message: expect.stringContaining("partition column 'week'"),
  });
  await expect(PartitionedSource.sql({ query: 'SELECT 1 AS p', partitionColumn: 'p', orderBy: 'p' }, { schema: idSchema, setup: ['CREATE VIEW broken AS SELECT * FROM nowhere'] })).rejects.toMatchObject({
    code: 'HOGWILD_DATA',
    message: expect.stringContaining('Expected the setup SQL to run'),
  });
  await expect(PartitionedSource.sql({ query: 'SELECT 1 AS p', partitionColumn: 'p', orderBy: '' }, { schema: idSchema })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
});

test('back-pressure: the pump reads no further ahead than the queue holds', async () => {
  const source = await PartitionedSource.parquet(files[0]!, { schema: idSchema, batchSize: 10, capacity: 2 });
  const session = new LocalSession();
  try {
    const job = new Job();
    job.scope(() => {
      const reader = job.initGroup.scope(() => new Task({ name: 'build' }).scope(() => source.reader()));
      const limited = new ReaderWithLimit(reader, 3);
      job.addStopCondition(limited.dataFinished());
      // Slow batches: a pump without back-pressure would read all 30 while the first epoch runs.
      pipe(limited, { numThreads: 1, processor: (rec: BlobRecord) => void ops.Sleep([rec.field('id')], [], { ms: 30 }) });
    });
    const runner = new JobRunner(job);
    const enqueued: number[] = [];
    runner.on('epochEnd', () => enqueued.push(source.stats.batches));
    source.attach(runner, session);
    await runner.train(session, { maxEpochs: 3 });
    // After epoch e, 3e batches were consumed and at most 2 more wait in the queue.
    enqueued.forEach((n, e) => expect(n).toBeLessThanOrEqual(3 * (e + 1) + 2));
    expect(enqueued).toHaveLength(3);
  } finally {
    await source.close();
    await session.close();
  }
});
