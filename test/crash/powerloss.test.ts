// Crash consistency under power loss (docs/checkpoints.md): the file-system
// operations of a save are recorded with strace, every crash state a POSIX
// file system may leave is replayed (fsmodel.ts: any prefix of the ops;
// unsynced writes dropped or torn at 4 KiB blocks; directory operations not
// yet made durable by a directory fsync undone, in any combination), each
// state is written to a directory, and a checker asserts that the loader finds
// the old or the new checkpoint whole and that resume 'latest' picks the right
// one. Checks: the checkpoint writer (with maxToKeep retention), the small
// state files (temp + fsync + rename), and a whole `hogwild supervised
// -resume` run (checkpoint, manifest, settings, history, model file).
// CI runs a reduced sample per crash point; CRASHCHECK_FULL=1 explores all.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { writeCorpus } from '../../lib/apps/fasttext/corpus.js';
import { childEnv, compiledLib, removeCompiledLib } from '../checkpoint/childLib.js';
import { crashPoints, materialize } from './fsmodel.js';
import { haveStrace, traceOps, type Op } from './strace.js';

const full = process.env.CRASHCHECK_FULL === '1';
const PER_POINT = full ? 10_000 : 6;
const fixtures = join(import.meta.dirname, 'fixtures');
if (!haveStrace) console.warn('powerloss.test: strace is not installed; the power-loss crash checks are skipped (apt-get install strace)');

let lib: string;
let base: string;
beforeAll(() => {
  lib = compiledLib('powerloss');
  base = mkdtempSync(join(tmpdir(), 'hw-powerloss-'));
});
afterAll(() => {
  if (!process.env.CRASHCHECK_KEEP) rmSync(base, { recursive: true, force: true });
  removeCompiledLib();
});

interface Explored {
  ops: number;
  points: number;
  states: number;
  failures: { prefix: number; markers: string[]; why: string }[];
}

/**
 * Records `run` over the tree `setup` left in `root`, then checks every crash
 * state with check.mjs kind `kind`.
 */
