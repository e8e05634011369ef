// I/O errors at every step of a save (docs/reliability.md §6): errors are
// injected with strace (open, fallocate, each write, fsync, close, rename,
// directory fsync) and real disk-full is made with a small tmpfs (as root) or
// `ulimit -f`. Each time: the save rejects with the errno's code and the
// syscall, the previous checkpoint stays valid, no temp file is left, and the
// process lives on. strace and tmpfs cases are skipped where unavailable
// (CI: apt-get install strace).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import {
  CheckpointManager,
  epochLimiter,
  finalOutput,
  inspectCheckpoint,
  Job,
  JobRunner,
  LocalSession,
  loadCheckpoint,
  ops,
  Task,
  Workspace,
} from '../../lib/index.js';
import { childEnv, compiledLib, fixtures, removeCompiledLib } from './childLib.js';

const child = join(fixtures, 'child.mjs');
const TMP = 'trainer_0.2.tmp-0-0000000000000000';
let lib: string;
let base: string;
beforeAll(() => {
  lib = compiledLib('ioerrors');
  base = mkdtempSync(join(tmpdir(), 'hw-ckpt-io-'));
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
  removeCompiledLib();
});

const haveStrace = spawnSync('strace', ['-V']).status === 0;
const isRoot = process.getuid?.() === 0;

interface Outcome {
  ok: boolean;
  code?: string;
  syscall?: string;
  message?: string;
}

