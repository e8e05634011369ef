/**
 * SIMD dispatch seen from JS: simdInfo(), HOGWILD_SIMD lowering (never
 * raising) the level in fresh child processes, and the same plan of dense ops
 * giving the same results at every level this machine has.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

import { describe, expect, test } from 'vitest';

import { native, packageRoot } from '../../lib/native/binding.js';
import type { SimdLevel } from '../../lib/native/kernelTypes.js';

const require = createRequire(import.meta.url);
const order: SimdLevel[] = ['scalar', 'neon', 'avx2', 'avx512'];

/** The addon file this process loaded, for the children. */
function addonPath(): string {
  if (process.env.HOGWILD_NATIVE_PATH) return process.env.HOGWILD_NATIVE_PATH;
  const gypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  return gypBuild.resolve(packageRoot());
}

// Child: loads the addon, runs FC → Tanh → FC → SoftmaxWithLoss and its
// gradients (odd sizes, so SIMD tails run), prints simdInfo and the results.
const childScript = `
const b = require(process.env.HOGWILD_NATIVE_PATH);
const f32 = (n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k));
(async () => {
  const ws = b.createWorkspace();
  const N = 37, D = 53, H = 29, C = 11;
  ws.feed('X', 'float32', [N, D], f32(N * D, 1));
  ws.feed('W1', 'float32', [H, D], f32(H * D, 2).map((v) => v * 0.2));
  ws.feed('b1', 'float32', [H], f32(H, 3));
  ws.feed('W2', 'float32', [C, H], f32(C * H, 4).map((v) => v * 0.3));
  ws.feed('b2', 'float32', [C], f32(C, 5));
  ws.feed('L', 'int32', [N], Int32Array.from({ length: N }, (_, i) => (i * 7) % C));
  const fwd = [
    { type: 'FC', inputs: ['X', 'W1', 'b1'], outputs: ['Y1'] },
    { type: 'Tanh', inputs: ['Y1'], outputs: ['H1'] },
    { type: 'FC', inputs: ['H1', 'W2', 'b2'], outputs: ['Y2'] },
    { type: 'SoftmaxWithLoss', inputs: ['Y2', 'L'], outputs: ['P', 'loss'] },
  ];
  const ops = [...fwd, { type: 'ConstantFill', inputs: [], outputs: ['loss_grad'], args: { shape: [], value: 1, dtype: 'float32' } }];
  const grads = { loss: 'loss_grad', P: '' };
  for (const op of [...fwd].reverse()) {
    const g = b.gradientFor(op, op.outputs.map((o) => grads[o] ?? ''));
    ops.push(...g.ops);
    op.inputs.forEach((name, i) => { if (g.inputs[i].kind === 'dense') grads[name] = g.inputs[i].dense; });
  }
  const plan = b.compilePlan({ name: 'p', nets: [{ name: 'n', ops }], steps: [{ name: 's', nets: ['n'] }] });
  await ws.run(plan, b.createCancel());
  const out = { info: b.simdInfo() };
  for (const name of ['P', 'loss', 'W1_grad', 'b1_grad', 'W2_grad', 'X_grad']) out[name] = Array.from(ws.fetch(name).data);
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e.code, e.message); process.exit(1); });
`;

interface ChildOut {
  info: { active: SimdLevel; supported: SimdLevel[]; compiledWith: SimdLevel[] };
  [blob: string]: unknown;
}

