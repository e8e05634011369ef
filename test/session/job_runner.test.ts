// JobRunner (docs/caffe2.md §6.7, §6.9): epoch counts, stop conditions read after
// each epoch, checkpoint-manager call order, events, aborts and bad input.
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, describe, expect, test } from 'vitest';

import {
  epochLimiter,
  finalOutput,
  Job,
  JobRunner,
  LocalSession,
  Net,
  Node,
  ops,
  Task,
  TaskGroup,
  WorkspaceType,
  type CheckpointManagerApi,
  type EpochEndEvent,
  type TaskOutput,
} from '../../lib/index.js';
import { scalar, values } from '../job-helpers.js';

const sessions: LocalSession[] = [];
const newSession = () => {
  const s = new LocalSession();
  sessions.push(s);
  return s;
};
afterAll(async () => {
  for (const s of sessions) await s.close();
});

/** A job whose epoch adds 1 to a global counter blob `count`; returns its output. */
function countingJob(): { job: Job; count: TaskOutput } {
  const job = new Job();
  const count = job.scope(() => {
    job.initGroup.scope(() => new Task().scope(() => ops.Const(0, 'count')));
    return new Task({ name: 'epoch' }).scope(() => {
      ops.Add(['count', ops.Const(1)], ['count']);
      return finalOutput('count');
    });
  });
  return { job, count };
}

