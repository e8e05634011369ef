// CheckpointManager / MultiNodeCheckpointManager beyond the Caffe2 port:
// naming rules and node-name validation, the metadata-handler protocol,
// stats, blobList before init, resume 'latest' through JobRunner, maxToKeep
// through JobRunner, temp sweeping when a manager opens its directory.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import {
  CheckpointManager,
  dbName,
  epochLimiter,
  finalOutput,
  getCkptFilename,
  Job,
  JobRunner,
  LocalSession,
  MultiNodeCheckpointManager,
  ops,
  Task,
  UploadToDirectory,
  validateNodeName,
  type CheckpointMetadataHandler,
  type TaskOutput,
} from '../../lib/index.js';

const dirs: string[] = [];
const sessions: LocalSession[] = [];
const mkdtemp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hw-ckpt-mgr-'));
  dirs.push(d);
  return d;
};
const newSession = () => {
  const s = new LocalSession();
  sessions.push(s);
  return s;
};
afterAll(async () => {
  for (const s of sessions) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A metadata handler that records what lastEpoch was asked and answers with it. */
function recordingHandler(): CheckpointMetadataHandler & { seen: (number | undefined)[] } {
  const seen: (number | undefined)[] = [];
  return {
    seen,
    setParams() {},
    lastEpoch(epoch) {
      seen.push(epoch);
      return epoch;
    },
    write() {},
    cpAccessible: () => true,
    report() {},
  };
}

/** A job whose epoch adds 1 to `count`; 5 epochs. */
function countingJob(epochs = 5): { job: Job; count: TaskOutput } {
  const job = new Job();
  const count = job.scope(() => {
    job.initGroup.scope(() => new Task().scope(() => ops.Const(0, 'count')));
    return new Task({ name: 'epoch' }).scope(() => {
      ops.Add(['count', ops.Const(1)], ['count']);
      return finalOutput('count');
    });
  });
  epochLimiter(job, epochs);
  return { job, count };
}

describe('names', () => {
  test("Caffe2's rules: <node>.<epoch>, no padding; pathPrefix concatenated, dbPrefix joined", () => {
    expect(getCkptFilename('trainer_0', 5)).toBe('trainer_0.5');
    expect(getCkptFilename('trainer_0', 12)).toBe('trainer_0.12');
    expect(dbName(5, 'trainer_0', '/d')).toBe('/d/trainer_0.5');
    expect(dbName(5, 'trainer_0', '/d/')).toBe('/d/trainer_0.5');
    expect(dbName(5, 'trainer_0', '')).toBe('trainer_0.5');
    expect(dbName(5, 'trainer_0', '/d', '/up/x_')).toBe('/up/x_trainer_0.5');
    expect(dbName(5, 'trainer:0', 'rel/dir')).toBe('rel/dir/trainer:0.5');
  });

  test.each(['', '.', '..', '../x', 'a/b', 'a\\b', 'a\0b', 'a\nb', 'a\u007fb', 'x'.repeat(201), '\ud800'])('node name %j is refused', (name) => {
    expect(() => validateNodeName(name)).toThrow(/Expected a node name that stays inside the checkpoint directory/);
    expect(() => getCkptFilename(name, 1)).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
    expect(() => new CheckpointManager('/tmp', name)).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
  });

  test('bad epochs and db types are refused', () => {
    expect(() => getCkptFilename('n', -1)).toThrow(/epoch/);
    expect(() => getCkptFilename('n', 1.5)).toThrow(/epoch/);
    expect(() => new CheckpointManager('/tmp', 'n', 'minidb')).toThrow(/'safetensors' for dbType/);
    expect(() => new CheckpointManager('/tmp', 'n', 'safetensors', undefined, { maxToKeep: 0 })).toThrow(/maxToKeep/);
  });
});

describe('CheckpointManager', () => {
  test('blobList needs init to have run; init takes one node', async () => {
    const cm = new CheckpointManager(mkdtemp(), 'n');
    expect(() => cm.blobList()).toThrow(expect.objectContaining({ code: 'HOGWILD_CHECKPOINT_NOT_INITIALIZED' }));
    expect(() => cm.init(['a', 'b'])).toThrow(/only supports single node/);
    const session = newSession();
    session.workspace.feed('w', new Float32Array([1]));
    const init = cm.init(['n']);
    expect(() => cm.blobList()).toThrow(expect.objectContaining({ code: 'HOGWILD_CHECKPOINT_NOT_INITIALIZED' }));
    await init(session);
    expect(cm.blobList()).toEqual(['blob_names', 'w']);
    expect(session.workspace.kind('blob_names')).toBe('stringList');
  });

  test('the metadata handler protocol, in JobRunner order, with stats in ns keyed by DB name', async () => {
    const dir = mkdtemp();
    const calls: unknown[][] = [];
    const handler: CheckpointMetadataHandler = {
      setParams: (p) => void calls.push(['setParams', p]),
      lastEpoch: (e) => (calls.push(['lastEpoch', e]), e),
      write: (e) => void calls.push(['write', e]),
      cpAccessible: (e) => (calls.push(['cpAccessible', e]), true),
      report: (action, stats) => void calls.push(['report', action, stats]),
    };
    const { job } = countingJob(2);
    const cm = new CheckpointManager(dir, 'node', 'safetensors', handler);
    expect(await new JobRunner(job, { checkpointManager: cm }).train(newSession())).toBe(2);
    expect(calls[0]).toEqual(['setParams', { dbPrefix: dir, dbType: 'safetensors', nodeNames: ['node'] }]);
    expect(calls[1]).toEqual(['lastEpoch', undefined]);
    const rest = calls.slice(2);
    expect(rest.map((c) => c[0])).toEqual(['cpAccessible', 'write', 'report', 'cpAccessible', 'write', 'report', 'cpAccessible', 'write', 'report']);
    expect(rest.filter((c) => c[0] === 'write').map((c) => c[1])).toEqual([0, 1, 2]);
    for (const [, action, stats] of rest.filter((c) => c[0] === 'report')) {
      expect(action).toBe('checkpoint_save');
      const entries = Object.entries(stats as Record<string, number>);
      expect(entries.length).toBe(1);
      expect(entries[0]![0]).toMatch(new RegExp(`^${dir}/node\\.[012]$`));
      expect(entries[0]![1]).toBeGreaterThan(0);
    }
    expect(rest.filter((c) => c[0] === 'cpAccessible').every((c) => c[1] === undefined)).toBe(true);
  });

  test('cpAccessible false skips saves; the handler can redirect the resume epoch', async () => {
    const dir = mkdtemp();
    const { job, count } = countingJob(3);
    await new JobRunner(job, { checkpointManager: new CheckpointManager(dir, 'n') }).train(newSession());
    const handler: CheckpointMetadataHandler = {
      setParams: () => {},
      lastEpoch: () => 1, // the handler knows better than the caller
      write: () => {},
      cpAccessible: () => false,
      report: () => {},
    };
    const before = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))] as const);
    const runner = new JobRunner(job, { checkpointManager: new CheckpointManager(dir, 'n', 'safetensors', handler), resumeFromEpoch: 3 });
    const warnings: Error[] = [];
    runner.on('warning', (w) => warnings.push(w));
    expect(await runner.train(newSession())).toBe(3);
    expect(count.fetchScalar()).toBe(3);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/cannot be accessed/), expect.stringMatching(/cannot be accessed/)]);
    for (const [f, bytes] of before) expect(readFileSync(join(dir, f)).equals(bytes)).toBe(true);
  });

  test("resumeFromEpoch 'latest' picks the newest checkpoint that validates", async () => {
    const dir = mkdtemp();
    const { job, count } = countingJob(5);
    expect(await new JobRunner(job, { checkpointManager: new CheckpointManager(dir, 'n'), resumeFromEpoch: 'latest' }).train(newSession())).toBe(5);
    // Damage the newest two: 'latest' falls back to epoch 3, and training ends at 5 again.
    for (const e of [5, 4]) {
      const p = join(dir, `n.${e}`);
      const b = readFileSync(p);
      b[b.length - 1]! ^= 1;
      writeFileSync(p, b);
    }
    const cm = new CheckpointManager(dir, 'n');
    expect(await cm.getResumeFromEpochId('latest')).toBe(3);
    const runner = new JobRunner(job, { checkpointManager: cm, resumeFromEpoch: 'latest' });
    const inits: unknown[] = [];
    runner.on('init', (e) => inits.push(e.resumeFromEpoch));
    expect(await runner.train(newSession())).toBe(5);
    expect(inits).toEqual([3]);
    expect(count.fetchScalar()).toBe(5);
    // An empty directory means a fresh start.
    expect(await new CheckpointManager(mkdtemp(), 'n').getResumeFromEpochId('latest')).toBeUndefined();
    expect(() => new JobRunner(job, { resumeFromEpoch: 'latest' })).toThrow(/checkpointManager/);
  });

  test('maxToKeep through JobRunner keeps the newest N and never foreign files', async () => {
    const dir = mkdtemp();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'n.9'), 'a file of the same pattern that is not a checkpoint');
    const { job } = countingJob(6);
    await new JobRunner(job, { checkpointManager: new CheckpointManager(dir, 'n', 'safetensors', undefined, { maxToKeep: 2 }) }).train(newSession());
    expect(readdirSync(dir).sort()).toEqual(['n.5', 'n.6', 'n.9', 'notes.txt']);
  });

  test('opening a directory sweeps temp files of dead writers', async () => {
    const dir = mkdtemp();
    writeFileSync(join(dir, 'n.3.tmp-999999999-0123456789abcdef'), 'partial');
    writeFileSync(join(dir, 'other.3.tmp-999999999-0123456789abcdef'), 'another node: not ours to sweep');
    const cm = new CheckpointManager(dir, 'n');
    expect(await cm.getResumeFromEpochId('latest')).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['other.3.tmp-999999999-0123456789abcdef']);
  });

  test('checkDbExists and loadBlobsFromCheckpoint', async () => {
    const dir = mkdtemp();
    const session = newSession();
    session.workspace.feed('a', new Float32Array([1]));
    session.workspace.feed('b', new Float32Array([2]));
    const cm = new CheckpointManager(dir, 'n');
    await cm.init()(session);
    await cm.save(1)(session);
    const yes = cm.checkDbExists(1);
    const no = cm.checkDbExists(2);
    expect(() => yes.fetch()).toThrow(/to have run/);
    await yes(session);
    await no(session);
    expect([yes.fetch(), no.fetch()]).toEqual([true, false]);
    const other = newSession();
    await cm.loadBlobsFromCheckpoint(['b', 'missing'], 1)(other);
    expect(other.workspace.list()).toEqual(['b']);
    const stats: Record<string, number> = {};
    cm.collectCheckpointStats(stats);
    expect(Object.keys(stats)).toEqual([join(dir, 'n.1')]);
  });
});

