// JobRunner with the real CheckpointManager (lib/checkpoint): the shape of
// checkpoint_test.run_with: train, resume from every epoch in a fresh
// session, and load every epoch's checkpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, expect, test } from 'vitest';

import { CheckpointManager, epochLimiter, finalOutput, Job, JobRunner, LocalSession, ops, Task } from '../../lib/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hogwild-jobrunner-'));
const sessions: LocalSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('train, resume from each epoch, and load each checkpoint (single node)', async () => {
  const job = new Job();
  const total = job.scope(() => {
    job.initGroup.scope(() => new Task().scope(() => ops.Const(100, 'total')));
    return new Task({ name: 'add' }).scope(() => {
      ops.Add(['total', ops.Const(10)], ['total']);
      return finalOutput('total');
    });
  });
  epochLimiter(job, 4);
  job.compile(LocalSession);
  const builder = () => {
    const session = new LocalSession();
    sessions.push(session);
    return { session, checkpoint: new CheckpointManager(dir, 'temp_node') };
  };

  const { session, checkpoint } = builder();
  expect(await new JobRunner(job, { checkpointManager: checkpoint }).train(session)).toBe(4);
  expect(total.fetchScalar()).toBe(140);

  for (let initial = 1; initial <= 4; initial++) {
    const b = builder();
    const last = await new JobRunner(job, { checkpointManager: b.checkpoint, resumeFromEpoch: initial }).train(b.session);
    // The epoch counter is checkpointed: resuming from the final epoch runs one more (docs/caffe2.md §6.7).
    expect(last).toBe(initial === 4 ? 5 : 4);
    expect(total.fetchScalar()).toBe(100 + 10 * last);
  }

  const b = builder();
  await new JobRunner(job, { checkpointManager: b.checkpoint, resumeFromEpoch: 1 }).train(b.session);
  for (let epoch = 0; epoch <= 4; epoch++) {
    await b.session.run(b.checkpoint.load(epoch));
    expect(total.fetchScalar()).toBe(100 + 10 * epoch);
  }
});

test('checkpointIntervalMs: no epoch-0 checkpoint, the last epoch always, the others once the interval passed', async () => {
  const build = (sleepMs: number) => {
    const job = new Job();
    job.scope(() => {
      job.initGroup.scope(() => new Task().scope(() => ops.Const(0, 'n')));
      new Task({ name: 'count' }).scope(() => {
        ops.Add(['n', ops.Const(1)], ['n']);
        if (sleepMs > 0) ops.Sleep([], [], { ms: sleepMs });
      });
    });
    epochLimiter(job, 5);
    return job;
  };
  const saved = async (job: Job, node: string, intervalMs: number) => {
    const session = new LocalSession();
    sessions.push(session);
    const runner = new JobRunner(job, { checkpointManager: new CheckpointManager(dir, node), checkpointIntervalMs: intervalMs });
    const epochs: number[] = [];
    runner.on('checkpoint', (c) => epochs.push(c.epoch));
    expect(await runner.train(session)).toBe(5);
    return epochs;
  };
  // An interval no run reaches: only the last epoch.
  expect(await saved(build(0), 'interval_long', 3_600_000)).toEqual([5]);
  // Epochs longer than the interval: every epoch, still no epoch 0.
  expect(await saved(build(30), 'interval_short', 10)).toEqual([1, 2, 3, 4, 5]);
  expect(() => new JobRunner(build(0), { checkpointIntervalMs: -1 })).toThrow(/checkpointIntervalMs/);
});
