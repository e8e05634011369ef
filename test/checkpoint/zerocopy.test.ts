// Zero-copy loads: the file is mapped and validated in place (CRC32C over the
// mapping, pieces of large tensors on several threads), read-only tensors are
// served from the mapping, the others are copied in after validation, into
// the workspace's own memory when it holds a tensor of the same dtype and
// shape. Also the mapping's lifetime rules of docs/checkpoints.md.
import { mkdtempSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { CheckpointCorruptError, inspectCheckpoint, loadCheckpoint, saveCheckpoint, Workspace } from '../../lib/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hw-ckpt-zc-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function ramp(n: number, offset: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (i % 1000) * 0.5 + offset;
  return a;
}

async function saveModel(path: string, n: number, offset: number, epoch = 1) {
  using ws = new Workspace();
  ws.feed('w', { dtype: 'float32', shape: [n], data: ramp(n, offset) });
  ws.feed('b', { dtype: 'float32', shape: [4], data: new Float32Array([1, 2, 3, 4].map((x) => x + offset)) });
  ws.feed('flags', { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) } as never);
  return saveCheckpoint(ws, ['w', 'b', 'flags'], path, { epoch, node: 'n' });
}

function floats(ws: Workspace, name: string): Float32Array {
  const t = ws.fetch(name);
  return new Float32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength) as ArrayBuffer);
}

/** Byte offset of tensor `name`'s data in the file. */
function dataOffset(path: string, name: string): number {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString()) as Record<string, { data_offsets: [number, number] }>;
  return 8 + n + header[name]!.data_offsets[0];
}

function flipByte(path: string, at: number) {
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  const buf = readFileSync(path);
  b[0] = buf[at]! ^ 0x40;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
}

function scaleInPlace(ws: Workspace, name: string, scale: number) {
  return ws.run({
    name: 'scale',
    nets: [{ name: 'scale', ops: [{ type: 'Scale', inputs: [name], outputs: [name], args: { scale } }] }],
    steps: [{ name: 'scale', nets: ['scale'] }],
  });
}