describe('JobRunner', () => {
  test('epochLimiter: train returns the number of epochs', async () => {
    const { job, count } = countingJob();
    epochLimiter(job, 7);
    const session = newSession();
    expect(await new JobRunner(job).train(session)).toBe(7);
    expect(count.fetchScalar()).toBe(7);
  });

  test('a compiled job trains the same', async () => {
    const { job, count } = countingJob();
    epochLimiter(job, 3);
    job.compile(LocalSession);
    expect(await new JobRunner(job).train(newSession())).toBe(3);
    expect(count.fetchScalar()).toBe(3);
  });

  test('stop conditions are read after each epoch (blob condition)', async () => {
    const { job, count } = countingJob();
    job.scope(() => {
      const done = new Task({ name: 'check' }).scope(() => ops.GE(['count', ops.Const(4)]));
      job.addStopCondition(done);
    });
    const seen: number[] = [];
    const runner = new JobRunner(job, { report: { count } });
    runner.on('epochEnd', (e) => seen.push(e.reports.count as number));
    expect(await runner.train(newSession())).toBe(4);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  test('JS predicates and AbortSignals are stop conditions', async () => {
    const { job, count } = countingJob();
    const epochs: number[] = [];
    job.addStopCondition((ctx) => {
      epochs.push(ctx.epoch);
      return count.fetchScalar() === 3;
    });
    expect(await new JobRunner(job).train(newSession())).toBe(3);
    expect(epochs).toEqual([1, 2, 3]);

    const j2 = countingJob();
    const ac = new AbortController();
    j2.job.addStopCondition(ac.signal);
    j2.job.addStopCondition(async ({ epoch }) => {
      if (epoch === 2) ac.abort();
      return false;
    });
    expect(await new JobRunner(j2.job).train(newSession())).toBe(2);
  });

  test('maxEpochs caps the epoch number', async () => {
    const { job } = countingJob();
    expect(await new JobRunner(job).train(newSession(), { maxEpochs: 5 })).toBe(5);
  });

  test('events: epochStart/epochEnd with epoch numbers and durations, then done', async () => {
    const { job } = countingJob();
    epochLimiter(job, 2);
    const runner = new JobRunner(job);
    const log: string[] = [];
    const ends: EpochEndEvent[] = [];
    runner.on('epochStart', (e) => log.push(`start ${e.epoch}`));
    runner.on('epochEnd', (e) => {
      log.push(`end ${e.epoch} ${e.stop}`);
      ends.push(e);
    });
    runner.on('done', (e) => log.push(`done ${e.epoch}`));
    await runner.train(newSession());
    expect(log).toEqual(['start 1', 'end 1 false', 'start 2', 'end 2 true', 'done 2']);
    for (const e of ends) {
      expect(e.runMs).toBeGreaterThanOrEqual(0);
      expect(e.stopCheckMs).toBeGreaterThanOrEqual(0);
    }
  });

  // checkpoint_test.test_download_group_simple: download runs between the
  // epoch group and the exit group.
  test('test_download_group_simple: init, epochs, download, exit in order', async () => {
    const job = new Job();
    job.scope(() => {
      new Node('trainer:0').scope(() => {
        const init = new Net('init');
        for (const name of ['input1', 'input2', 'output', 'download_result']) init.ConstantFill([], [name], { shape: [8], value: 1.0, dtype: 'float32' });
        const model = new Net('model');
        model.Add(['input1', 'input2'], ['output']);
        const download = new Net('download_net');
        download.Copy(['output'], ['download_result']);
        job.initGroup.scope(() => new Task({ step: init }));
        job.epochGroup.scope(() => new Task().scope(() => ops.loop(1).scope(() => ops.net(model))));
        job.downloadGroup.scope(() => new Task({ step: download }));
        epochLimiter(job, 1);
      });
    });
    const session = newSession();
    await new JobRunner(job).train(session);
    expect(values(session.workspace, 'output')).toEqual(new Array(8).fill(2));
    expect(values(session.workspace, 'download_result')).toEqual(new Array(8).fill(2));
  });

  test('the exact checkpoint call order of docs/caffe2.md §6.7 (fresh start)', async () => {
    const { job } = countingJob();
    epochLimiter(job, 2);
    const calls: string[] = [];
    const empty = () => new Net('noop');
    const cm: CheckpointManagerApi = {
      setParams: (nodes) => void calls.push(`setParams ${nodes.join(',')}`),
      getResumeFromEpochId: (e) => (calls.push(`getResumeFromEpochId ${e}`), e),
      init: (nodes, o) => (calls.push(`init ${nodes.join(',')} ${o?.retrieveFromEpoch}`), empty()),
      load: (e) => (calls.push(`load ${e}`), empty()),
      save: (e) => (calls.push(`save ${e}`), empty()),
      cpAccessible: () => (calls.push('cpAccessible'), true),
      writeCheckpointMetadata: (e) => void calls.push(`write ${e}`),
      reportCheckpointStats: (a) => void calls.push(`report ${a}`),
    };
    const runner = new JobRunner(job, { checkpointManager: cm });
    runner.on('epochStart', (e) => calls.push(`epoch ${e.epoch}`));
    expect(await runner.train(newSession())).toBe(2);
    expect(calls).toEqual([
      'setParams local',
      'getResumeFromEpochId undefined',
      'init local undefined',
      'cpAccessible',
      'save 0',
      'write 0',
      'report checkpoint_save',
      'epoch 1',
      'cpAccessible',
      'save 1',
      'write 1',
      'report checkpoint_save',
      'epoch 2',
      'cpAccessible',
      'save 2',
      'write 2',
      'report checkpoint_save',
    ]);
  });

  test('resuming skips init, loads, and numbers epochs from the resume point', async () => {
    const { job, count } = countingJob();
    job.addStopCondition(() => count.fetchScalar() === 10);
    const calls: string[] = [];
    const session = newSession();
    const cm: CheckpointManagerApi = {
      setParams: () => {},
      getResumeFromEpochId: (e) => e,
      init: (_n, o) => (calls.push(`init ${o?.retrieveFromEpoch}`), new Net('noop')),
      // "Restores" count = 7 (state after epoch 7).
      load: (e) => {
        calls.push(`load ${e}`);
        const n = new Net('restore');
        n.Const(7, 'count');
        return n;
      },
      save: (e) => (calls.push(`save ${e}`), new Net('noop')),
      cpAccessible: () => true,
      writeCheckpointMetadata: () => {},
      reportCheckpointStats: (a) => void calls.push(a),
    };
    expect(await new JobRunner(job, { checkpointManager: cm, resumeFromEpoch: 7 }).train(session)).toBe(10);
    expect(calls).toEqual(['init 7', 'load 7', 'checkpoint_load', 'save 8', 'checkpoint_save', 'save 9', 'checkpoint_save', 'save 10', 'checkpoint_save']);
  });

  test('a failing checkpoint save is a warning; training goes on', async () => {
    const { job } = countingJob();
    epochLimiter(job, 3);
    const cm: CheckpointManagerApi = {
      setParams: () => {},
      getResumeFromEpochId: (e) => e,
      init: () => new Net('noop'),
      load: () => new Net('noop'),
      save: () => {
        const n = new Net('bad_save');
        n.Relu(['no_such_blob'], ['x']);
        return n;
      },
      cpAccessible: () => true,
      writeCheckpointMetadata: () => {
        throw new Error('not reached');
      },
      reportCheckpointStats: () => {},
    };
    const runner = new JobRunner(job, { checkpointManager: cm });
    const warnings: Error[] = [];
    runner.on('warning', (w) => warnings.push(w));
    expect(await runner.train(newSession())).toBe(3);
    expect(warnings.length).toBe(4);
    expect(warnings[0]!.message).toContain('epoch 0');
  });

  test('loadBlobsFromCheckpoints needs a manager with loadBlobsLocally', async () => {
    const { job } = countingJob();
    await expect(new JobRunner(job).loadBlobsFromCheckpoints(['x'], 1, newSession())).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    const cm = { loadBlobsLocally: async () => true, reportCheckpointStats: () => {} } as unknown as CheckpointManagerApi;
    expect(await new JobRunner(job, { checkpointManager: cm }).loadBlobsFromCheckpoints(['x'], 1, newSession())).toBe(true);
  });
});

describe('JobRunner bad input', () => {
  test('a job with no way to stop throws HOGWILD_NO_STOP_CONDITION', async () => {
    const { job } = countingJob();
    await expect(new JobRunner(job).train(newSession())).rejects.toMatchObject({ code: 'HOGWILD_NO_STOP_CONDITION' });
  });

  test('a stop condition of the wrong shape throws HOGWILD_INVALID_STOP_CONDITION', async () => {
    const { job } = countingJob();
    expect(() => job.addStopCondition(42 as never)).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_STOP_CONDITION' }));
    expect(() => job.addStopCondition(finalOutputOf(['a', 'b']))).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_STOP_CONDITION' }));
    job.scope(() => {
      const vec = new Task({ name: 'vec' }).scope(() => ops.ConstantFill([], ['flags'], { shape: [3], value: 0, dtype: 'bool' }));
      job.addStopCondition(vec);
    });
    await expect(new JobRunner(job).train(newSession())).rejects.toMatchObject({
      code: 'HOGWILD_INVALID_STOP_CONDITION',
      message: expect.stringContaining('shape [3]'),
    });
  });

  test('a stop predicate must return a boolean', async () => {
    const { job } = countingJob();
    job.addStopCondition((() => 'yes') as never);
    await expect(new JobRunner(job).train(newSession())).rejects.toMatchObject({ code: 'HOGWILD_INVALID_STOP_CONDITION' });
  });

  test('stop conditions must be added before compile', () => {
    const { job } = countingJob();
    epochLimiter(job, 1);
    job.compile(LocalSession);
    expect(() => job.addStopCondition(() => true)).toThrow(expect.objectContaining({ code: 'HOGWILD_JOB_COMPILED' }));
  });

  test('abort mid-epoch rejects train with the signal reason; the session stays usable', async () => {
    const job = new Job();
    job.scope(() => new Task({ name: 'slow' }).scope(() => ops.loop(1000).scope(() => ops.Sleep([], [], { ms: 10 }))));
    epochLimiter(job, 100);
    const session = newSession();
    const ac = new AbortController();
    const reason = new Error('user abort');
    const runner = new JobRunner(job);
    runner.on('epochStart', () => setTimeout(() => ac.abort(reason), 20));
    await expect(runner.train(session, { signal: ac.signal })).rejects.toBe(reason);
    const { job: j2, count } = countingJob();
    epochLimiter(j2, 2);
    expect(await new JobRunner(j2).train(session)).toBe(2);
    expect(count.fetchScalar()).toBe(2);
  });
});

describe('concurrency', () => {
  test('two jobs built and trained concurrently with interleaved awaits keep their contexts apart', async () => {
    const buildAndTrain = (epochs: number, delay: number) => {
      const job = new Job();
      return job.scope(async () => {
        const session = newSession();
        job.initGroup.scope(() => new Task().scope(() => ops.Const(0, 'count')));
        await sleep(delay);
        const count = new Task({ name: 'epoch' }).scope(() => {
          ops.Add(['count', ops.Const(1)], ['count']);
          return finalOutput('count');
        });
        await sleep(delay);
        expect(Job.current()).toBe(job);
        expect(TaskGroup.current()).toBe(job.epochGroup);
        epochLimiter(job, epochs);
        const runner = new JobRunner(job);
        runner.on('epochEnd', () => expect(Job.current()).toBe(job));
        const last = await runner.train(session);
        return { last, count: count.fetchScalar(), tasks: job.epochGroup.tasks().length, session };
      });
    };
    const [a, b] = await Promise.all([buildAndTrain(5, 7), buildAndTrain(3, 2)]);
    expect(a.last).toBe(5);
    expect(a.count).toBe(5);
    expect(b.last).toBe(3);
    expect(b.count).toBe(3);
    // each epoch group: the 'epoch' task and epochLimiter's task
    expect(a.tasks).toBe(2);
    expect(b.tasks).toBe(2);
    expect(scalar(a.session.workspace, 'count')).toBe(5);
    expect(Job.current(undefined, { required: false })).toBeUndefined();
  });

  test('PRIVATE epoch groups and GLOBAL init groups across epochs', async () => {
    const job = new Job();
    const out = job.scope(() => {
      job.initGroup.scope(() => new Task().scope(() => ops.Const(0, 'steps')));
      return new Task().scope(() => {
        const local = ops.Const(1, 'epoch_local');
        ops.Add(['steps', local], ['steps']);
        return finalOutput('steps');
      });
    });
    expect(job.epochGroup.workspaceType()).toBeUndefined();
    epochLimiter(job, 4);
    const session = newSession();
    await new JobRunner(job).train(session);
    expect(job.epochGroup.workspaceType()).toBe(WorkspaceType.PRIVATE);
    expect(out.fetchScalar()).toBe(4);
    expect(session.workspace.has('epoch_local')).toBe(false);
  });
});

function finalOutputOf(blobs: string[]): TaskOutput {
  return new Task({ group: null }).addOutput(blobs);
}
