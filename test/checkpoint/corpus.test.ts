// Replays test/checkpoint/corpus/: every hand-made bad file must be rejected
// with its reason, quickly, leaving the workspace untouched; valid files
// (written by the independent JS writer, stformat.mjs) must load with their
// values; minimized fuzzer finds (crash-*) must be handled cleanly.
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { CheckpointCorruptError, inspectCheckpoint, loadCheckpoint, Workspace } from '../../lib/index.js';

const corpus = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as Record<string, string>;
const files = readdirSync(corpus).filter((f) => f.endsWith('.bin') || f.startsWith('crash-'));

async function attempt(path: string) {
  using ws = new Workspace();
  ws.feed('sentinel', new Float32Array([1, 2]));
  // CPU time of this process (the loader thread included), not wall time: the
  // bound is about the work a bad file costs, not about a busy machine.
  const t0 = process.cpuUsage();
  let error: unknown;
  try {
    await loadCheckpoint(ws, path);
  } catch (e) {
    error = e;
  }
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  return { error, ms, names: ws.list(), sentinel: Array.from(ws.fetch('sentinel').data as Float32Array) };
}

describe('malformed checkpoint corpus', () => {
  beforeAll(async () => {
    await attempt(join(corpus, 'valid.bin')); // first native call: threads, JIT
  });

  test('the manifest lists every hand-made file', () => {
    for (const f of files) if (!f.startsWith('crash-')) expect(manifest[f], f).toBeDefined();
    expect(Object.keys(manifest).length).toBeGreaterThanOrEqual(60);
  });

  test.each(files)('%s', async (file) => {
    const path = join(corpus, file);
    const want = manifest[file];
    const r = await attempt(path);
    expect(r.ms).toBeLessThan(50);
    if (want === 'valid') {
      expect(r.error).toBeUndefined();
      expect(r.names).toEqual(['b', 'c', 'sentinel', 'w']);
      return;
    }
    if (want === undefined) {
      // A fuzzer find: a clean rejection or a clean load are both fine.
      if (r.error !== undefined) expect(r.error).toBeInstanceOf(CheckpointCorruptError);
      return;
    }
    expect(r.error, `${file} was accepted`).toBeInstanceOf(CheckpointCorruptError);
    expect((r.error as CheckpointCorruptError).reason).toBe(want);
    expect((r.error as CheckpointCorruptError).code).toBe('HOGWILD_CHECKPOINT_CORRUPT');
    expect((r.error as Error).message).toContain(path);
    expect(r.names).toEqual(['sentinel']);
    expect(r.sentinel).toEqual([1, 2]);
  });

  test('valid files carry the values the JS writer put in', async () => {
    using ws = new Workspace();
    await loadCheckpoint(ws, join(corpus, 'valid.bin'), { epoch: 3, node: 'node' });
    expect(Array.from(ws.fetch('w').data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(ws.fetch('b').data[0]).toBe(42n);
    expect(ws.kind('c')).toBe('counter');
    expect(ws.serializeBlob('c')?.data[0]).toBe(7n);
    const info = await inspectCheckpoint(join(corpus, 'valid-extra-meta.bin'), { verifyData: true });
    expect(info.meta).toEqual({ k: 'v' });
  });
});

describe('files that are not regular files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-ckpt-nonreg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a symlink, a directory and a device are refused', async () => {
    copyFileSync(join(corpus, 'valid.bin'), join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    mkdirSync(join(dir, 'sub'));
    for (const p of [join(dir, 'link'), join(dir, 'sub'), '/dev/zero']) {
      const r = await attempt(p);
      expect(r.error, p).toBeInstanceOf(CheckpointCorruptError);
      expect((r.error as CheckpointCorruptError).reason).toBe('not_regular_file');
    }
  });
});
