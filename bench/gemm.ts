/**
 * Single-thread sgemm benchmark: our GEMM at every SIMD level this machine
 * runs, the measured FMA peak of each level, and OpenBLAS sgemm through
 * Debian's numpy in the same run (bench/peers/numpy_sgemm.py), with ratios.
 *
 * Shapes: FC forward and its two gradient GEMMs at the MLP sizes, and 1024³,
 * with the operand layouts the FC ops use (W is read transposed). `--quick`
 * (and the suite's quick mode): the two large FC shapes, fewer and shorter
 * rounds, one pass.
 *
 * As a suite of `npm run bench` (`run(opts)`): one row per (shape, implementation):
 * `hogwild` is the level the addon picked (simdInfo().active), `hogwild <level>`
 * each other level, `numpy` OpenBLAS; plus a case for the FMA peak of each level,
 * the register tile alone (gemmTilePeak: where the GEMM loses to the peak),
 * and the peak and large shapes with both cores busy at once (twoCoreRows).
 * Standalone, it prints a Markdown table and writes bench/out/gemm.json:
 *
 *   npx tsc -p bench/tsconfig.json
 *   HOGWILD_NATIVE_PATH=$PWD/build/Release/hogwild.node node dist-bench/bench/gemm.js [--quick] [--cpu-time]
 *
 * OpenBLAS runs with OPENBLAS_NUM_THREADS=1 and without OPENBLAS_CORETYPE /
 * OPENBLAS_L2_SIZE (they slow a current numpy). When its own CPU detection
 * falls back to a generic kernel on this CPU, it is also run with each
 * OPENBLAS_CORETYPE in HOGWILD_BENCH_OPENBLAS_CORETYPES (default
 * "SkylakeX,Cooperlake" on AVX-512 machines) and the best is the reference.
 * Timings are best-of-rounds, and a full run measures everything twice,
 * interleaved (ours, peers, ours, peers), keeping the best: other work on the
 * machine only ever slows a run down.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { native } from '../lib/native/binding.js';
import type { SimdInfo, SimdLevel } from '../lib/native/kernelTypes.js';
import { repoRoot } from './harness/paths.js';
import { recordOpenblasCoretypes } from './harness/openblas.js';
import { type BenchRow, FAILED_PREFIX, OURS, skippedRow, type SuiteOptions, SuiteUnavailable } from './harness/types.js';
import { peerPython } from './peers/python.js';
import { INSTALL_HINT } from './peers/types.js';

interface Shape {
  name: string;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
}

const SHAPES: Shape[] = [
  { name: 'FC fwd 64×784·784×256 (X·Wᵀ)', m: 64, n: 256, k: 784, transB: true },
  { name: 'FC dW 784×64·64×256 (Xᵀ·dY)', m: 784, n: 256, k: 64, transA: true },
  { name: 'FC fwd 64×256·256×10 (X·Wᵀ)', m: 64, n: 10, k: 256, transB: true },
  { name: '1024³ (A·B)', m: 1024, n: 1024, k: 1024 },
];
const QUICK_SHAPES = SHAPES.slice(0, 2);

/** GFLOPS from wall time, and from the thread's CPU time (time the core ran something else is not counted). */
interface Rate {
  gflops: number;
  gflopsCpu: number;
}

const best = (a: Rate, b: Rate): Rate => ({ gflops: Math.max(a.gflops, b.gflops), gflopsCpu: Math.max(a.gflopsCpu, b.gflopsCpu) });

interface PeerRun {
  coretype: string;
  architecture: string;
  version: string;
  numpy: string;
  results: Rate[];
}

export interface GemmMeasurement {
  info: SimdInfo;
  levels: SimdLevel[];
  shapes: Shape[];
  rounds: number;
  passes: number;
  peaks: Record<string, Rate>;
  /** The register tile alone (gemmTilePeak: A panels from L2, B in L1, no packing), per level. */
  tiles: Record<string, Rate>;
  ours: Record<string, Rate[]>;
  /** One per OPENBLAS_CORETYPE tried; empty when numpy did not run (see peerSkipped). */
  peers: PeerRun[];
  peerSkipped?: string;
}

