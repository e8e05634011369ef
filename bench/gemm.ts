/**
 * Single-thread sgemm benchmark: our GEMM at every SIMD level this machine
 * runs, the measured FMA peak of each level, and OpenBLAS sgemm through
 * Debian's numpy in the same run (bench/peers/numpy_sgemm.py), with ratios.
 *
 * Shapes: FC forward and its two gradient GEMMs at the MLP sizes, and 1024³,
 * with the operand layouts the FC ops use (W is read transposed).
 *
 *   npx tsc -p bench/tsconfig.json
 *   HOGWILD_NATIVE_PATH=$PWD/build/Release/hogwild.node node dist-bench/bench/gemm.js [--quick] [--cpu-time]
 *
 * OpenBLAS runs with OPENBLAS_NUM_THREADS=1 and without OPENBLAS_CORETYPE /
 * OPENBLAS_L2_SIZE (they slow a current numpy). When its own CPU detection
 * falls back to a generic kernel on this CPU, it is also run with each
 * OPENBLAS_CORETYPE in HOGWILD_BENCH_OPENBLAS_CORETYPES (default
 * "SkylakeX,Cooperlake" on AVX-512 machines) and the best is the reference.
 * Timings are best-of-rounds, and everything is measured twice, interleaved
 * (ours, peers, ours, peers), keeping the best: other work on the machine only
 * ever slows a run down.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { native } from '../lib/native/binding.js';
import type { SimdLevel } from '../lib/native/kernelTypes.js';

interface Shape {
  name: string;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
}

const shapes: Shape[] = [
  { name: 'FC fwd  64×784·784×256 (X·Wᵀ)', m: 64, n: 256, k: 784, transB: true },
  { name: 'FC dW   784×64·64×256 (Xᵀ·dY)', m: 784, n: 256, k: 64, transA: true },
  { name: 'FC fwd  64×256·256×10 (X·Wᵀ)', m: 64, n: 10, k: 256, transB: true },
  { name: '1024³ (A·B)', m: 1024, n: 1024, k: 1024 },
];

const quick = process.argv.includes('--quick');
// --cpu-time: GFLOPS from the thread's CPU time instead of wall time, for a
// machine other work shares (time the core ran something else is not counted).
const cpuTime = process.argv.includes('--cpu-time');
const metric = cpuTime ? 'gflopsCpu' : 'gflops';
const rounds = quick ? 3 : 9;
const minSeconds = quick ? 0.02 : 0.05;

interface PeerRun {
  coretype: string;
  architecture: string;
  version: string;
  gflops: number[];
}

function runPeer(coretype: string): PeerRun | null {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist-bench/bench/gemm.js or bench/gemm.ts: the peer lives in the source tree.
  const root = here.includes('dist-bench') ? join(here, '..', '..') : join(here, '..');
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  const r = spawnSync(
    '/usr/bin/python3',
    [join(root, 'bench', 'peers', 'numpy_sgemm.py'), JSON.stringify(shapes), String(minSeconds)],
    { env, encoding: 'utf8' },
  );
  if (r.status !== 0) {
    process.stderr.write(`numpy peer failed (${coretype || 'default'}): ${r.stderr || r.error}\n`);
    return null;
  }
  const out = JSON.parse(r.stdout) as {
    blas: { architecture?: string; version?: string }[];
    results: { gflops: number; gflopsCpu: number }[];
  };
  return {
    coretype: coretype || '(auto)',
    architecture: out.blas[0]?.architecture ?? '?',
    version: out.blas[0]?.version ?? '?',
    gflops: out.results.map((x) => x[metric]),
  };
}

function main(): void {
  const b = native();
  const info = b.simdInfo();
  const levels: SimdLevel[] = info.supported.filter((l) => info.compiledWith.includes(l));
  const ours = (): Record<string, number[]> => {
    const res: Record<string, number[]> = {};
    for (const isa of levels) {
      res[isa] = shapes.map((s) => {
        const slow = isa === 'scalar' && s.m * s.n * s.k > 1e8;
        return b.benchGemm({ ...s, isa, rounds: slow ? 1 : rounds, minSeconds: slow ? 0 : minSeconds })[metric];
      });
    }
    return res;
  };

  // Two passes of everything, interleaved (ours, peers, ours, peers); the best
  // of each is kept, so a burst of other work on the machine hurts neither side.
  const peaks: Record<string, number> = {};
  for (const isa of levels) peaks[isa] = b.fmaPeak({ isa, rounds, minSeconds })[metric];
  const first = ours();
  const auto = runPeer('');
  const generic = !auto || /prescott|nehalem|core2|atom|generic|katmai|banias/i.test(auto.architecture);
  const extra = process.env.HOGWILD_BENCH_OPENBLAS_CORETYPES ?? (info.supported.includes('avx512') ? 'SkylakeX,Cooperlake' : '');
  const coretypes = ['', ...(generic ? extra.split(',').filter(Boolean) : [])];
  const peerPass = (): (PeerRun | null)[] => coretypes.map((ct) => (ct === '' && auto && !peersDone ? auto : runPeer(ct)));
  let peersDone = false;
  const p1 = peerPass();
  peersDone = true;
  const second = ours();
  const p2 = peerPass();
  const peers: PeerRun[] = [];
  p1.forEach((a, i) => {
    const c = p2[i];
    if (a && c) peers.push({ ...a, gflops: a.gflops.map((g, j) => Math.max(g, c.gflops[j]!)) });
    else if (a ?? c) peers.push((a ?? c)!);
  });
  for (const isa of levels) peaks[isa] = Math.max(peaks[isa]!, b.fmaPeak({ isa, rounds, minSeconds })[metric]);
  const best: Record<string, number[]> = {};
  for (const isa of levels) best[isa] = first[isa]!.map((g, i) => Math.max(g, second[isa]![i]!));
  const ref = shapes.map((_, i) => Math.max(0, ...peers.map((p) => p.gflops[i]!)));

  const f1 = (x: number): string => x.toFixed(1);
  const lines: string[] = [];
  lines.push(`SIMD: active ${info.active}, supported ${info.supported.join('/')}; single thread; best of ${rounds} rounds; ${cpuTime ? 'thread CPU time' : 'wall time'}`);
  lines.push(`FMA peak (GFLOPS): ${levels.map((l) => `${l} ${f1(peaks[l]!)}`).join(', ')}`);
  for (const p of peers)
    lines.push(`OpenBLAS ${p.version} via numpy, OPENBLAS_CORETYPE=${p.coretype} -> kernel ${p.architecture}`);
  lines.push('');
  const header = ['shape', ...levels.map((l) => `${l} GFLOPS (% peak)`), ...peers.map((p) => `OpenBLAS ${p.architecture}`), 'best ours / best OpenBLAS'];
  lines.push(`| ${header.join(' | ')} |`);
  lines.push(`|${header.map(() => '---').join('|')}|`);
  shapes.forEach((s, i) => {
    const top = levels[levels.length - 1]!;
    const cells = [
      s.name,
      ...levels.map((l) => `${f1(best[l]![i]!)} (${((100 * best[l]![i]!) / peaks[l]!).toFixed(0)}%)`),
      ...peers.map((p) => f1(p.gflops[i]!)),
      ref[i]! > 0 ? `${(best[top]![i]! / ref[i]!).toFixed(2)}×` : 'n/a',
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  });
  process.stdout.write(lines.join('\n') + '\n');

  const outDir = join(process.cwd(), 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'gemm.json'),
    JSON.stringify({ info, peaks, shapes, ours: best, peers, date: new Date().toISOString() }, null, 2),
  );
}

main();
