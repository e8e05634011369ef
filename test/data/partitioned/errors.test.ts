// Bad input to the partitioned reader: each is a HogwildError naming the
// partition and the column. Problems visible when the source is opened
// (missing files, missing columns, wrong types) fail before any job is
// built; problems in the rows (NULLs, a partition gone or changed mid-run)
// fail the run with HOGWILD_DATA, never a short or repeated read.
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, test } from 'vitest';

import { DataError, InvalidArgumentError, Job, JobRunner, list, LocalSession, MissingDependencyError, Net, ops, PartitionedSource, pipe, ReaderWithLimit, Task, type Queue } from '../../../lib/index.js';
import { importDuckDb } from '../../../lib/data/partitioned/duckdb.js';
import { duck, recordSchema, rowsSql, tempDir, TokenModel, writePartitions } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.remove);
let files: string[] = [];
beforeAll(async () => {
  files = await writePartitions(join(tmp.dir, 'ok'), [200, 200, 200, 200], 64);
  const nulls = join(tmp.dir, 'nulls');
  await duck(
    `COPY (SELECT * REPLACE (CASE WHEN id = 77 THEN NULL ELSE label END AS label) FROM (${rowsSql(0, 100)})) TO '${nulls}-label.parquet' (FORMAT parquet)`,
    `COPY (SELECT * REPLACE (CASE WHEN id = 130 THEN [1, NULL]::INTEGER[] ELSE tokens END AS tokens) FROM (${rowsSql(100, 200)})) TO '${nulls}-token.parquet' (FORMAT parquet)`,
    `COPY (SELECT id, label, x::DOUBLE[] AS x, tokens FROM (${rowsSql(0, 10)})) TO '${join(tmp.dir, 'double-x.parquet')}' (FORMAT parquet)`,
    `COPY (SELECT id, label, tokens FROM (${rowsSql(0, 10)})) TO '${join(tmp.dir, 'no-x.parquet')}' (FORMAT parquet)`,
    `COPY (SELECT id, label, [1.0, 2.0]::FLOAT[] AS x, tokens FROM (${rowsSql(0, 10)})) TO '${join(tmp.dir, 'short-x.parquet')}' (FORMAT parquet)`,
    `COPY (${rowsSql(0, 300)}) TO '${join(tmp.dir, 'bigger.parquet')}' (FORMAT parquet)`,
  );
});

/** Runs a small training job over `source`; `onEpochEnd` may change the files between epochs. */
async function run(source: PartitionedSource, onEpochEnd?: (epoch: number) => void): Promise<void> {
  const session = new LocalSession();
  try {
    const job = new Job();
    job.scope(() => {
      const model = new TokenModel();
      const reader = job.initGroup.scope(() =>
        new Task({ name: 'build' }).scope(() => {
          model.init(ops.net());
          return source.reader();
        }),
      );
      const limited = new ReaderWithLimit(reader, 2);
      job.addStopCondition(limited.dataFinished());
      pipe(pipe(limited, { numThreads: 2 }) as Queue, { processor: model, numThreads: 2 });
    });
    const runner = new JobRunner(job);
    if (onEpochEnd) runner.on('epochEnd', (e) => onEpochEnd(e.epoch));
    source.attach(runner, session);
    await runner.train(session);
  } finally {
    await source.close();
    await session.close();
  }
}

test('without DuckDB installed, building a source says how to install it', async () => {
  const err = await importDuckDb('@duckdb/not-installed-here').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MissingDependencyError);
  expect(err).toMatchObject({ code: 'HOGWILD_MISSING_DEPENDENCY', message: expect.stringContaining('npm install @duckdb/node-api') });
});

test('a missing file, or a glob that matches nothing, is HOGWILD_IO naming it', async () => {
  await expect(PartitionedSource.parquet([files[0]!, join(tmp.dir, 'gone.parquet')], { schema: recordSchema })).rejects.toMatchObject({
    code: 'HOGWILD_IO',
    message: expect.stringContaining(`'${join(tmp.dir, 'gone.parquet')}'`),
  });
  await expect(PartitionedSource.parquet(join(tmp.dir, 'nothing-*.parquet'), { schema: recordSchema })).rejects.toMatchObject({ code: 'HOGWILD_IO', message: expect.stringContaining('matches none') });
});