describe('MultiNodeCheckpointManager', () => {
  test('one file per node; re-init with other nodes is refused; unknown node has no DB name', async () => {
    const dir = mkdtemp();
    const cm = new MultiNodeCheckpointManager(dir);
    expect(() => cm.save(1)).toThrow(/init must be called first/);
    const session = newSession();
    session.workspace.feed('w', new Float32Array([3]));
    await cm.init(['a', 'b'])(session);
    await cm.save(1)(session);
    expect(readdirSync(dir).sort()).toEqual(['a.1', 'b.1']);
    expect(() => cm.init(['a'])).toThrow(/Expected the nodes of the first init/);
    expect(cm.getCkptDbName('b', 7)).toBe(join(dir, 'b.7'));
    expect(cm.getCkptDbName('zz', 7)).toBeUndefined();
    await cm.setParams(['a', 'b']);
    expect(await cm.getResumeFromEpochId('latest')).toBe(1);
    rmSync(join(dir, 'b.1'));
    expect(await cm.getResumeFromEpochId('latest')).toBeUndefined();
  });

  // Both managers resolve the user's epoch through one path (lib/checkpoint/epochs.ts);
  // the multi-node one used to pass 1.5, -1 or '3' straight to the handler.
  test.each([
    ['CheckpointManager', () => new CheckpointManager(mkdtemp(), 'n', 'safetensors', recordingHandler())],
    ['MultiNodeCheckpointManager', () => new MultiNodeCheckpointManager(mkdtemp(), 'safetensors', recordingHandler())],
  ] as const)('%s checks the user epoch before the metadata handler sees it', async (_name, make) => {
    const cm = make();
    const seen = (cm.metadataHandler as ReturnType<typeof recordingHandler>).seen;
    for (const bad of [1.5, -1, '3', Number.NaN]) {
      await expect(cm.getResumeFromEpochId(bad as never)).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT', message: expect.stringMatching(/userEpoch/) });
    }
    expect(seen).toEqual([]);
    expect(await cm.getResumeFromEpochId(4)).toBe(4);
    expect(await cm.getResumeFromEpochId(undefined)).toBeUndefined();
    expect(seen).toEqual([4, undefined]);
  });

  test('UploadToDirectory copies each node checkpoint durably', async () => {
    const dir = mkdtemp();
    const dest = join(mkdtemp(), 'up');
    const { job } = countingJob(2);
    const cm = new MultiNodeCheckpointManager(dir);
    await new JobRunner(job, { checkpointManager: cm, uploadTaskGroupBuilder: new UploadToDirectory(dest) }).train(newSession());
    const nodes = job.nodesToCheckpoint();
    expect(readdirSync(dest).sort()).toEqual(nodes.map((n) => `${n}.2`).sort());
    for (const n of nodes) expect(readFileSync(join(dest, `${n}.2`)).equals(readFileSync(join(dir, `${n}.2`)))).toBe(true);
  });
});
