// Checkpoint files through the public API: round trips of every blob kind,
// the all-or-nothing load, typed errors, temp sweeping and retention.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import {
  applyRetention,
  CheckpointCorruptError,
  CheckpointIOError,
  inspectCheckpoint,
  isValidCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  sweepTempFiles,
  Workspace,
} from '../../lib/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hw-ckpt-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function stringList(values: string[]) {
  const bytes = values.map((v) => Buffer.from(v));
  const out = Buffer.alloc(4 + 4 * bytes.length + bytes.reduce((n, b) => n + b.length, 0));
  out.writeUInt32LE(bytes.length, 0);
  let at = 4 + 4 * bytes.length;
  bytes.forEach((b, i) => {
    out.writeUInt32LE(b.length, 4 + 4 * i);
    b.copy(out, at);
    at += b.length;
  });
  return { dtype: 'uint8' as const, shape: [out.length], data: new Uint8Array(out) };
}

function model(): Workspace {
  const ws = new Workspace();
  ws.feed('w', { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
  ws.feed('step', { dtype: 'int64', shape: [1], data: new BigInt64Array([7n]) });
  ws.feed('mask', { dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) });
  ws.feed('d', { dtype: 'float64', shape: [], data: new Float64Array([0.5]) });
  ws.deserializeBlob('counter', 'counter', { dtype: 'int64', shape: [1], data: new BigInt64Array([3n]) });
  ws.deserializeBlob('names', 'stringList', stringList(['a', 'bé', '']));
  return ws;
}

const ALL = ['counter', 'd', 'mask', 'names', 'step', 'w'];

describe('save and load', () => {
  test('round trips tensors, counters and string lists', async () => {
    using ws = model();
    const path = join(dir, 'trainer_0.3');
    const { bytes } = await saveCheckpoint(ws, ALL, path, { epoch: 3, node: 'trainer_0', meta: { run: 'x' } });
    expect(bytes).toBe(readFileSync(path).length);
    const info = await inspectCheckpoint(path, { verifyData: true });
    expect(info.epoch).toBe(3);
    expect(info.node).toBe('trainer_0');
    expect(info.meta).toEqual({ run: 'x' });
    expect(info.blobs.map((b) => b.name).sort()).toEqual(ALL);
    expect(info.blobs.find((b) => b.name === 'counter')?.kind).toBe('counter');

    using fresh = new Workspace();
    const r = await loadCheckpoint(fresh, path, { epoch: 3, node: 'trainer_0' });
    expect(r.loaded.sort()).toEqual(ALL);
    expect(Array.from(fresh.fetch('w').data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fresh.fetch('w').shape).toEqual([2, 3]);
    expect(fresh.fetch('step').data[0]).toBe(7n);
    expect(Array.from(fresh.fetch('mask').data as Uint8Array)).toEqual([1, 0]);
    expect(fresh.fetch('d').shape).toEqual([]);
    expect(fresh.kind('counter')).toBe('counter');
    expect(fresh.serializeBlob('counter')?.data[0]).toBe(3n);
    expect(fresh.kind('names')).toBe('stringList');
    expect(Buffer.from(fresh.serializeBlob('names')!.data as Uint8Array)).toEqual(Buffer.from(stringList(['a', 'bé', '']).data));
  });

  test('partial loads skip missing names only when allowed', async () => {
    using ws = model();
    const path = join(dir, 'n.1');
    await saveCheckpoint(ws, ['w'], path, { epoch: 1, node: 'n' });
    using other = new Workspace();
    await expect(loadCheckpoint(other, path, { blobNames: ['w', 'zzz'] })).rejects.toMatchObject({ code: 'HOGWILD_CHECKPOINT_CORRUPT', reason: 'missing_blob' });
    expect(other.list()).toEqual([]);
    const r = await loadCheckpoint(other, path, { blobNames: ['w', 'zzz'], allowMissing: true });
    expect(r.loaded).toEqual(['w']);
  });

  test('a file saved for another epoch or node is refused by name checks', async () => {
    using ws = model();
    const path = join(dir, 'n.1');
    await saveCheckpoint(ws, ['w'], path, { epoch: 1, node: 'n' });
    await expect(loadCheckpoint(ws, path, { epoch: 2 })).rejects.toMatchObject({ reason: 'mismatch' });
    await expect(loadCheckpoint(ws, path, { node: 'm' })).rejects.toMatchObject({ reason: 'mismatch' });
  });

  test('a corrupt file leaves the workspace untouched', async () => {
    using ws = model();
    const path = join(dir, 'n.2');
    await saveCheckpoint(ws, ALL, path, { epoch: 2, node: 'n' });
    const bytes = readFileSync(path);
    bytes[bytes.length - 1]! ^= 0x40;
    writeFileSync(path, bytes);
    using target = new Workspace();
    target.feed('w', new Float32Array([42]));
    const err = await loadCheckpoint(target, path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointCorruptError);
    expect(err).toMatchObject({ code: 'HOGWILD_CHECKPOINT_CORRUPT', reason: 'tensor_checksum', path });
    expect((err as Error).stack).toContain('files.test.ts');
    expect(target.list()).toEqual(['w']);
    expect(Array.from(target.fetch('w').data as Float32Array)).toEqual([42]);
    expect(await isValidCheckpoint(path)).toBe(false);
  });

  test('I/O failures are CheckpointIOErrors with the errno code', async () => {
    using ws = model();
    const err = await saveCheckpoint(ws, ['w'], join(dir, 'missing', 'n.0'), { epoch: 0, node: 'n' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointIOError);
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'open', errno: -2 });
    await expect(loadCheckpoint(ws, join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
  });

  test('bad arguments are refused before anything happens', async () => {
    using ws = model();
    await expect(saveCheckpoint(ws, ['nope'], join(dir, 'n.0'), { epoch: 0, node: 'n' })).rejects.toMatchObject({ code: 'HOGWILD_MISSING_BLOB' });
    await expect(saveCheckpoint(ws, ['w'], join(dir, 'n.0'), { epoch: -1, node: 'n' })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    await expect(saveCheckpoint(ws, ['w'], join(dir, 'n.0'), { epoch: 1.5, node: 'n' })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    await expect(saveCheckpoint(ws, ['w'], '', { epoch: 0, node: 'n' })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    ws.dispose();
    await expect(saveCheckpoint(ws, ['w'], join(dir, 'n.0'), { epoch: 0, node: 'n' })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a save that cannot create its temp file keeps the old checkpoint', async () => {
    if (process.getuid?.() === 0) return; // root ignores directory permissions
    using ws = model();
    const path = join(dir, 'n.0');
    await saveCheckpoint(ws, ['w'], path, { epoch: 0, node: 'n' });
    const before = readFileSync(path);
    chmodSync(dir, 0o555);
    try {
      await expect(saveCheckpoint(ws, ALL, path, { epoch: 0, node: 'n' })).rejects.toMatchObject({ code: 'EACCES' });
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(readFileSync(path)).toEqual(before);
  });
});

describe('directory housekeeping', () => {
  test('sweeps temp files of dead writers only', () => {
    writeFileSync(join(dir, 'n.3.tmp-999999999-0123456789abcdef'), 'x'); // no such pid
    writeFileSync(join(dir, `n.3.tmp-${process.ppid}-0123456789abcdef`), 'x'); // alive
    writeFileSync(join(dir, 'n.3.tmp-0-0000000000000000'), 'x'); // fixed test name
    writeFileSync(join(dir, 'other.3.tmp-999999999-0123456789abcdef'), 'x'); // another node
    writeFileSync(join(dir, 'n.3.tmp-1-xyz'), 'x'); // not ours
    const removed = sweepTempFiles(dir, (f) => f.startsWith('n.')).map((p) => p.slice(dir.length + 1));
    expect(removed.sort()).toEqual(['n.3.tmp-0-0000000000000000', 'n.3.tmp-999999999-0123456789abcdef']);
    expect(readdirSync(dir).sort()).toEqual(['n.3.tmp-1-xyz', `n.3.tmp-${process.ppid}-0123456789abcdef`, 'other.3.tmp-999999999-0123456789abcdef'].sort());
  });

  test('retention keeps the newest N of our own files and never foreign ones', async () => {
    using ws = model();
    for (let e = 0; e < 6; e++) await saveCheckpoint(ws, ['w'], join(dir, `n.${e}`), { epoch: e, node: 'n' });
    writeFileSync(join(dir, 'n.1'), 'not a checkpoint'); // foreign content under our name
    writeFileSync(join(dir, 'n.2.bak'), 'copy');
    mkdirSync(join(dir, 'n.7'));
    writeFileSync(join(dir, 'm.0'), 'other node');
    const removed = await applyRetention(dir, 'n', 2, 5);
    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['n.0', 'n.2', 'n.3']);
    expect(readdirSync(dir).sort()).toEqual(['m.0', 'n.1', 'n.2.bak', 'n.4', 'n.5', 'n.7']);
    // The checkpoint just saved survives even when newer files exist.
    const again = await applyRetention(dir, 'n', 1, 4);
    expect(again.map((p) => p.slice(dir.length + 1))).toEqual([]);
  });
});