test('a missing column or a wrong type fails at build time, naming partition and column', async () => {
  await expect(PartitionedSource.parquet([files[0]!, join(tmp.dir, 'no-x.parquet')], { schema: recordSchema })).rejects.toMatchObject({
    code: 'HOGWILD_SCHEMA_MISMATCH',
    message: expect.stringMatching(/Expected column 'x' \(FLOAT\[4\]\) in partition '.*no-x\.parquet' but it has only 'id', 'label', 'tokens'/),
  });
  await expect(PartitionedSource.parquet(join(tmp.dir, 'double-x.parquet'), { schema: recordSchema })).rejects.toMatchObject({
    code: 'HOGWILD_SCHEMA_MISMATCH',
    message: expect.stringMatching(/column 'x' of partition '.*double-x\.parquet' .*is DOUBLE\[\] but the schema needs FLOAT\[4\]/),
  });
  await expect(PartitionedSource.parquet(files[0]!, { schema: { ...recordSchema, tokens: list('int64') } })).rejects.toMatchObject({
    code: 'HOGWILD_SCHEMA_MISMATCH',
    message: expect.stringMatching(/column 'tokens' of partition .* is INTEGER\[\] but the schema needs BIGINT\[\]/),
  });
  // The suggested cast works.
  const cast = await PartitionedSource.parquet(join(tmp.dir, 'double-x.parquet'), { schema: recordSchema, columns: { x: 'CAST(x AS FLOAT[4])' } });
  await cast.close();
  await expect(PartitionedSource.parquet(files[0]!, { schema: recordSchema, columns: { nope: '1' } })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
  await expect(PartitionedSource.parquet(files[0]!, { schema: recordSchema, shard: 2, numShards: 2 })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
});

test('a NULL in a column the model needs fails the run, naming partition, column and row', async () => {
  const label = await PartitionedSource.parquet(join(tmp.dir, 'nulls-label.parquet'), { schema: recordSchema, batchSize: 16 });
  await expect(run(label)).rejects.toMatchObject({ code: 'HOGWILD_DATA', message: expect.stringMatching(/NULL in column 'label' of partition '.*nulls-label\.parquet' \(1 of 1\) but row 77 has one/) });
  const token = await PartitionedSource.parquet(join(tmp.dir, 'nulls-token.parquet'), { schema: recordSchema, batchSize: 16 });
  await expect(run(token)).rejects.toMatchObject({ code: 'HOGWILD_DATA', message: expect.stringMatching(/NULL in column 'tokens' of partition '.*nulls-token\.parquet' .* row 30 has one in its list/) });
});

test('an array column with rows of the wrong length fails the run naming the partition', async () => {
  const short = await PartitionedSource.parquet(join(tmp.dir, 'short-x.parquet'), { schema: recordSchema });
  await expect(run(short)).rejects.toMatchObject({ code: 'HOGWILD_DATA', message: expect.stringMatching(/partition '.*short-x\.parquet' \(1 of 1\) to be readable .*length 2.*4|partition '.*short-x\.parquet' \(1 of 1\) to be readable .*4.*2/) });
});

test('a partition that disappears mid-run fails the run naming it; one that changes is caught too', async () => {
  const gone = await PartitionedSource.parquet(join(tmp.dir, 'ok'), { schema: recordSchema, batchSize: 20, capacity: 2 });
  // 10 batches per partition, 2 per epoch: after epoch 1 the last partition has not been opened.
  await expect(run(gone, (e) => e === 1 && rmSync(files[3]!))).rejects.toMatchObject({
    code: 'HOGWILD_DATA',
    message: expect.stringContaining(`partition '${files[3]}' (4 of 4) to be readable`),
  });
  // Read ahead, a partition is read before the change; one read after it is caught.
  const changed = await PartitionedSource.parquet([files[0]!, files[1]!], { schema: recordSchema, batchSize: 20, capacity: 2, readAhead: 1 });
  await expect(
    run(changed, (e) => e === 1 && renameSync(join(tmp.dir, 'bigger.parquet'), files[1]!)),
  ).rejects.toMatchObject({ code: 'HOGWILD_DATA', message: expect.stringContaining(`partition '${files[1]}' (2 of 2) to have the 200 rows it had when it was opened but it now has more`) });
});

test('a cursor saved for other partitions is refused, and the source is built once per job', async () => {
  const source = await PartitionedSource.parquet([files[0]!, files[1]!], { schema: recordSchema });
  const session = new LocalSession();
  try {
    const net = new Net('init');
    const reader = source.reader(net);
    expect(() => source.reader(new Net('again'))).toThrow(InvalidArgumentError);
    await session.run(net);
    expect(Array.from(session.workspace.fetch(reader.cursor.name).data as BigInt64Array, Number)).toEqual([0, 0, 0, -1, 2]);
    // As if a checkpoint of a 3-partition run were loaded.
    session.workspace.feed(reader.cursor.name, BigInt64Array.from([0n, 1n, 5n, -1n, 3n]));
    expect(() => source.start(session.workspace)).toThrow(DataError);
    expect(() => source.start(session.workspace)).toThrow(/saved with but 'partitioned' now has 2: the data changed since the checkpoint/);
    session.workspace.feed(reader.cursor.name, BigInt64Array.from([0n, 1n, 5000n, -1n, 2n]));
    expect(() => source.start(session.workspace)).toThrow(/to point inside the partitions but it is at pass 0, position 1, row 5000/);
  } finally {
    await source.close();
    await session.close();
  }
});

test('a model that reads a field the source does not have fails when the job is built', async () => {
  const source = await PartitionedSource.parquet(files[0]!, { schema: { label: 'int32', x: recordSchema.x } });
  try {
    const job = new Job();
    const build = () =>
      job.scope(() => {
        const model = new TokenModel();
        const reader = job.initGroup.scope(() => new Task({ name: 'build' }).scope(() => source.reader()));
        pipe(reader, { processor: model, numThreads: 1 });  // the model reads tokens:values
      });
    let err: unknown;
    try {
      build();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/Expected one of 'label', 'x' but received 'tokens:values'/);
  } finally {
    await source.close();
  }
});
