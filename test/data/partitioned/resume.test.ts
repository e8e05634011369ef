// Exact resume: the cursor (pass, partition position, row offset, shuffle
// seed) is a blob saved in every checkpoint. A job stopped after six epochs and
// resumed from its checkpoint in a new session reads exactly the rows an
// uninterrupted job reads (here in the second of two passes, each in its own
// shuffled partition order), so in deterministic mode (one thread per pipe)
// the parameters end bitwise equal.
import { mkdirSync } from 'node:fs';

import { afterAll, beforeAll, expect, test } from 'vitest';

import { CheckpointManager, Job, JobRunner, LocalSession, ops, PartitionedSource, pipe, ReaderWithLimit, Task, type Queue } from '../../../lib/index.js';
import { recordSchema, tempDir, TokenModel, writePartitions } from './helpers.js';

const SIZES = [100, 150, 90, 130];
const tmp = tempDir();
afterAll(tmp.remove);
beforeAll(async () => {
  await writePartitions(`${tmp.dir}/data`, SIZES, 40);
  mkdirSync(`${tmp.dir}/cp`);
});

const PARAMS = ['tm/emb', 'tm/w', 'tm/b'];

/** Builds and trains the job; returns the parameters, the cursor and the epochs run. */
async function train(options: { checkpoints?: string; maxEpochs?: number; resume?: boolean }) {
  const partitions = await PartitionedSource.parquet(`${tmp.dir}/data`, { schema: recordSchema, batchSize: 16, shuffleSeed: 5, passes: 2, capacity: 4 });
  const session = new LocalSession();
  try {
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
    const checkpointManager = options.checkpoints ? new CheckpointManager(options.checkpoints, 'node0') : undefined;
    const runner = new JobRunner(job, { checkpointManager, ...(options.resume ? { resumeFromEpoch: 'latest' as const } : {}) });
    let resumedFrom: number | undefined;
    runner.on('init', (e) => (resumedFrom = e.resumeFromEpoch));
    runner.on('warning', (e) => {
      throw e;
    });
    partitions.attach(runner, session);
    const epochs = await runner.train(session, options.maxEpochs ? { maxEpochs: options.maxEpochs } : {});
    const fetch = (b: string) => session.workspace.fetch(b).data;
    return { params: PARAMS.map((p) => Buffer.from((fetch(p) as Float32Array).buffer)), cursor: Array.from(fetch('partitioned/cursor') as BigInt64Array, Number), epochs, resumedFrom, stats: partitions.stats };
  } finally {
    await partitions.close();
    await session.close();
  }
}

test('a job resumed from its checkpoint ends with parameters bitwise equal to an uninterrupted one', async () => {
  const whole = await train({});
  // Two passes of 7 + 10 + 6 + 9 = 32 batches (one short batch per partition), 7 per epoch.
  expect(whole.epochs).toBe(10);
  expect(whole.stats.rows).toBe(940);
  expect(whole.cursor).toEqual([2, 0, 0, 5, 4]);

  const first = await train({ checkpoints: `${tmp.dir}/cp`, maxEpochs: 6 });
  expect(first.epochs).toBe(6);
  // 42 batches consumed: the cursor is in the second pass, inside a partition, past its first rows.
  expect(first.cursor[0]).toBe(1);
  expect(first.cursor[1]).toBeLessThan(4);
  expect(first.cursor[2]).toBeGreaterThan(0);
  const second = await train({ checkpoints: `${tmp.dir}/cp`, resume: true });
  expect(second.resumedFrom).toBe(6);
  expect(second.epochs).toBe(10);
  expect(second.cursor).toEqual([2, 0, 0, 5, 4]);
  for (let i = 0; i < PARAMS.length; i++) expect(second.params[i]!.equals(whole.params[i]!), PARAMS[i]).toBe(true);
  // …and the interruption mattered: the parameters after six epochs differ.
  expect(first.params[1]!.equals(whole.params[1]!)).toBe(false);
});