type PeerOutcome = { ok: true; run: PeerRun } | { ok: false; reason: string };

function runPeer(python: string, shapes: Shape[], minSeconds: number, coretype: string): PeerOutcome {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  const script = join(repoRoot(), 'bench', 'peers', 'numpy_sgemm.py');
  const r = spawnSync(python, [script, JSON.stringify(shapes), String(minSeconds)], { env, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    const stderr = (r.stderr ?? '').trim();
    if (/No module named '?numpy/.test(stderr)) {
      return { ok: false, reason: `not installed: ${python} cannot import numpy (apt-get install python3-numpy libopenblas0-pthread; ${INSTALL_HINT})` };
    }
    const last = stderr.split('\n').pop() || String(r.error ?? `exit ${r.status ?? r.signal}`);
    return { ok: false, reason: `${FAILED_PREFIX}numpy_sgemm.py${coretype ? ` (OPENBLAS_CORETYPE=${coretype})` : ''}: ${last}` };
  }
  const out = JSON.parse(r.stdout) as {
    numpy: string;
    blas: { architecture?: string; version?: string }[];
    results: { gflops: number; gflopsCpu: number }[];
  };
  return {
    ok: true,
    run: {
      coretype: coretype || '(auto)',
      architecture: out.blas[0]?.architecture ?? '?',
      version: out.blas[0]?.version ?? '?',
      numpy: out.numpy,
      results: out.results.map((x) => ({ gflops: x.gflops, gflopsCpu: x.gflopsCpu })),
    },
  };
}

/** Every level and shape, the FMA peaks, and the numpy peer, interleaved over `passes` passes. */
export function measure(opts: { quick: boolean; repeat?: number; log(message: string): void }): GemmMeasurement {
  let b: ReturnType<typeof native>;
  try {
    b = native();
  } catch (err) {
    throw new SuiteUnavailable(`no addon: ${(err as Error).message.split('\n')[0]}`);
  }
  const shapes = opts.quick ? QUICK_SHAPES : SHAPES;
  const rounds = opts.quick ? 3 : 9;
  const minSeconds = opts.quick ? 0.02 : 0.05;
  const passes = Math.max(opts.quick ? 1 : 2, opts.repeat ?? 1);
  const info = b.simdInfo();
  const levels: SimdLevel[] = info.supported.filter((l) => info.compiledWith.includes(l));

  const ourPass = (): Record<string, Rate[]> => {
    const res: Record<string, Rate[]> = {};
    for (const isa of levels) {
      res[isa] = shapes.map((s) => {
        const slow = isa === 'scalar' && s.m * s.n * s.k > 1e8;
        const r = b.benchGemm({ ...s, isa, rounds: slow ? 1 : rounds, minSeconds: slow ? 0 : minSeconds });
        return { gflops: r.gflops, gflopsCpu: r.gflopsCpu };
      });
    }
    return res;
  };
  const peakPass = (): Record<string, Rate> => {
    const res: Record<string, Rate> = {};
    for (const isa of levels) {
      const r = b.fmaPeak({ isa, rounds, minSeconds });
      res[isa] = { gflops: r.gflops, gflopsCpu: r.gflopsCpu };
    }
    return res;
  };
  const tilePass = (): Record<string, Rate> => {
    const res: Record<string, Rate> = {};
    for (const isa of levels) {
      const r = b.gemmTilePeak({ isa, rounds, minSeconds });
      res[isa] = { gflops: r.gflops, gflopsCpu: r.gflopsCpu };
    }
    return res;
  };

  const python = peerPython();
  let peerSkipped: string | undefined = python
    ? undefined
    : `not installed: ${process.env.HOGWILD_BENCH_PYTHON ? `${process.env.HOGWILD_BENCH_PYTHON} is not executable` : 'no python3'} (apt-get install python3-numpy libopenblas0-pthread; ${INSTALL_HINT})`;
  let coretypes: string[] | undefined; // decided after the first auto run
  const peerPass = (): (PeerRun | null)[] => {
    if (!python || peerSkipped?.startsWith('not installed')) return [];
    const auto = runPeer(python, shapes, minSeconds, '');
    if (!auto.ok) peerSkipped = auto.reason;
    if (!coretypes) {
      const generic = !auto.ok || /prescott|nehalem|core2|atom|generic|katmai|banias/i.test(auto.run.architecture);
      const extra = process.env.HOGWILD_BENCH_OPENBLAS_CORETYPES ?? (info.supported.includes('avx512') ? 'SkylakeX,Cooperlake' : '');
      coretypes = auto.ok && !generic ? [] : extra.split(',').filter(Boolean);
      if (auto.ok && coretypes.length > 0) opts.log(`OpenBLAS picked the generic kernel ${auto.run.architecture}; also trying OPENBLAS_CORETYPE=${coretypes.join(',')}`);
    }
    if (!auto.ok && auto.reason.startsWith('not installed')) return [];
    return [auto.ok ? auto.run : null, ...coretypes.map((ct) => {
      const r = runPeer(python, shapes, minSeconds, ct);
      return r.ok ? r.run : null;
    })];
  };

  let peaks = peakPass();
  let tiles = tilePass();
  let ours = ourPass();
  let peerRuns = peerPass();
  for (let p = 1; p < passes; p++) {
    const o = ourPass();
    for (const isa of levels) ours[isa] = ours[isa]!.map((r, i) => best(r, o[isa]![i]!));
    const q = peerPass();
    peerRuns = q.map((c, i) => {
      const a = peerRuns[i];
      if (a && c) return { ...a, results: a.results.map((r, j) => best(r, c.results[j]!)) };
      return a ?? c ?? null;
    });
  }
  const last = peakPass();
  peaks = Object.fromEntries(levels.map((l) => [l, best(peaks[l]!, last[l]!)]));
  const lastTiles = tilePass();
  tiles = Object.fromEntries(levels.map((l) => [l, best(tiles[l]!, lastTiles[l]!)]));
  const peers = peerRuns.filter((p): p is PeerRun => p !== null);
  if (peers.length > 0) peerSkipped = undefined;
  return { info, levels, shapes, rounds, passes, peaks, tiles, ours, peers, ...(peerSkipped ? { peerSkipped } : {}) };
}

const f1 = (x: number): string => x.toFixed(1);
const pct = (x: number, peak: number): number => Math.round((1000 * x) / peak) / 10;

/** Suite entry point for `npm run bench`: rows per (shape, implementation) and the FMA peaks. */
export async function run(opts: Pick<SuiteOptions, 'quick' | 'log'> & Partial<Pick<SuiteOptions, 'repeat'>>): Promise<BenchRow[]> {
  const m = measure(opts);
  // The MLP suite runs PyTorch with the OpenBLAS core type measured fastest here on the FC shapes.
  if ('cacheDir' in opts && typeof opts.cacheDir === 'string') {
    const fc = m.shapes.map((s, i) => [s, i] as const).filter(([s]) => s.name.startsWith('FC')).map(([, i]) => i);
    const idx = fc.length > 0 ? fc : m.shapes.map((_, i) => i);
    recordOpenblasCoretypes(opts.cacheDir, m.peers.map((p) => ({
      coretype: p.coretype === '(auto)' ? '' : p.coretype,
      architecture: p.architecture,
      gflops: idx.reduce((sum, i) => sum + p.results[i]!.gflops, 0) / idx.length,
    })));
  }
  const active = m.levels.includes(m.info.active) ? m.info.active : m.levels[m.levels.length - 1]!;
  // Ours first, then the other levels from the fastest down.
  const order = [active, ...[...m.levels].reverse().filter((l) => l !== active)];
  const implOf = (isa: SimdLevel): string => (isa === active ? OURS : `${OURS} ${isa}`);
  const rows: BenchRow[] = [];
  opts.log(`FMA peak (GFLOP/s): ${order.map((l) => `${l} ${f1(m.peaks[l]!.gflops)}`).join(', ')}`);
  m.shapes.forEach((s, i) => {
    for (const isa of order) {
      const r = m.ours[isa]![i]!;
      rows.push({
        case: s.name,
        impl: implOf(isa),
        metrics: { 'GFLOP/s': r.gflops, '% of FMA peak': pct(r.gflops, m.peaks[isa]!.gflops), 'GFLOP/s CPU': r.gflopsCpu },
        note: `${isa} level, 1 thread${isa === active ? ' (the level the addon picked)' : ''}`,
      });
    }
    if (m.peers.length === 0) {
      rows.push(skippedRow(s.name, 'numpy', m.peerSkipped ?? 'not run'));
    } else {
      const top = m.peers.reduce((a, p) => (p.results[i]!.gflops > a.results[i]!.gflops ? p : a));
      const gflops = top.results[i]!.gflops;
      const gflopsCpu = Math.max(...m.peers.map((p) => p.results[i]!.gflopsCpu));
      rows.push({
        case: s.name,
        impl: 'numpy',
        metrics: { 'GFLOP/s': gflops, '% of FMA peak': pct(gflops, m.peaks[active]!.gflops), 'GFLOP/s CPU': gflopsCpu },
        note: `OpenBLAS ${top.version} sgemm (kernel ${top.architecture}${top.coretype === '(auto)' ? '' : `, OPENBLAS_CORETYPE=${top.coretype}`}), numpy ${top.numpy}, 1 thread; % of the ${active} peak`,
      });
    }
    opts.log(`${s.name}: ${order.map((l) => `${l} ${f1(m.ours[l]![i]!.gflops)}`).join(', ')}${m.peers.length > 0 ? `, numpy ${f1(Math.max(...m.peers.map((p) => p.results[i]!.gflops)))}` : ''} GFLOP/s`);
  });
  for (const isa of order) {
    rows.push({
      case: 'GEMM register tile alone (A from L2, B in L1)',
      impl: implOf(isa),
      metrics: { 'GFLOP/s': m.tiles[isa]!.gflops, '% of FMA peak': pct(m.tiles[isa]!.gflops, m.peaks[isa]!.gflops), 'GFLOP/s CPU': m.tiles[isa]!.gflopsCpu },
      note: `${isa}: the inner loops over one L2 block, no packing; the gap to the shapes above is the blocking's`,
    });
  }
  rows.push(...twoCoreRows(m, active, opts));
  for (const isa of order) {
    rows.push({
      case: 'FMA peak, 1 core',
      impl: implOf(isa),
      metrics: { 'GFLOP/s': m.peaks[isa]!.gflops, 'GFLOP/s CPU': m.peaks[isa]!.gflopsCpu },
      note: `${isa}: independent register FMAs`,
    });
  }
  return rows;
}

/**
 * The FMA peak and the large shapes with both cores busy at once (the binding's
 * `threads: 2`: two native threads released together, each timing its own
 * copy), per core against the 1-core figures. What a second busy core costs
 * each core with nothing shared (clock budget, L3, memory) is the ceiling of
 * any 2-thread speedup of a GEMM-bound job such as the MLP.
 */
function twoCoreRows(m: GemmMeasurement, isa: SimdLevel, opts: Pick<SuiteOptions, 'quick' | 'log'>): BenchRow[] {
  if (availableParallelism() < 2) return [];
  const b = native();
  const minSeconds = opts.quick ? 0.02 : 0.05;
  const onePeak = m.peaks[isa]!.gflops;
  const jobs: { name: string; one: number; gemm?: Shape }[] = [
    { name: 'FMA peak', one: onePeak },
    ...m.shapes.map((s, i) => ({ name: s.name, one: m.ours[isa]![i]!.gflops, gemm: s })).filter((j) => j.gemm.m * j.gemm.n * j.gemm.k >= 1e7),
  ];
  return jobs.map((j) => {
    const o = { isa, rounds: m.rounds, minSeconds, threads: 2 };
    const r = j.gemm ? b.benchGemm({ ...j.gemm, ...o }) : b.fmaPeak(o);
    opts.log(`${j.name}, 2 cores at once: ${r.perThread.map(f1).join(' + ')} GFLOP/s (1 core: ${f1(j.one)})`);
    return {
      case: `${j.name}, 2 cores at once`,
      impl: OURS,
      metrics: { 'GFLOP/s': r.gflops, '% of FMA peak': pct(r.gflops, onePeak), 'GFLOP/s CPU': r.gflopsCpu, '% of 1 core': pct(r.gflops, j.one) },
      note: `${isa}, per core, each core its own copy (nothing shared); sum ${f1(r.perThread.reduce((s, x) => s + x, 0))} GFLOP/s`,
    };
  });
}

function main(): void {
  const quick = process.argv.includes('--quick');
  // --cpu-time: GFLOPS from the thread's CPU time instead of wall time, for a
  // machine other work shares (time the core ran something else is not counted).
  const cpuTime = process.argv.includes('--cpu-time');
  const metric = cpuTime ? 'gflopsCpu' : 'gflops';
  const m = measure({ quick, log: (msg) => process.stderr.write(`${msg}\n`) });
  const { info, levels, shapes, peers } = m;
  const peaks = Object.fromEntries(levels.map((l) => [l, m.peaks[l]![metric]]));
  const ours = Object.fromEntries(levels.map((l) => [l, m.ours[l]!.map((r) => r[metric])]));
  const ref = shapes.map((_, i) => Math.max(0, ...peers.map((p) => p.results[i]![metric])));

  const lines: string[] = [];
  lines.push(`SIMD: active ${info.active}, supported ${info.supported.join('/')}; single thread; best of ${m.rounds} rounds × ${m.passes} passes; ${cpuTime ? 'thread CPU time' : 'wall time'}`);
  lines.push(`FMA peak (GFLOPS): ${levels.map((l) => `${l} ${f1(peaks[l]!)}`).join(', ')}`);
  for (const p of peers) lines.push(`OpenBLAS ${p.version} via numpy ${p.numpy}, OPENBLAS_CORETYPE=${p.coretype} -> kernel ${p.architecture}`);
  if (m.peerSkipped) lines.push(`numpy: ${m.peerSkipped}`);
  lines.push('');
  const header = ['shape', ...levels.map((l) => `${l} GFLOPS (% peak)`), ...peers.map((p) => `OpenBLAS ${p.architecture}`), 'best ours / best OpenBLAS'];
  lines.push(`| ${header.join(' | ')} |`);
  lines.push(`|${header.map(() => '---').join('|')}|`);
  shapes.forEach((s, i) => {
    const top = levels[levels.length - 1]!;
    const cells = [
      s.name,
      ...levels.map((l) => `${f1(ours[l]![i]!)} (${((100 * ours[l]![i]!) / peaks[l]!).toFixed(0)}%)`),
      ...peers.map((p) => f1(p.results[i]![metric])),
      ref[i]! > 0 ? `${(ours[top]![i]! / ref[i]!).toFixed(2)}×` : 'n/a',
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  });
  process.stdout.write(lines.join('\n') + '\n');

  const outDir = join(process.cwd(), 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'gemm.json'),
    JSON.stringify({
      info, metric, peaks, shapes, ours,
      peers: peers.map((p) => ({ ...p, results: undefined, gflops: p.results.map((r) => r[metric]) })),
      date: new Date().toISOString(),
    }, null, 2),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
