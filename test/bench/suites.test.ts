import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { run as gemm } from '../../bench/gemm.js';
import { mlpSuite } from '../../bench/harness/mlpSuite.js';
import { loadSuiteModule } from '../../bench/harness/modules.js';
import { SuiteUnavailable } from '../../bench/harness/types.js';
import { run as sparse, type SparseOutput, sparseRows } from '../../bench/sparse.js';

const scratch = mkdtempSync(join(tmpdir(), 'suites-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const quiet = () => {};

/** Runs `f` with some environment variables replaced, restoring them after. */
async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('gemm and sparse are suite modules (export run, no side effects on import)', async () => {
  for (const name of ['gemm', 'sparse']) expect((await loadSuiteModule(name)).ok).toBe(true);
});

describe('gemm', () => {
  test('quick: a row per level and shape, the FMA peaks; numpy not installed is a skipped row', async () => {
    const rows = await withEnv({ HOGWILD_BENCH_PYTHON: join(scratch, 'no-python') }, () => gemm({ quick: true, log: quiet }));
    const cases = [...new Set(rows.map((r) => r.case))];
    expect(cases).toContain('FMA peak, 1 core');
    expect(cases).toContain('FMA peak, 2 cores at once');
    expect(cases).toContain('GEMM register tile alone (A from L2, B in L1)');
    for (const c of cases) {
      const ours = rows.find((r) => r.case === c && r.impl === 'hogwild')!;
      expect(ours.metrics['GFLOP/s']).toBeGreaterThan(0);
      for (const r of rows.filter((x) => x.case === c)) expect(r.impl).toMatch(/^(hogwild( (scalar|avx2|avx512|neon))?|numpy)$/);
      if (c === 'FMA peak, 1 core') continue;
      expect(ours.metrics['% of FMA peak']).toBeGreaterThan(0);
      if (c.endsWith(', 2 cores at once') || c.startsWith('GEMM register tile')) {
        // Diagnostics of ours only: both cores at once (per core against 1 core), the tile alone (per level).
        if (c.endsWith(', 2 cores at once')) expect(ours.metrics['% of 1 core']).toBeGreaterThan(0);
        expect(rows.filter((r) => r.case === c && r.impl === 'numpy')).toHaveLength(0);
        continue;
      }
      expect(rows.find((r) => r.case === c && r.impl === 'numpy')!.skipped).toMatch(/^not installed: .*no-python is not executable/);
    }
  }, 60_000);
});

describe('sparse', () => {
  test('without cmake the suite is unavailable, not failed', async () => {
    const err = await withEnv({ PATH: mkdtempSync(join(scratch, 'bin-')) }, () => sparse({ quick: true, log: quiet }).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(SuiteUnavailable);
    expect((err as Error).message).toMatch(/cmake/);
  });

  test('rows: plain vs relaxed builds side by side, kernels from the plain build only', () => {
    const result = (name: string, kind: 'op' | 'kernel', variant: 'plain' | 'relaxed' | 'scalar', threads = 1, dim = 16) => ({
      dim, name, kind, variant, threads, label: name, items: 1e6, bytes: 68e6, seconds: 0.01, rowsPerSec: 1e8, GBs: 6.8, ofReadBound: 0.85,
    });
    const output = (build: 'plain' | 'relaxed', results: SparseOutput['results']): SparseOutput => ({
      rows: 65536, indices: 262140, segmentLength: 20, isa: 'avx2', build, reps: 2, boundMiB: 256,
      readGBs: 8, copyGBs: 16, lineReadsPerSec: { 16: 5e8, 64: 1.5e8 }, results,
    });
    const rows = sparseRows([
      output('plain', [
        result('SparseLengthsSum', 'op', 'plain'),
        result('gatherSum', 'kernel', 'plain'), result('gatherSum', 'kernel', 'relaxed'), result('gatherSum', 'kernel', 'scalar'),
        result('sparseAdagrad', 'kernel', 'plain', 2),
        result('SparseLengthsSum', 'op', 'plain', 1, 64),
      ]),
      output('relaxed', [
        result('SparseLengthsSum', 'op', 'relaxed'), result('gatherSum', 'kernel', 'plain'),
        result('SparseLengthsSum', 'op', 'relaxed', 1, 64),
      ]),
    ]);
    expect(rows.map((r) => `${r.case} | ${r.impl}`)).toEqual([
      'dim 16 · SparseLengthsSum op | hogwild',
      'dim 16 · SparseLengthsSum op | hogwild relaxed',
      'dim 16 · gatherSum kernel | hogwild',
      'dim 16 · gatherSum kernel | hogwild relaxed',
      'dim 16 · gatherSum kernel | hogwild scalar',
      'dim 16 · sparseAdagrad kernel · 2 threads | hogwild',
      'dim 64 · SparseLengthsSum op | hogwild',
      'dim 64 · SparseLengthsSum op | hogwild relaxed',
    ]);
    expect(rows[0]).toMatchObject({
      primary: 'rows/s',
      metrics: { 'rows/s': 1e8, 'GB/s': 6.8, '% of read bound': 85, 'read bound GB/s': 8, 'line-read bound rows/s': 5e8 },
    });
    expect(rows[1]!.note).toMatch(/relaxed build/);
  });
});

test('mlp without Fashion-MNIST: every row says "not installed", and the suite does not fail', async () => {
  const rows = await withEnv({ HOGWILD_BENCH_FASHION_MNIST: join(scratch, 'no-dataset') }, () =>
    mlpSuite.run({ quick: true, repeat: 1, outDir: scratch, cacheDir: scratch, log: quiet }));
  expect(rows.map((r) => `${r.case}/${r.impl}`)).toEqual(['1 thread/hogwild', '1 thread/pytorch', '2 threads/hogwild', '2 threads/pytorch', '2 threads/pytorch hogwild']);
  for (const r of rows) expect(r.skipped).toMatch(/^not installed: no Fashion-MNIST in .*no-dataset/);
});