describe('read-only tensors served from the mapping', () => {
  test('values match; deleting or replacing the file afterwards changes nothing loaded', async () => {
    const path = join(dir, 'n.1');
    await saveModel(path, 4096, 0);
    using ws = new Workspace();
    await loadCheckpoint(ws, path, { readOnly: true });
    expect(floats(ws, 'w')).toEqual(ramp(4096, 0));
    // Replaced by rename (what the writer does): the mapping still shows the old inode.
    const other = join(dir, 'other');
    await saveModel(other, 4096, 7);
    renameSync(other, path);
    expect(floats(ws, 'w')).toEqual(ramp(4096, 0));
    // Deleted: the inode lives as long as the mapping.
    unlinkSync(path);
    expect(floats(ws, 'w')).toEqual(ramp(4096, 0));
    expect(floats(ws, 'b')).toEqual(new Float32Array([1, 2, 3, 4]));
  });

  test('an op writing a read-only tensor changes the workspace, never the file', async () => {
    const path = join(dir, 'n.1');
    await saveModel(path, 4096, 0);
    const before = readFileSync(path);
    using ws = new Workspace();
    await loadCheckpoint(ws, path, { readOnly: ['w'] });
    await scaleInPlace(ws, 'w', 2);
    expect(floats(ws, 'w')).toEqual(ramp(4096, 0).map((x) => x * 2));
    expect(readFileSync(path).equals(before)).toBe(true);
    expect((await inspectCheckpoint(path, { verifyData: true })).epoch).toBe(1);
    // A second load of the same file sees the file's values, not the private copy.
    using ws2 = new Workspace();
    await loadCheckpoint(ws2, path, { readOnly: true });
    expect(floats(ws2, 'w')).toEqual(ramp(4096, 0));
  });

  test('readOnly is checked', async () => {
    const path = join(dir, 'n.1');
    await saveModel(path, 16, 0);
    using ws = new Workspace();
    await expect(loadCheckpoint(ws, path, { readOnly: 'yes' as never })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    await expect(loadCheckpoint(ws, path, { readOnly: [3] as never })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
  });
});

describe('copies into memory the workspace owns', () => {
  test('a resume into a workspace of the same shapes overwrites its tensors with the file values', async () => {
    const path = join(dir, 'n.1');
    await saveModel(path, 4096, 3);
    using ws = new Workspace();
    ws.feed('w', { dtype: 'float32', shape: [4096], data: new Float32Array(4096) });
    ws.feed('b', { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) }); // other shape: fresh memory
    await loadCheckpoint(ws, path);
    expect(floats(ws, 'w')).toEqual(ramp(4096, 3));
    expect(floats(ws, 'b')).toEqual(new Float32Array([4, 5, 6, 7]));
    expect(ws.fetch('b').shape).toEqual([4]);
    // The loaded tensors are the workspace's own: writing them leaves the file alone.
    const before = readFileSync(path);
    await scaleInPlace(ws, 'w', 3);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test('all or nothing: a bad CRC in the last tensor leaves the same-shape tensors untouched', async () => {
    const path = join(dir, 'n.1');
    await saveModel(path, 4096, 3);
    flipByte(path, dataOffset(path, 'flags') + 1);
    using ws = new Workspace();
    const zeros = new Float32Array(4096).fill(9);
    ws.feed('w', { dtype: 'float32', shape: [4096], data: zeros });
    const err = await loadCheckpoint(ws, path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointCorruptError);
    expect((err as CheckpointCorruptError).reason).toBe('tensor_checksum');
    expect(floats(ws, 'w')).toEqual(zeros);
    expect(ws.has('b')).toBe(false);
  });

  test('peak memory: a load into same-shape tensors maps no fresh pages, a load into an empty workspace does', async (ctx) => {
    const peak = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
    try {
      writeFileSync('/proc/self/clear_refs', '5');
    } catch {
      console.warn('zerocopy.test: /proc/self/clear_refs is not writable here; peak-memory check skipped');
      ctx.skip();
    }
    const n = 16 << 20; // 64 MiB of float32
    const path = join(dir, 'n.1');
    await saveModel(path, n, 1);
    const measure = async (prepare: (ws: Workspace) => void) => {
      using ws = new Workspace();
      prepare(ws);
      writeFileSync('/proc/self/clear_refs', '5');
      const base = peak();
      await loadCheckpoint(ws, path);
      const extra = peak() - base;
      expect(floats(ws, 'w').subarray(0, 1000)).toEqual(ramp(1000, 1));
      return extra;
    };
    const fresh = await measure(() => {});
    const inPlace = await measure((ws) => ws.feed('w', { dtype: 'float32', shape: [n], data: new Float32Array(n) }));
    // Both map the file (64 MiB of page cache); only the fresh load adds 64 MiB of new memory.
    expect(fresh - inPlace).toBeGreaterThan(40);
  });
});

describe('parallel validation of large files', () => {
  test('an 80 MiB tensor (CRC of 8 MiB pieces on several threads, then combined) loads; one flipped byte in its middle does not', async () => {
    const n = 20 << 20;
    const path = join(dir, 'n.1');
    await saveModel(path, n, 0.25);
    using ws = new Workspace();
    await loadCheckpoint(ws, path, { readOnly: true });
    const w = floats(ws, 'w');
    expect(w[n - 1]).toBe(((n - 1) % 1000) * 0.5 + 0.25);
    expect(w.subarray(0, 2000)).toEqual(ramp(2000, 0.25));
    expect((await inspectCheckpoint(path, { verifyData: true })).fileBytes).toBeGreaterThan(n * 4);
    flipByte(path, dataOffset(path, 'w') + 5 * (8 << 20) + 12345);
    using ws2 = new Workspace();
    await expect(loadCheckpoint(ws2, path, { readOnly: true })).rejects.toMatchObject({ reason: 'tensor_checksum' });
    expect(ws2.has('w')).toBe(false);
  });
});