function runChild(simd: string | undefined): ChildOut {
  const env = { ...process.env, HOGWILD_NATIVE_PATH: addonPath() };
  delete env.HOGWILD_SIMD;
  if (simd !== undefined) env.HOGWILD_SIMD = simd;
  const r = spawnSync(process.execPath, ['-e', childScript], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child (HOGWILD_SIMD=${simd}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildOut;
}

describe('simdInfo', () => {
  test('reports the active, supported and compiled levels', () => {
    const info = native().simdInfo();
    expect(info.supported[0]).toBe('scalar');
    expect(info.compiledWith[0]).toBe('scalar');
    expect(info.supported).toContain(info.active);
    expect(info.compiledWith).toContain(info.active);
    for (const list of [info.supported, info.compiledWith]) {
      const ranks = list.map((l) => order.indexOf(l));
      expect(ranks.every((r) => r >= 0)).toBe(true);
      expect([...ranks].sort((a, b) => a - b)).toEqual(ranks); // best last
    }
    if (!process.env.HOGWILD_SIMD) {
      const usable = info.supported.filter((l) => info.compiledWith.includes(l));
      expect(info.active).toBe(usable[usable.length - 1]);
    }
  });
});

describe('HOGWILD_SIMD', () => {
  const base = runChild(undefined);
  const best = base.info.active;

  test.each(['scalar', 'neon', 'avx2', 'avx512', 'sse9', ''])('HOGWILD_SIMD=%s lowers, never raises', (level) => {
    const out = runChild(level);
    const { active, supported } = out.info;
    expect(order.indexOf(active)).toBeLessThanOrEqual(order.indexOf(best));
    if (supported.includes(level as SimdLevel)) expect(active).toBe(order.indexOf(level as SimdLevel) <= order.indexOf(best) ? level : best);
    else if (order.includes(level as SimdLevel) && order.indexOf(level as SimdLevel) < order.indexOf(best)) expect(active).toBe('scalar');
    else expect(active).toBe(best);
  });

  test('the same plan agrees across every level this machine has', () => {
    const levels = base.info.supported.filter((l) => base.info.compiledWith.includes(l));
    const runs = levels.map((l) => runChild(l));
    runs.forEach((r, i) => expect(r.info.active).toBe(levels[i]));
    const ref = runs[0]!;
    for (const r of runs.slice(1))
      for (const blob of ['P', 'loss', 'W1_grad', 'b1_grad', 'W2_grad', 'X_grad']) {
        const a = ref[blob] as number[];
        const b = r[blob] as number[];
        expect(b.length).toBe(a.length);
        // FMA and summation order differ between levels: relative 1e-4.
        const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / (1e-3 + Math.abs(v))));
        expect(worst, `${blob} at ${r.info.active}`).toBeLessThan(1e-4);
      }
  });
});

describe('kernel benchmarks entry points', () => {
  test('benchGemm and fmaPeak time every supported level', () => {
    const b = native();
    for (const isa of b.simdInfo().supported) {
      const r = b.benchGemm({ isa, m: 17, n: 9, k: 33, transB: true, rounds: 1, minSeconds: 0 });
      expect(r.isa).toBe(isa);
      expect(r.gflops).toBeGreaterThan(0);
      expect(b.fmaPeak({ isa, rounds: 1, minSeconds: 0 }).gflops).toBeGreaterThan(0);
      expect(b.gemmTilePeak({ isa, rounds: 1, minSeconds: 0, tiles: 2, kc: 9 }).gflops).toBeGreaterThan(0);
    }
    expect(() => b.gemmTilePeak({ kc: 0 })).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
  });
  test('threads: the same measurement on several threads at once, a rate per thread', () => {
    const b = native();
    const g = b.benchGemm({ m: 33, n: 40, k: 20, rounds: 1, minSeconds: 0, threads: 3 });
    expect(g.perThread).toHaveLength(3);
    for (const x of g.perThread) expect(x).toBeGreaterThan(0);
    expect(g.gflops).toBeCloseTo(g.perThread.reduce((s, x) => s + x, 0) / 3, 6);
    const p = b.fmaPeak({ rounds: 1, minSeconds: 0, threads: 2 });
    expect(p.perThread).toHaveLength(2);
    expect(b.fmaPeak({ rounds: 1, minSeconds: 0 }).perThread).toHaveLength(1);
    expect(() => b.fmaPeak({ threads: 0 })).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
    expect(() => b.benchGemm({ m: 1, n: 1, k: 1, threads: 65 })).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
  });
  test('bad options are rejected with a code', () => {
    const b = native();
    expect(() => b.benchGemm({ m: 0, n: 1, k: 1 })).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
    expect(() => b.benchGemm({ m: 1.5, n: 1, k: 1 })).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
    expect(() => b.benchGemm({ isa: 'mmx' as SimdLevel, m: 1, n: 1, k: 1 })).toThrow(
      expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }),
    );
    const missing = (['neon', 'avx2', 'avx512'] as SimdLevel[]).find((l) => !b.simdInfo().supported.includes(l));
    if (missing)
      expect(() => b.fmaPeak({ isa: missing })).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
  });
});
