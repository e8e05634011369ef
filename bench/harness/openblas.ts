/**
 * The OpenBLAS kernel (OPENBLAS_CORETYPE) that runs the MLP's GEMMs fastest on
 * this CPU, measured the way the GEMM suite measures OpenBLAS (the same
 * numpy_sgemm.py, one thread): OpenBLAS's own pick, then the core types in
 * HOGWILD_BENCH_OPENBLAS_CORETYPES (default SkylakeX,Cooperlake on AVX-512
 * machines, where a generic pick is common). The GEMM suite records its own
 * measurement of the same thing (recordOpenblasCoretypes), which the MLP suite
 * then reuses; otherwise the choice is measured here and cached per CPU model.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { peerPython } from '../peers/python.js';
import { repoRoot } from './paths.js';

export interface CoretypeTry {
  /** '' is OpenBLAS's own choice. */
  coretype: string;
  architecture: string;
  gflops: number;
}

export interface CoretypeChoice {
  /** The OPENBLAS_CORETYPE to set, or undefined when OpenBLAS's own pick won. */
  coretype?: string;
  architecture: string;
  tried: CoretypeTry[];
}

/** MLP shapes: forward 64×784·784×256 and the weight gradient 784×64·64×256. */
const SHAPES = [
  { m: 64, n: 256, k: 784, transB: true },
  { m: 784, n: 256, k: 64, transA: true },
];

function hasAvx512(): boolean {
  try {
    return /\bavx512f\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

function measure(python: string, coretype: string, minSeconds: number): CoretypeTry | undefined {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  const script = join(repoRoot(), 'bench', 'peers', 'numpy_sgemm.py');
  const r = spawnSync(python, [script, JSON.stringify(SHAPES), String(minSeconds)], { env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return undefined;
  const out = JSON.parse(r.stdout) as { blas: { architecture?: string }[]; results: { gflops: number }[] };
  const gflops = out.results.reduce((s, x) => s + x.gflops, 0) / out.results.length;
  return { coretype, architecture: out.blas[0]?.architecture ?? '?', gflops };
}

function candidates(): string[] {
  return (process.env.HOGWILD_BENCH_OPENBLAS_CORETYPES ?? (hasAvx512() ? 'SkylakeX,Cooperlake' : '')).split(',').filter(Boolean);
}

function cacheKey(): string {
  return `${cpus()[0]?.model ?? '?'}|${candidates().join(',')}`;
}

function choose(tried: CoretypeTry[]): CoretypeChoice {
  const best = tried.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { ...(best.coretype ? { coretype: best.coretype } : {}), architecture: best.architecture, tried };
}

/**
 * Records what the GEMM suite measured (its OpenBLAS runs, one per core type
 * tried, GFLOP/s over the MLP's shapes), so the MLP suite reuses it.
 */
export function recordOpenblasCoretypes(cacheDir: string, tried: CoretypeTry[]): void {
  if (tried.length === 0) return;
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, 'openblas-coretype.json'), `${JSON.stringify({ key: cacheKey(), source: 'gemm suite', choice: choose(tried) }, null, 2)}\n`);
}

/** The fastest core type (from the GEMM suite's run or cached in `cacheDir`), or undefined when numpy/OpenBLAS cannot run here. */
export function bestOpenblasCoretype(o: { cacheDir: string; quick: boolean; log(m: string): void }): CoretypeChoice | undefined {
  const key = cacheKey();
  const file = join(o.cacheDir, 'openblas-coretype.json');
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { key: string; choice: CoretypeChoice };
    if (cached.key === key) return cached.choice;
  }
  const python = peerPython();
  if (!python) return undefined;
  const tried = ['', ...candidates()].map((c) => measure(python, c, o.quick ? 0.01 : 0.05)).filter((t): t is CoretypeTry => t !== undefined);
  if (tried.length === 0) return undefined;
  const choice = choose(tried);
  o.log(`OpenBLAS core type: ${tried.map((t) => `${t.coretype || '(auto)'}→${t.architecture} ${t.gflops.toFixed(0)} GFLOP/s`).join(', ')}; using ${choice.coretype ?? 'its own pick'}`);
  mkdirSync(o.cacheDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify({ key, choice }, null, 2)}\n`);
  return choice;
}
