// Crash safety across processes (docs/reliability.md §6: crash points, kill -9, retention, resume).
//  - Crash points: HOGWILD_CRASH_AT=n kills the writer just before its n-th
//    I/O step (open, each write, fsync, close, rename, directory fsync, and
//    the retention unlinks); a fresh process then always finds the old or the
//    new checkpoint, valid, with its exact values, and never a temp file.
//  - kill -9 at random moments, 50+ times: a fresh process resumes from the
//    newest valid checkpoint ('latest') every time; the committed epoch never
//    goes backwards; with one thread and fixed seeds, the final parameters
//    are bitwise equal to an uninterrupted run's.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { CheckpointManager, inspectCheckpoint, loadCheckpoint, Workspace } from '../../lib/index.js';
import { mulberry32 } from '../../lib/util/prng.js';
import { childEnv, compiledLib, fixtures, removeCompiledLib } from './childLib.js';

let lib: string;
let base: string;
beforeAll(() => {
  lib = compiledLib('crash');
  base = mkdtempSync(join(tmpdir(), 'hw-ckpt-crash-'));
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
  removeCompiledLib();
});

const child = join(fixtures, 'child.mjs');

function runSave(dir: string, epoch: number, seed: number, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [child, 'save', lib, dir, String(epoch), String(seed)], {
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The values child.mjs saves for `seed` (same generator). */
function saveValues(seed: number): Float32Array {
  const next = mulberry32(seed);
  const w = new Float32Array(1 << 20);
  for (let i = 0; i < w.length; i++) w[i] = next();
  return w;
}

const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.includes('.tmp-'));

// Each scenario runs against the synchronous save and the asynchronous one
// (snapshot, then a native thread writes: HOGWILD_TEST_ASYNC_SAVE=1 in the child).
describe.each([
  { mode: 'sync', env: {} as Record<string, string>, minKills: 50 },
  { mode: 'async', env: { HOGWILD_TEST_ASYNC_SAVE: '1' } as Record<string, string>, minKills: 20 },
])('$mode save', ({ env: modeEnv, minKills }) => {
describe('crash points of a save', () => {
  test('a kill before any I/O step leaves the old or the new checkpoint, never a temp file', async () => {
    const v1 = Buffer.from(saveValues(1).buffer);
    const v2 = Buffer.from(saveValues(2).buffer);
    const seen = new Map<number, number>();
    let completedAt = 0;
    for (let n = 1; n <= 40 && !completedAt; n++) {
      const dir = mkdtempSync(join(base, `point-${n}-`));
      const first = runSave(dir, 1, 1, modeEnv);
      expect(first.status, first.stderr).toBe(0);
      const r = runSave(dir, 2, 2, { ...modeEnv, HOGWILD_CRASH_AT: String(n) });
      if (r.signal === null) {
        expect(r.status, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout.trim())).toEqual({ ok: true });
        completedAt = n;
      } else {
        expect(r.signal).toBe('SIGKILL');
      }
      // A fresh process (this one) opens the directory: temp files are swept, the newest valid loads.
      const cm = new CheckpointManager(dir, 'trainer_0');
      const latest = await cm.latestValidEpoch();
      expect(tempFiles(dir)).toEqual([]);
      expect([1, 2]).toContain(latest);
      seen.set(latest!, (seen.get(latest!) ?? 0) + 1);
      using ws = new Workspace();
      await loadCheckpoint(ws, cm.dbName(latest!), { epoch: latest!, node: 'trainer_0' });
      const w = ws.fetch('w');
      expect(Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).equals(latest === 1 ? v1 : v2)).toBe(true);
      expect(ws.serializeBlob('count')?.data[0]).toBe(BigInt(latest!));
      // Every checkpoint file left is valid (old, new, or both during retention).
      for (const f of readdirSync(dir)) {
        const info = await inspectCheckpoint(join(dir, f), { verifyData: true });
        expect(`trainer_0.${info.epoch}`).toBe(f);
      }
      if (completedAt) expect(readdirSync(dir)).toEqual(['trainer_0.2']); // maxToKeep 1 removed epoch 1
    }
    // open, writes, fsync, close, rename, directory fsync, then the retention unlink and its fsync.
    expect(completedAt).toBeGreaterThanOrEqual(8);
    expect(seen.get(1)).toBeGreaterThan(0);
    expect(seen.get(2)).toBeGreaterThan(0);
  });
});

describe('kill -9 at random moments', () => {
  const EPOCHS = 12;
  let reference: Buffer;
  // How long an uninterrupted run takes here: kills land uniformly inside it
  // (a fixed delay misses every run once training gets faster than it).
  let runMs = 1000;

  function train(dir: string, out: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; killed: boolean }> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [child, 'train', lib, dir, String(EPOCHS), out], { env: childEnv(modeEnv), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      let killed = false;
      const delay = Math.random() * runMs;
      const timer = setTimeout(() => {
        killed = p.kill('SIGKILL');
      }, delay);
      p.on('error', reject);
      p.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, killed: killed && signal === 'SIGKILL' });
      });
    });
  }

  beforeAll(async () => {
    const dir = mkdtempSync(join(base, 'reference-'));
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [child, 'train', lib, dir, String(EPOCHS), join(dir, 'params')], {
      env: childEnv(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ resumedFrom: null, last: EPOCHS });
    reference = readFileSync(join(dir, 'params'));
    runMs = Date.now() - t0;
  });

  test(`${minKills}+ kills: every restart resumes from the newest valid checkpoint; the result is bitwise equal`, async () => {
    let kills = 0;
    let rounds = 0;
    while (kills < minKills) {
      rounds++;
      expect(rounds, `only ${kills} kills landed in ${rounds - 1} rounds`).toBeLessThan(minKills * 20);
      const dir = mkdtempSync(join(base, `round-${rounds}-`));
      const out = join(base, `params-${rounds}`);
      let committed = -1;
      for (let attempt = 0; ; attempt++) {
        expect(attempt).toBeLessThan(200);
        const r = await train(dir, out);
        const cm = new CheckpointManager(dir, 'trainer_0');
        const latest = (await cm.latestValidEpoch()) ?? -1;
        expect(tempFiles(dir)).toEqual([]);
        expect(latest).toBeGreaterThanOrEqual(committed); // never backwards
        expect(latest).toBeLessThanOrEqual(EPOCHS);
        const files = readdirSync(dir);
        expect(files.length).toBeLessThanOrEqual(4); // maxToKeep 3, +1 between a rename and its retention
        for (const f of files) expect(f).toMatch(/^trainer_0\.\d+$/);
        if (!r.killed) {
          expect(r.code, r.stderr).toBe(0);
          const result = JSON.parse(r.stdout.trim()) as { resumedFrom: number | null; last: number };
          expect(result.resumedFrom).toBe(committed >= 0 ? committed : null);
          expect(result.last).toBe(EPOCHS);
          break;
        }
        kills++;
        committed = latest;
      }
      expect(readFileSync(out).equals(reference)).toBe(true);
    }
    expect(kills).toBeGreaterThanOrEqual(minKills);
  }, 600_000);
});
});
