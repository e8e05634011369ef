// Library regression tests of issue R4, R6, R8 and the CLI's exit-code mapping,
// small-file atomic writes and lock files: each failed before the fix.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { ensureDirectory, writeFileAtomic } from '../../lib/checkpoint/atomicWrite.js';
import { exitCodeOf, EXIT, oneLine } from '../../lib/cli/exitCodes.js';
import { CheckpointLedger, LedgerCheckpointManager } from '../../lib/cli/checkpointManifest.js';
import { acquireLock } from '../../lib/cli/outputLock.js';
import {
  CheckpointManager,
  Dataset,
  epochLimiter,
  finalOutput,
  InvalidArgumentError,
  Job,
  JobRunner,
  LocalSession,
  Net,
  Node,
  ops,
  scalar,
  schema,
  Task,
  type TaskOutput,
} from '../../lib/index.js';

const dirs: string[] = [];
const mkdtemp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hw-rel-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A job whose epoch's loss is `values[epoch-1]` (NaN spelled as null: computed as 0/0). */
function lossJob(values: (number | null)[]): { job: Job; loss: TaskOutput } {
  const job = new Job();
  const loss = job.scope(() => {
    job.initGroup.scope(() => new Task().scope(() => {
      ops.Const(0, 'count');
      ops.GivenTensorFill([], ['num'], { shape: [values.length], values: values.map((v) => v ?? 0) });
      ops.GivenTensorFill([], ['den'], { shape: [values.length], values: values.map((v) => (v === null ? 0 : 1)) });
    }));
    return new Task({ name: 'epoch' }).scope(() => {
      ops.Div([ops.Gather(['num', 'count']), ops.Gather(['den', 'count'])], ['l']);
      ops.Add(['count', ops.Const(1)], ['count']);
      return finalOutput('l');
    });
  });
  epochLimiter(job, values.length);
  return { job, loss };
}

describe('R6: checkpoint directories are created', () => {
  test('a CheckpointManager under a missing nested directory saves every epoch', async () => {
    const root = mkdtemp();
    const dir = join(root, 'out', 'nested', 'ckpt');
    const { job } = lossJob([1, 2, 3]);
    const warnings: Error[] = [];
    const runner = new JobRunner(job, { checkpointManager: new CheckpointManager(dir, 'n', 'safetensors') });
    runner.on('warning', (w) => warnings.push(w));
    const session = new LocalSession();
    try {
      expect(await runner.train(session)).toBe(3);
    } finally {
      await session.close();
    }
    expect(warnings).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['n.0', 'n.1', 'n.2', 'n.3']);
  });

  test('ensureDirectory creates parents and refuses a file in the way', () => {
    const root = mkdtemp();
    expect(ensureDirectory(join(root, 'a', 'b'))).toBe(join(root, 'a', 'b'));
    expect(existsSync(join(root, 'a', 'b'))).toBe(true);
    writeFileSync(join(root, 'f'), 'x');
    expect(() => ensureDirectory(join(root, 'f', 'g'))).toThrow(/is not a directory/);
  });
});

describe('R4: a NaN or infinite loss', () => {
  test("stops training by default before that epoch is checkpointed (HOGWILD_NON_FINITE_LOSS)", async () => {
    const dir = mkdtemp();
    const { job, loss } = lossJob([3, 2, null, 1]);
    const runner = new JobRunner(job, { checkpointManager: new CheckpointManager(dir, 'n'), report: { loss } });
    const session = new LocalSession();
    try {
      await expect(runner.train(session)).rejects.toMatchObject({ code: 'HOGWILD_NON_FINITE_LOSS', message: expect.stringMatching(/loss is NaN after epoch 3/) });
    } finally {
      await session.close();
    }
    expect(readdirSync(dir).sort()).toEqual(['n.0', 'n.1', 'n.2']);
  });

  test("nonFiniteLoss 'warn' warns and goes on; lossReport names the report", async () => {
    const { job, loss } = lossJob([1, Number.POSITIVE_INFINITY, 2]);
    const runner = new JobRunner(job, { report: { total: loss }, lossReport: 'total', nonFiniteLoss: 'warn' });
    const warnings: string[] = [];
    runner.on('warning', (w) => warnings.push(w.message));
    const session = new LocalSession();
    try {
      expect(await runner.train(session)).toBe(3);
    } finally {
      await session.close();
    }
    expect(warnings).toEqual([expect.stringMatching(/loss \('total'\) is Infinity after epoch 2/)]);
    expect(() => new JobRunner(job, { nonFiniteLoss: 'ignore' as 'warn' })).toThrow(InvalidArgumentError);
  });
});