function explore(name: string, root: string, run: string[], kind: string, expectFor: (final: boolean) => Record<string, unknown>, env?: NodeJS.ProcessEnv): Explored {
  const snapshot = `${root}.before`;
  cpSync(root, snapshot, { recursive: true });
  const traced = traceOps(process.execPath, run, { root, log: `${root}.strace`, env: env ?? childEnv() });
  if (traced.status !== 0) throw new Error(`the recorded run failed (${traced.status}): ${traced.stderr}`);
  const ops: Op[] = traced.ops;
  const points = crashPoints(root, snapshot, ops, PER_POINT);
  const statesDir = `${root}.states`;
  const cases: Record<string, unknown>[] = [];
  const where = new Map<string, { prefix: number; markers: string[] }>();
  let n = 0;
  for (const p of points) {
    const last = p.prefix === ops.length;
    for (const s of p.states) {
      const dir = join(statesDir, String(n++));
      materialize(s, dir);
      cases.push({ dir, kind, markers: p.markers, final: last, expect: expectFor(last) });
      where.set(dir, { prefix: p.prefix, markers: p.markers });
    }
  }
  const casesFile = `${root}.cases.json`;
  writeFileSync(casesFile, JSON.stringify(cases));
  const r = spawnSync(process.execPath, [join(fixtures, 'check.mjs'), lib, casesFile], { encoding: 'utf8', env: childEnv(), maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`check.mjs failed: ${r.stderr}`);
  const results = JSON.parse(r.stdout) as { dir: string; ok: boolean; why?: string }[];
  const failures = results.filter((x) => !x.ok).map((x) => ({ ...where.get(x.dir)!, why: x.why! }));
  const explored = { ops: ops.length, points: points.length, states: cases.length, failures };
  console.log(`crashcheck ${name}: ${explored.ops} file-system ops, ${explored.points} crash points, ${explored.states} crash states explored, ${failures.length} failing${full ? '' : ' (reduced: CRASHCHECK_FULL=1 for all)'}`);
  rmSync(statesDir, { recursive: true, force: true });
  if (process.env.CRASHCHECK_KEEP) console.log(`kept ${root}.strace`);
  return explored;
}

function setup(mode: string, root: string): void {
  mkdirSync(root, { recursive: true });
  const r = spawnSync(process.execPath, [join(fixtures, 'workload.mjs'), lib, mode, root], { encoding: 'utf8', env: childEnv() });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
}

describe.skipIf(!haveStrace)('power loss', () => {
  test('checkpoint writer: the old checkpoint or the new one, whole; latest is the new one once save returned', () => {
    const root = join(base, 'ckpt');
    setup('ckpt-setup', root);
    const e = explore('checkpoint writer', root, [join(fixtures, 'workload.mjs'), lib, 'ckpt-run', root], 'checkpoint', () => ({}));
    expect(e.ops).toBeGreaterThan(5);
    expect(e.states).toBeGreaterThan(e.points);
    expect(e.failures.slice(0, 5)).toEqual([]);
  });

  test('small state files (temp + fsync + rename): old or new content, never a mix', () => {
    const root = join(base, 'state');
    setup('state-setup', root);
    const old = readFileSync(join(root, 'settings.json'), 'utf8');
    const fresh = `${JSON.stringify({ version: 'new', pad: 'n'.repeat(9000) })}\n`;
    const e = explore('state files', root, [join(fixtures, 'workload.mjs'), lib, 'state-run', root], 'state', () => ({ old, new: fresh }));
    expect(e.failures.slice(0, 5)).toEqual([]);
  });

  test('negative controls: the checker catches a settings file rewritten in place (R3) and a checkpoint renamed in without fsync', () => {
    let root = join(base, 'inplace');
    setup('state-setup', root);
    const old = readFileSync(join(root, 'settings.json'), 'utf8');
    const fresh = `${JSON.stringify({ version: 'new', pad: 'n'.repeat(9000) })}\n`;
    let e = explore('control: in-place rewrite', root, [join(fixtures, 'workload.mjs'), lib, 'state-run-inplace', root], 'state', () => ({ old, new: fresh }));
    expect(e.failures.map((f) => f.why)).toContain('settings.json is neither the old nor the new content (0 bytes)');
    root = join(base, 'nofsync');
    setup('ckpt-setup', root);
    e = explore('control: no fsync', root, [join(fixtures, 'workload.mjs'), lib, 'ckpt-run-nofsync', root], 'checkpoint', () => ({}));
    expect(e.failures.some((f) => /n\.2 is visible but does not validate/.test(f.why))).toBe(true);
    expect(e.failures.some((f) => /neither the old checkpoint/.test(f.why))).toBe(true);
  });

  test('hogwild supervised -resume: model, checkpoints, manifest and settings survive any crash; resume picks a whole checkpoint', () => {
    const root = join(base, 'cli');
    mkdirSync(root, { recursive: true });
    const train = join(base, 'train.txt');
    writeCorpus(train, join(base, 'test.txt'), { seed: 9, train: 300, test: 10, classes: 3 });
    const cli = join(dirname(lib), 'cli', 'main.js');
    const args = ['supervised', '-input', train, '-output', join(root, 'm'), '-dim', '4', '-bucket', '64', '-thread', '1', '-no-progress', '-no-charts', '-verbose', '0'];
    const first = spawnSync(process.execPath, [cli, ...args, '-epoch', '2'], { encoding: 'utf8', env: childEnv() });
    expect(first.status, first.stderr).toBe(0);
    const e = explore('hogwild supervised -resume', root, [cli, ...args, '-epoch', '3', '-resume'], 'cli', () => ({ oldEpoch: 2, newEpoch: 3, dim: 4 }));
    expect(e.ops).toBeGreaterThan(20);
    expect(e.failures.slice(0, 5)).toEqual([]);
  });
});
