// A checkpoint written by hogwild is read by Python with only the standard
// library (struct + json), by numpy and torch where installed, and by the
// safetensors package where installed (it is not on the dev machine: skipped),
// giving the same values. Also: the JS reader of stformat.mjs agrees.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { saveCheckpoint, Workspace } from '../../lib/index.js';
import { readCheckpoint } from './stformat.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
let dir: string;
let path: string;
const expected: Record<string, { dtype: string; shape: number[]; values: number[] | boolean[] }> = {};

function random32(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 1000;
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hw-ckpt-interop-'));
  path = join(dir, 'trainer_0.4');
  using ws = new Workspace();
  const w = random32(3 * 5, 7);
  ws.feed('fc/w', { dtype: 'float32', shape: [3, 5], data: w });
  expected['fc/w'] = { dtype: 'F32', shape: [3, 5], values: Array.from(w) };
  ws.feed('fc/b', { dtype: 'float64', shape: [3], data: new Float64Array([0.1, -2.5e-300, 1e300]) });
  expected['fc/b'] = { dtype: 'F64', shape: [3], values: [0.1, -2.5e-300, 1e300] };
  ws.feed('ids', { dtype: 'int32', shape: [2, 2], data: new Int32Array([-1, 2, 2147483647, -2147483648]) });
  expected['ids'] = { dtype: 'I32', shape: [2, 2], values: [-1, 2, 2147483647, -2147483648] };
  ws.feed('step', { dtype: 'int64', shape: [], data: new BigInt64Array([123456789012n]) });
  expected['step'] = { dtype: 'I64', shape: [], values: [123456789012] };
  ws.feed('bytes', { dtype: 'uint8', shape: [4], data: new Uint8Array([0, 1, 128, 255]) });
  expected['bytes'] = { dtype: 'U8', shape: [4], values: [0, 1, 128, 255] };
  ws.feed('mask', { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) });
  expected['mask'] = { dtype: 'BOOL', shape: [3], values: [true, false, true] };
  ws.feed('nothing', { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) });
  expected['nothing'] = { dtype: 'F32', shape: [0, 4], values: [] };
  ws.deserializeBlob('epochs_left', 'counter', { dtype: 'int64', shape: [1], data: new BigInt64Array([5n]) });
  expected['epochs_left'] = { dtype: 'I64', shape: [1], values: [5] };
  await saveCheckpoint(ws, Object.keys(expected), path, { epoch: 4, node: 'trainer_0' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runReader(mode: string): Record<string, unknown> | undefined {
  const r = spawnSync(python, [join(here, 'read_checkpoint.py'), path, mode], { encoding: 'utf8', timeout: 120_000 });
  if (r.status === 3) return undefined; // library not installed
  if (r.error) {
    if ((r.error as { code?: string }).code === 'ENOENT') return undefined; // no python
    throw r.error;
  }
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function checkValues(got: Record<string, unknown> | undefined, mode: string) {
  if (!got) {
    console.warn(`interop: ${mode} reader skipped (not installed)`);
    return;
  }
  const meta = got.__metadata__ as Record<string, string>;
  expect(meta.format).toBe('hogwild');
  expect(meta.epoch).toBe('4');
  expect(meta.node).toBe('trainer_0');
  expect(meta['kind:epochs_left']).toBe('counter');
  for (const [name, want] of Object.entries(expected)) {
    expect(got[name], `${mode}: ${name}`).toEqual(want);
  }
}

describe('interop', () => {
  test('Python standard library (struct + json)', () => checkValues(runReader('stdlib'), 'stdlib'));
  test('numpy', () => checkValues(runReader('numpy'), 'numpy'));
  test('torch', () => checkValues(runReader('torch'), 'torch'));
  test('safetensors.torch.load_file', () => checkValues(runReader('safetensors'), 'safetensors'));

  test('the independent JS reader sees the same layout', () => {
    const { header, data, headerBytes } = readCheckpoint(readFileSync(path));
    expect((8 + headerBytes) % 8).toBe(0);
    const w = header['fc/w'];
    expect(w.dtype).toBe('F32');
    const [b, e] = w.data_offsets as [number, number];
    expect(b % 4).toBe(0);
    expect(Array.from(new Float32Array(data.buffer.slice(data.byteOffset + b, data.byteOffset + e)))).toEqual(expected['fc/w']!.values);
  });
});