describe('R8: API misuse fails where it is made', () => {
  const ds = () => new Dataset(schema({ x: scalar('float32') }), { name: 'd' }).initEmpty(new Net('i'));
  test('dataset.reader(ops) and unknown or mistyped reader options are InvalidArgumentError', () => {
    expect(() => ds().reader(ops as never)).toThrow(/Expected an options object .* for dataset.reader options but received a value of type Operations/);
    expect(() => ds().reader({ batchsize: 4 } as never)).toThrow(/unknown key 'batchsize'/);
    expect(() => ds().reader({ initNet: 'init' } as never)).toThrow(InvalidArgumentError);
    expect(() => ds().randomReader({ seed: 1, loopover: true } as never)).toThrow(/unknown key 'loopover'/);
    expect(() => ds().writer({ initNet: {} } as never)).toThrow(InvalidArgumentError);
  });

  test("Caffe2's reader(initNet) spelling creates the cursor in that net", () => {
    const init = new Net('init');
    const r = ds().reader(init) as unknown as { cursor?: unknown };
    expect(r.cursor).toBeDefined();
    expect(init.ops.map((o) => o.type)).toContain('CreateTreeCursor');
  });

  test('node names are validated at construction', () => {
    expect(() => new Node('../evil')).toThrow(/stays inside the checkpoint directory/);
    expect(() => new Node('')).toThrow(InvalidArgumentError);
    expect(() => new Node(3 as never)).toThrow(InvalidArgumentError);
    expect(new Node(new Node('trainer_0')).name).toBe('trainer_0');
  });

  test('the main entry points refuse unknown option keys', async () => {
    const { job } = lossJob([1]);
    expect(() => new JobRunner(job, { resumeFromepoch: 3 } as never)).toThrow(/unknown key 'resumeFromepoch'/);
    expect(() => new CheckpointManager('d', 'n', 'safetensors', undefined, { maxTokeep: 2 } as never)).toThrow(/unknown key 'maxTokeep'/);
    const session = new LocalSession();
    await expect(new JobRunner(job).train(session, { maxepochs: 1 } as never)).rejects.toThrow(/unknown key 'maxepochs'/);
    await expect(session.run(job.initGroup, { singal: AbortSignal.timeout(1) } as never)).rejects.toThrow(/unknown key 'singal'/);
    await expect(session.workspace.run({ name: 'p', nets: [], steps: [] } as never, { onreport: () => {} } as never)).rejects.toThrow(/unknown key 'onreport'/);
    await session.close();
  });
});

describe('CLI exit codes by cause', () => {
  const errno = (code: string, path?: string) => Object.assign(new Error(`${code}: failure, write`), { code, ...(path ? { path } : {}) });
  test('write-only errnos exit 4 and name the path; missing or unreadable input exits 3', () => {
    for (const c of ['ENOSPC', 'EROFS', 'EDQUOT', 'EFBIG']) expect(exitCodeOf(errno(c)), c).toBe(EXIT.OUTPUT);
    for (const c of ['ENOENT', 'EACCES', 'HOGWILD_CHECKPOINT_CORRUPT']) expect(exitCodeOf(errno(c)), c).toBe(EXIT.INPUT);
    expect(exitCodeOf(errno('HOGWILD_NON_FINITE_LOSS'))).toBe(EXIT.DIVERGED);
    expect(oneLine(errno('ENOSPC', '/data/m.bin'))).toBe('ENOSPC: failure, write (/data/m.bin) [ENOSPC]');
  });
});

