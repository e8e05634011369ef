// Bit-flip and truncation sweep (docs/reliability.md §6): every header bit,
// 2,000 random payload bits, 64 truncation points. Each variant is rejected
// with a CheckpointCorruptError or loads values equal to the original; none
// is ever accepted with different values.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { CheckpointCorruptError, loadCheckpoint, saveCheckpoint, Workspace } from '../../lib/index.js';
import { mulberry32 } from '../../lib/util/prng.js';

let dir: string;
let small: Buffer;
let large: Buffer;
const NAMES = ['counter', 'd', 'w'];

function snapshot(ws: Workspace): string {
  return JSON.stringify(
    ws.list().map((n) => {
      if (ws.kind(n) === 'tensor') {
        const t = ws.fetch(n);
        return [n, t.dtype, t.shape, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex')];
      }
      const s = ws.serializeBlob(n)!;
      return [n, ws.kind(n), Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength).toString('hex')];
    }),
  );
}

let smallSnapshot: string;
let largeSnapshot: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hw-ckpt-flip-'));
  using ws = new Workspace();
  ws.feed('w', { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
  ws.feed('d', { dtype: 'float64', shape: [1], data: new Float64Array([0.25]) });
  ws.deserializeBlob('counter', 'counter', { dtype: 'int64', shape: [1], data: new BigInt64Array([9n]) });
  await saveCheckpoint(ws, NAMES, join(dir, 'small'), { epoch: 1, node: 'n' });
  small = readFileSync(join(dir, 'small'));
  smallSnapshot = snapshot(ws);
  const big = new Float32Array(16384);
  for (let i = 0; i < big.length; i++) big[i] = Math.sin(i);
  using ws2 = new Workspace();
  ws2.feed('big', { dtype: 'float32', shape: [128, 128], data: big });
  await saveCheckpoint(ws2, ['big'], join(dir, 'large'), { epoch: 1, node: 'n' });
  large = readFileSync(join(dir, 'large'));
  largeSnapshot = snapshot(ws2);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 'rejected:<reason>' or 'equal'; throws when accepted with other values. */
async function outcome(bytes: Buffer, original: string): Promise<string> {
  const path = join(dir, 'variant');
  writeFileSync(path, bytes);
  using ws = new Workspace();
  try {
    await loadCheckpoint(ws, path);
  } catch (err) {
    if (err instanceof CheckpointCorruptError) return `rejected:${err.reason}`;
    throw err;
  }
  const got = snapshot(ws);
  if (got !== original) throw new Error('a damaged checkpoint was accepted with different values');
  return 'equal';
}

describe('bit flips and truncations', () => {
  test('every bit of the header', async () => {
    const n = 8 + Number(small.readBigUInt64LE(0));
    const reasons = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const v = Buffer.from(small);
        v[i]! ^= 1 << bit;
        const o = await outcome(v, smallSnapshot);
        reasons.set(o, (reasons.get(o) ?? 0) + 1);
      }
    }
    expect(reasons.get('equal') ?? 0).toBe(0);
    expect(reasons.get("rejected:header_checksum")).toBeGreaterThan(0);
  });

  test('2,000 random payload bits', async () => {
    const start = 8 + Number(large.readBigUInt64LE(0));
    const rand = mulberry32(12345);
    for (let k = 0; k < 2000; k++) {
      const at = start + Math.floor(rand() * (large.length - start));
      const v = Buffer.from(large);
      v[at]! ^= 1 << (k % 8);
      expect(await outcome(v, largeSnapshot)).toBe('rejected:tensor_checksum');
    }
  });

  test('64 truncation points', async () => {
    for (let k = 0; k < 64; k++) {
      const len = Math.floor((k * large.length) / 64);
      expect(await outcome(large.subarray(0, len), largeSnapshot)).toBe('rejected:truncated');
    }
    for (let len = 0; len < small.length; len += 7) {
      expect(await outcome(small.subarray(0, len), smallSnapshot)).toMatch(/^rejected:(truncated|header_size)$/);
    }
  });
});
