// The seed's example, literally, on Parquet partitions written here with DuckDB:
//
//   with Job() as job:
//       with job.init_group:
//           reader = build_reader(partitions)
//           model = build_model(params)
//       with job.epoch_group:
//           limited_reader = ReaderWithLimit(reader, num_iter=10000)
//           data_queue = pipe(limited_reader, num_threads=8)
//           job.add_stop_condition(limited_reader.data_finished())
//           build_hogwild_trainer(data_queue, model)   # pipe(reader, processor=model, num_threads=8)
//
// The partitioned reader replaces Caffe2's HiveReader: its cursor is made in
// the init group, so each epoch goes on where the last one stopped, and the
// job ends when every partition has been read, each row exactly once.
import { afterAll, beforeAll, expect, test } from 'vitest';

import {
  Job,
  JobRunner,
  LocalSession,
  ops,
  PartitionedSource,
  pipe,
  ReaderWithLimit,
  Task,
  type Queue,
  type Reader,
} from '../../../lib/index.js';
import { accuracy, readRows, recordSchema, tempDir, TokenModel, writePartitions } from './helpers.js';

const SIZES = [700, 1300, 1000, 500, 900, 1100];  // 5500 rows in 6 Hive-style partitions
const TOTAL = SIZES.reduce((a, b) => a + b, 0);
const tmp = tempDir();
afterAll(tmp.remove);
beforeAll(async () => {
  await writePartitions(tmp.dir, SIZES);
});

function buildReader(partitions: PartitionedSource): Reader {
  return new Task({ name: 'build_reader' }).scope(() => partitions.reader());
}

function buildModel(model: TokenModel): TokenModel {
  new Task({ name: 'build_model' }).scope(() => model.init(ops.net()));
  return model;
}

function buildHogwildTrainer(reader: Queue, model: TokenModel): void {
  pipe(reader, { processor: model, numThreads: 8 });
}

test('the seed example trains a Hogwild model from Parquet partitions, reading each row once', async () => {
  const partitions = await PartitionedSource.parquet([tmp.dir], { schema: recordSchema, batchSize: 32, shuffleSeed: 11, capacity: 8 });
  expect(partitions.partitions.length).toBe(6);
  expect(partitions.rows).toBe(TOTAL);
  const session = new LocalSession();
  try {
    const job = new Job();
    let finished;
    job.scope(() => {
      const { reader, model } = job.initGroup.scope(() => ({ reader: buildReader(partitions), model: buildModel(new TokenModel()) }));
      const limited = new ReaderWithLimit(reader, 40);
      const dataQueue = pipe(limited, { numThreads: 8 }) as Queue;
      job.addStopCondition(limited.dataFinished());
      finished = limited.dataFinished();
      buildHogwildTrainer(dataQueue, model);
    });
    const runner = new JobRunner(job);
    partitions.attach(runner, session);
    const epochs = await runner.train(session);

    // Each partition ends in a short batch: 22+41+32+16+29+35 = 175 batches, 40 per epoch.
    const batches = SIZES.reduce((a, n) => a + Math.ceil(n / 32), 0);
    expect(partitions.stats).toEqual({ batches, rows: TOTAL });
    expect(epochs).toBe(Math.ceil(batches / 40));
    expect(Boolean(session.workspace.fetch(finished!.name).data[0])).toBe(true);
    // The cursor says: every partition read.
    expect(Array.from(session.workspace.fetch('partitioned/cursor').data as BigInt64Array, Number)).toEqual([1, 0, 0, 11, 6]);
    const acc = accuracy((b) => session.workspace.fetch(b).data as Float32Array, await readRows(0, 600));
    expect(acc).toBeGreaterThan(0.9);  // chance is 1/3
  } finally {
    await partitions.close();
    await session.close();
  }
});