describe("resume 'latest' over a damaged newest checkpoint", () => {
  test('warns (HOGWILD_CHECKPOINT_SKIPPED) naming the file, then uses the older one', async () => {
    const dir = mkdtemp();
    const session = new LocalSession();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      session.workspace.feed('w', new Float32Array([1, 2, 3]));
      const m = new CheckpointManager(dir, 'n');
      await session.run(m.init());
      await session.run(m.save(1));
      await session.run(m.save(2));
      const bytes = readFileSync(join(dir, 'n.2'));
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      writeFileSync(join(dir, 'n.2'), bytes);
      expect(await new CheckpointManager(dir, 'n').latestValidEpoch()).toBe(1);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
      await session.close();
    }
    expect(warnings).toEqual([expect.objectContaining({ code: 'HOGWILD_CHECKPOINT_SKIPPED', message: expect.stringContaining(join(dir, 'n.2')) })]);
  });
});

describe('the CLI checkpoint manifest', () => {
  test('a save killed after its file is complete but before the manifest records it: resume uses it, the next save may replace it', async () => {
    const dir = mkdtemp();
    const session = new LocalSession();
    try {
      session.workspace.feed('w', new Float32Array([1, 2, 3]));
      let ledger = await CheckpointLedger.open(dir, 'n', false);
      const manager = new LedgerCheckpointManager(dir, 'n', ledger);
      await session.run(manager.init());
      await session.run(manager.save(1));
      ledger.committed(1, 2);
      await session.run(manager.save(2)); // "killed" here: committed(2) never runs
      ledger = await CheckpointLedger.open(dir, 'n', true);
      expect(await ledger.latestValid()).toBe(2);
      const again = new LedgerCheckpointManager(dir, 'n', ledger);
      await session.run(again.init());
      await session.run(again.save(2));
      ledger.committed(2, 2);
      expect(ledger.epochs).toEqual([1, 2]);
    } finally {
      await session.close();
    }
  });

  test('a file at a checkpoint name that no manifest lists is never replaced', async () => {
    const dir = mkdtemp();
    writeFileSync(join(dir, 'n.1'), 'notes');
    const session = new LocalSession();
    try {
      session.workspace.feed('w', new Float32Array([1]));
      const manager = new LedgerCheckpointManager(dir, 'n', await CheckpointLedger.open(dir, 'n', false));
      await session.run(manager.init());
      await expect(session.run(manager.save(1))).rejects.toThrow(/n\.1 exists and was not written by this command/);
      expect(readFileSync(join(dir, 'n.1'), 'utf8')).toBe('notes');
    } finally {
      await session.close();
    }
  });
});

describe('small state files and locks', () => {
  test('writeFileAtomic replaces the file and leaves no temp file; a failure names the path and keeps the old file', () => {
    const dir = mkdtemp();
    const f = join(dir, 'state.json');
    writeFileAtomic(f, '{"a":1}\n');
    writeFileAtomic(f, '{"a":2}\n');
    expect(readFileSync(f, 'utf8')).toBe('{"a":2}\n');
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(() => writeFileAtomic(join(dir, 'missing', 'x.json'), '{}')).toThrow(expect.objectContaining({ code: 'ENOENT', message: expect.stringContaining(join(dir, 'missing', 'x.json')) }));
    expect(readFileSync(f, 'utf8')).toBe('{"a":2}\n');
  });

  test('a lock is exclusive while held, released, and taken over when its pid is dead', () => {
    const dir = mkdtemp();
    const path = join(dir, 'hogwild.lock');
    const lock = acquireLock(path, 'the directory', 'test');
    expect(() => acquireLock(path, 'the directory', 'test')).toThrow(expect.objectContaining({ exitCode: EXIT.BUSY, message: expect.stringMatching(/in use by pid \d+/) }));
    lock.release();
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), started: 'x', command: 'y' }));
    acquireLock(path, 'the directory', 'test').release();
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 17, host: 'another-host', started: 'x', command: 'y' }));
    expect(() => acquireLock(path, 'the directory', 'test')).toThrow(/in use by pid/);
  });
});
