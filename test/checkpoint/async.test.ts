// Asynchronous saves: AsyncCheckpointSaver (snapshot into reused memory, a
// native thread writes) and JobRunner's asyncSave (the next epoch starts at
// once, at most one save in flight, events for start/end/errors, train waits
// for the last save). The crash battery (crash.test.ts) and injected I/O errors
// (ioerrors.test.ts) run against this path too.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import {
  AsyncCheckpointSaver,
  CheckpointIOError,
  CheckpointManager,
  epochLimiter,
  finalOutput,
  inspectCheckpoint,
  Job,
  JobRunner,
  loadCheckpoint,
  LocalSession,
  MultiNodeCheckpointManager,
  ops,
  Task,
  UploadToDirectory,
  Workspace,
} from '../../lib/index.js';

const dirs: string[] = [];
const mkdtemp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hw-ckpt-async-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const values = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => i * k);

describe('AsyncCheckpointSaver', () => {
  test('the file holds the values at the snapshot, whatever the workspace does while it is written', async () => {
    const dir = mkdtemp();
    using ws = new Workspace();
    const n = 1 << 20;
    ws.feed('w', { dtype: 'float32', shape: [n], data: values(n, 1) });
    const saver = new AsyncCheckpointSaver();
    const { written } = saver.save(ws, ['w'], join(dir, 'n.1'), { epoch: 1, node: 'n' });
    expect(saver.busy).toBe(true);
    // The workspace is free at once: change it before the write ends.
    ws.feed('w', { dtype: 'float32', shape: [n], data: values(n, 3) });
    // At most one save in flight per saver.
    expect(() => saver.save(ws, ['w'], join(dir, 'n.2'), { epoch: 2, node: 'n' })).toThrow(expect.objectContaining({ code: 'HOGWILD_BUSY' }));
    expect((await written).bytes).toBeGreaterThan(n * 4);
    expect(saver.busy).toBe(false);
    using back = new Workspace();
    await loadCheckpoint(back, join(dir, 'n.1'));
    expect(back.fetch('w').data).toEqual(values(n, 1));
    // The next save reuses the saver's memory and snapshots the new values.
    await saver.save(ws, ['w'], join(dir, 'n.2'), { epoch: 2, node: 'n' }).written;
    await loadCheckpoint(back, join(dir, 'n.2'));
    expect(back.fetch('w').data).toEqual(values(n, 3));
  });

  test('a failed write rejects written with the errno; the saver is free again and nothing is left', async () => {
    const dir = mkdtemp();
    using ws = new Workspace();
    ws.feed('w', { dtype: 'float32', shape: [4], data: values(4, 1) });
    const saver = new AsyncCheckpointSaver();
    const err = await saver.save(ws, ['w'], join(dir, 'missing', 'n.1'), { epoch: 1, node: 'n' }).written.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointIOError);
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    expect(saver.busy).toBe(false);
    await saver.save(ws, ['w'], join(dir, 'n.1'), { epoch: 1, node: 'n' }).written;
    expect((await inspectCheckpoint(join(dir, 'n.1'), { verifyData: true })).epoch).toBe(1);
  });

  test('bad arguments throw before anything is snapshotted', () => {
    using ws = new Workspace();
    const saver = new AsyncCheckpointSaver();
    expect(() => saver.save(ws, ['nope'], join(tmpdir(), 'x.1'), { epoch: 1, node: 'n' })).toThrow(expect.objectContaining({ code: 'HOGWILD_MISSING_BLOB' }));
    expect(() => saver.save(ws, [], '', { epoch: 1, node: 'n' })).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
    expect(saver.busy).toBe(false);
  });
});

/** A job whose epoch adds 1 to `count`. */
function countingJob(epochs: number): Job {
  const job = new Job();
  job.scope(() => {
    job.initGroup.scope(() => new Task().scope(() => ops.Const(0, 'count')));
    new Task({ name: 'epoch' }).scope(() => {
      ops.Add(['count', ops.Const(1)], ['count']);
      return finalOutput('count');
    });
  });
  epochLimiter(job, epochs);
  return job;
}

function record(runner: JobRunner): string[] {
  const events: string[] = [];
  runner.on('epochStart', (e) => events.push(`epoch ${e.epoch}`));
  runner.on('checkpointStart', (e) => events.push(`start ${e.epoch}${e.async ? ' async' : ''}`));
  runner.on('checkpoint', (e) => events.push(`end ${e.epoch}`));
  runner.on('checkpointError', (e) => events.push(`error ${e.epoch}`));
  runner.on('warning', () => {});
  return events;
}