function runChild(args: string[], env: Record<string, string> = {}, wrap: string[] = []): { status: number | null; out: Outcome; stderr: string } {
  const cmd = wrap.length ? wrap[0]! : process.execPath;
  const argv = wrap.length ? [...wrap.slice(1), process.execPath, child, ...args] : [child, ...args];
  const r = spawnSync(cmd, argv, { env: childEnv(env), encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, out: line.startsWith('{') ? (JSON.parse(line) as Outcome) : { ok: false, message: r.stdout }, stderr: r.stderr };
}

/** A directory holding a valid epoch-1 checkpoint (4 MiB, seed 1). */
function withEpoch1(dir: string): Buffer {
  mkdirSync(dir, { recursive: true });
  const r = runChild(['save', lib, dir, '1', '1']);
  expect(r.out, r.stderr).toEqual({ ok: true });
  return readFileSync(join(dir, 'trainer_0.1'));
}

async function expectOldIntact(dir: string, before: Buffer, newFile: 'absent' | 'valid') {
  expect(readFileSync(join(dir, 'trainer_0.1')).equals(before)).toBe(true);
  await inspectCheckpoint(join(dir, 'trainer_0.1'), { verifyData: true });
  expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  if (newFile === 'absent') expect(existsSync(join(dir, 'trainer_0.2'))).toBe(false);
  else await inspectCheckpoint(join(dir, 'trainer_0.2'), { verifyData: true });
  // The next process still loads epoch 1 (or 2 when it was committed).
  const latest = await new CheckpointManager(dir, 'trainer_0').latestValidEpoch();
  expect(latest).toBe(newFile === 'absent' ? 1 : 2);
}

describe.skipIf(!haveStrace)('injected errors (strace)', () => {
  // [syscall to inject, errno, when, path filter ('tmp' | 'dir'), expected syscall in the error]
  const cases: [string, string, number, 'tmp' | 'dir', string][] = [
    ['openat', 'ENOSPC', 1, 'tmp', 'open'],
    ['openat', 'EACCES', 1, 'tmp', 'open'],
    ['fallocate', 'ENOSPC', 1, 'tmp', 'fallocate'],
    ['fallocate', 'EDQUOT', 1, 'tmp', 'fallocate'],
    ['pwrite64', 'ENOSPC', 1, 'tmp', 'write'],
    ['pwrite64', 'ENOSPC', 2, 'tmp', 'write'],
    ['pwrite64', 'EIO', 3, 'tmp', 'write'],
    ['pwrite64', 'EDQUOT', 4, 'tmp', 'write'],
    ['fsync', 'EIO', 1, 'tmp', 'fsync'],
    ['fsync', 'ENOSPC', 1, 'tmp', 'fsync'],
    ['close', 'EIO', 1, 'tmp', 'close'],
    ['rename', 'EIO', 1, 'tmp', 'rename'],
    ['rename', 'ENOSPC', 1, 'tmp', 'rename'],
    ['fsync', 'EIO', 1, 'dir', 'fsync'],
  ];

  // The asynchronous save (snapshot, then a native thread writes) on a cross-section of the steps.
  const asyncCases = cases
    .filter(([sys, errno, when]) => ['openat ENOSPC 1', 'fallocate ENOSPC 1', 'pwrite64 ENOSPC 2', 'fsync EIO 1', 'close EIO 1', 'rename EIO 1'].includes(`${sys} ${errno} ${when}`))
    .map((c) => [...c, true] as const);

  test.each([...cases.map((c) => [...c, false] as const), ...asyncCases])('%s %s (call %i, %s, error from %s; async %s)', async (sys, errno, when, where, syscall, async) => {
    const tag = `${sys}-${errno}-${when}-${where}${async ? '-async' : ''}`;
    const dir = join(base, tag);
    const before = withEpoch1(dir);
    const log = join(base, `${tag}.strace`);
    const filter = where === 'tmp' ? join(dir, TMP) : dir;
    const env: Record<string, string> = { HOGWILD_CKPT_FIXED_TMP: '1', ...(async ? { HOGWILD_TEST_ASYNC_SAVE: '1' } : {}) };
    const r = runChild(['save', lib, dir, '2', '2'], env, [
      'strace',
      '-f',
      '-qq',
      '-o',
      log,
      '-P',
      filter,
      `-e`,
      `trace=${sys}`,
      '-e',
      `inject=${sys}:error=${errno}:when=${when}`,
    ]);
    expect(r.status, r.stderr).toBe(0); // the process lives
    expect(r.out.ok).toBe(false);
    expect(r.out.code).toBe(errno);
    expect(r.out.syscall).toBe(syscall);
    // The directory fsync fails after the rename: the new file is complete and valid (docs/checkpoints.md).
    await expectOldIntact(dir, before, where === 'dir' ? 'valid' : 'absent');
    if (sys === 'fsync' && where === 'tmp') {
      // A failed fsync is never retried on the same descriptor (fsyncgate).
      expect(readFileSync(log, 'utf8').match(/fsync\(/g)?.length).toBe(1);
    }
  });
});

describe('real disk full', () => {
  test.skipIf(!isRoot)('tmpfs: ENOSPC, the old checkpoint stays, retention never makes room by deleting it', async () => {
    const dir = join(base, 'tmpfs');
    mkdirSync(dir);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', dir]).status === 0;
    if (!mounted) return;
    try {
      const before = withEpoch1(dir);
      const r = runChild(['save', lib, dir, '2', '2']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.out).toMatchObject({ ok: false, code: 'ENOSPC' });
      await expectOldIntact(dir, before, 'absent');
    } finally {
      spawnSync('umount', [dir]);
    }
  });

  test.skipIf(!isRoot).each([false, true])('tmpfs: JobRunner keeps training through ENOSPC and the last good checkpoint loads (asyncSave %s)', async (asyncSave) => {
    const dir = join(base, `tmpfs-job-${asyncSave}`);
    mkdirSync(dir);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2600k', 'tmpfs', dir]).status === 0;
    if (!mounted) return;
    try {
      const job = new Job();
      const total = job.scope(() => {
        job.initGroup.scope(() =>
          new Task().scope(() => {
            ops.Const(0, 'total');
            ops.ConstantFill([], ['big'], { shape: [256, 1024], value: 1 }); // 1 MiB per checkpoint
          }),
        );
        return new Task({ name: 'add' }).scope(() => {
          ops.Add(['total', ops.Const(1)], ['total']);
          return finalOutput('total');
        });
      });
      epochLimiter(job, 5);
      await using session = new LocalSession();
      const cm = new CheckpointManager(dir, 'trainer_0');
      const runner = new JobRunner(job, { checkpointManager: cm, asyncSave });
      const warnings: Error[] = [];
      runner.on('warning', (w) => warnings.push(w));
      expect(await runner.train(session)).toBe(5);
      expect(total.fetchScalar()).toBe(5);
      // The first checkpoints fit; the later saves (epochs 0..5: 6 in all) fail with ENOSPC and training goes on.
      const saved = readdirSync(dir).sort();
      expect(saved.length).toBeGreaterThanOrEqual(1);
      expect(saved).toEqual(saved.map((_f, i) => `trainer_0.${i}`));
      expect(warnings.length).toBe(6 - saved.length);
      for (const w of warnings) expect((w.cause as { code?: string }).code).toBe('ENOSPC');
      const latest = await cm.latestValidEpoch();
      expect(latest).toBe(saved.length - 1);
      using ws = new Workspace();
      await loadCheckpoint(ws, cm.dbName(latest!), { epoch: latest! });
      expect(Number(ws.fetch('total').data[0])).toBe(latest);
    } finally {
      spawnSync('umount', [dir]);
    }
  });

  test.each([false, true])('ulimit -f: EFBIG, the old checkpoint stays (async %s)', async (async) => {
    const dir = join(base, `ulimit-${async}`);
    const before = withEpoch1(dir);
    // 2048 blocks of 512 bytes = 1 MiB: the 4 MiB checkpoint cannot be written.
    const r = runChild(['save', lib, dir, '2', '2'], async ? { HOGWILD_TEST_ASYNC_SAVE: '1' } : {}, ['bash', '-c', 'ulimit -f 2048 && exec "$@"', 'bash']);
    expect(r.status, r.stderr).toBe(0); // Node ignores SIGXFSZ, so the process lives
    expect(r.out).toMatchObject({ ok: false, code: 'EFBIG' });
    await expectOldIntact(dir, before, 'absent');
  });
});