describe('JobRunner asyncSave', () => {
  test('every epoch is saved and committed before train resolves; saves never overlap', async () => {
    const dir = mkdtemp();
    const session = new LocalSession();
    const runner = new JobRunner(countingJob(4), { checkpointManager: new CheckpointManager(dir, 'trainer_0'), asyncSave: true });
    const events = record(runner);
    expect(await runner.train(session)).toBe(4);
    const saves = events.filter((e) => !e.startsWith('epoch'));
    expect(saves).toEqual(['start 0 async', 'end 0', 'start 1 async', 'end 1', 'start 2 async', 'end 2', 'start 3 async', 'end 3', 'start 4 async', 'end 4']);
    for (let e = 0; e <= 4; e++) {
      using ws = new Workspace();
      await loadCheckpoint(ws, join(dir, `trainer_0.${e}`), { epoch: e, node: 'trainer_0' });
      expect(ws.fetch('count').data[0]).toBe(BigInt(e));
    }
    await session.close();
  });

  test('the next epoch runs while the save is written; errors are events and training goes on', async () => {
    const dir = mkdtemp();
    // Hold each write until the next epoch started (or 2 s), to show the epoch does not wait for it;
    // the write of epoch 2 fails.
    const epochStarted = new Map<number, () => void>();
    const gate = (epoch: number) =>
      new Promise<void>((resolve) => {
        epochStarted.set(epoch + 1, resolve);
        setTimeout(resolve, 2000);
      });
    class Gated extends CheckpointManager {
      override saveAsync(epoch: number) {
        const action = super.saveAsync(epoch);
        return async (session: Parameters<typeof action>[0], opts: Parameters<typeof action>[1]) => {
          const { written } = await action(session, opts);
          const opened = gate(epoch);
          return {
            written: written.then(async () => {
              await opened;
              if (epoch === 2) throw new Error('disk on fire');
            }),
          };
        };
      }
    }
    const wrapped = new Gated(dir, 'trainer_0');
    const runner = new JobRunner(countingJob(4), { checkpointManager: wrapped, asyncSave: true });
    const events = record(runner);
    const errors: Error[] = [];
    runner.on('checkpointError', (e) => errors.push(e.error));
    runner.on('epochStart', (e) => epochStarted.get(e.epoch)?.());
    const t0 = performance.now();
    await runner.train(new LocalSession());
    // train waited for the last save (held 2 s: no epoch 5 opens it); no other save waited for its timeout.
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1990);
    expect(elapsed).toBeLessThan(3900);
    for (const e of [0, 1, 2, 3]) expect(events.indexOf(`epoch ${e + 1}`)).toBeLessThan(events.indexOf(e === 2 ? 'error 2' : `end ${e}`));
    expect(events).toContain('end 4');
    expect(errors).toHaveLength(1);
    expect((errors[0]!.cause as Error).message).toBe('disk on fire');
    expect(existsSync(join(dir, 'trainer_0.4'))).toBe(true);
  }, 20_000);

  test('multi-node: every node saved asynchronously, committed before train resolves; the upload sees the last save', async () => {
    const dir = mkdtemp();
    const dest = join(mkdtemp(), 'up');
    const job = countingJob(3);
    const runner = new JobRunner(job, {
      checkpointManager: new MultiNodeCheckpointManager(dir),
      uploadTaskGroupBuilder: new UploadToDirectory(dest),
      asyncSave: true,
    });
    const events = record(runner);
    expect(await runner.train(new LocalSession())).toBe(3);
    expect(events.filter((e) => e.startsWith('start') || e.startsWith('end'))).toEqual(['start 0 async', 'end 0', 'start 1 async', 'end 1', 'start 2 async', 'end 2', 'start 3 async', 'end 3']);
    for (const n of job.nodesToCheckpoint()) {
      expect((await inspectCheckpoint(join(dir, `${n}.3`), { verifyData: true })).epoch).toBe(3);
      expect(existsSync(join(dest, `${n}.3`))).toBe(true);
    }
  });

  test('asyncSave is checked', () => {
    expect(() => new JobRunner(countingJob(1), { asyncSave: 'yes' as never })).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
  });
});
