/**
 * Sparse lookup and Hogwild update throughput (docs/sparse-and-optimizers.md): runs the C++
 * benchmark native/tests/bench_sparse.cc, built with CMake twice so the two update variants
 * are side by side:
 *   - build-bench-sparse/          the default (plain, racy) build;
 *   - build-bench-sparse-relaxed/  -DHOGWILD_RELAXED_UPDATES=ON (relaxed atomic accesses).
 * Each is configured when missing (or configured differently) and brought up to date with
 * `cmake --build --target bench_sparse` (a no-op when nothing changed).
 *
 * Rows, for dims 16 and 64: SparseLengthsSum / SparseLengthsMean forward, the gradient
 * expansion (SparseLengthsSumGradient) and SparseAdagrad through the op, `hogwild` from the
 * plain build and `hogwild relaxed` from the relaxed one; and the kernels under them
 * (gatherSum, sparseAdagrad on 1 and 2 threads) from the kernel table, where `hogwild` is the
 * plain access variant, `hogwild relaxed` the relaxed-atomic one and `hogwild scalar` the
 * scalar level. Metrics: rows/s (primary), GB/s of the row bytes a kernel must move, its share
 * of the measured streaming-read bound, the bound itself and the random-line bound (one
 * 64-byte read per random row). Full run: 2^21 rows (128 MiB table at dim 16, 512 MiB at 64),
 * best of 5; quick: 2^16 rows (in cache: not representative), best of 2.
 *
 *   npx tsc -p bench/tsconfig.json && node dist-bench/bench/sparse.js [--quick]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { repoRoot } from './harness/paths.js';
import { which } from './harness/proc.js';
import { type BenchRow, OURS, type SuiteOptions, SuiteUnavailable } from './harness/types.js';

type Variant = 'plain' | 'relaxed';

interface Build {
  variant: Variant;
  dir: string;
  relaxed: boolean;
}

/** One measurement of bench_sparse --json. */
export interface SparseResult {
  dim: number;
  name: string;
  kind: 'op' | 'kernel';
  variant: 'plain' | 'relaxed' | 'scalar';
  threads: number;
  label: string;
  items: number;
  bytes: number;
  seconds: number;
  rowsPerSec: number;
  GBs: number;
  ofReadBound: number;
}

/** What `bench_sparse --json` prints. */
export interface SparseOutput {
  rows: number;
  indices: number;
  segmentLength: number;
  isa: string;
  build: Variant;
  reps: number;
  boundMiB: number;
  readGBs: number;
  copyGBs: number;
  lineReadsPerSec: Record<string, number>;
  results: SparseResult[];
}

interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], timeoutMs: number): Promise<Exec> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : null), stdout, stderr });
    });
  });
}

const tail = (text: string, lines = 15): string => text.trim().split('\n').slice(-lines).join('\n');

/** CMakeCache.txt entries (NAME:TYPE=value) of a build folder, or undefined without one. */
function readCache(dir: string): Map<string, string> | undefined {
  const file = join(dir, 'CMakeCache.txt');
  if (!existsSync(file)) return undefined;
  const cache = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][\w.-]*):[A-Z_]+=(.*)$/.exec(line);
    if (m) cache.set(m[1]!, m[2]!);
  }
  return cache;
}

const on = (v: string | undefined): boolean => /^(ON|1|TRUE|YES|Y)$/i.test(v ?? '');

/** Why a build folder must be configured again, or undefined when its cache fits. */
function staleConfig(cache: Map<string, string>, root: string, build: Build): string | undefined {
  const home = cache.get('CMAKE_HOME_DIRECTORY');
  if (!home || resolve(home) !== resolve(root)) return `configured for another source tree (${home ?? '?'})`;
  const make = cache.get('CMAKE_MAKE_PROGRAM');
  if (make && !existsSync(make)) return `its build tool ${make} is gone`;
  const cxx = cache.get('CMAKE_CXX_COMPILER');
  if (cxx && !existsSync(cxx)) return `its compiler ${cxx} is gone`;
  if (!on(cache.get('HOGWILD_BUILD_TESTS'))) return 'HOGWILD_BUILD_TESTS is off';
  if (on(cache.get('HOGWILD_RELAXED_UPDATES')) !== build.relaxed) return 'HOGWILD_RELAXED_UPDATES differs';
  if (cache.get('HOGWILD_SANITIZE')) return 'a sanitizer build';
  if ((cache.get('CMAKE_BUILD_TYPE') ?? 'Release') !== 'Release') return 'not a Release build';
  return undefined;
}

function compiler(): string | undefined {
  const cxx = process.env.CXX;
  if (cxx) return which(cxx.split(/\s+/)[0]!);
  return which('c++') ?? which('g++') ?? which('clang++');
}

/** Configures (when needed) and builds bench_sparse in `build.dir`; returns the executable. */
async function ensureBuilt(cmake: string, root: string, build: Build, log: (m: string) => void): Promise<string> {
  const cache = readCache(build.dir);
  const why = cache ? staleConfig(cache, root, build) : 'not configured yet';
  if (why) {
    if (cache) rmSync(build.dir, { recursive: true, force: true });
    const cxx = compiler();
    if (!cxx) throw new SuiteUnavailable('no C++ compiler (c++, g++, clang++ or $CXX) on PATH (apt-get install g++)');
    const ninja = which('ninja');
    if (!ninja && !which('make')) throw new SuiteUnavailable('neither ninja nor make on PATH (apt-get install ninja-build)');
    const args = [
      '-S', root, '-B', build.dir,
      ...(ninja ? ['-G', 'Ninja'] : []),
      '-DCMAKE_BUILD_TYPE=Release',
      '-DHOGWILD_BUILD_TESTS=ON',
      `-DHOGWILD_RELAXED_UPDATES=${build.relaxed ? 'ON' : 'OFF'}`,
      `-DNODE_EXECUTABLE=${process.execPath}`,
    ];
    log(`configuring ${build.dir} (${why}): cmake ${args.join(' ')}`);
    const r = await exec(cmake, args, 300_000);
    if (r.code !== 0) {
      const out = `${r.stdout}\n${r.stderr}`;
      if (/No CMAKE_CXX_COMPILER could be found|CMAKE_CXX_COMPILER not set|is not able to compile a simple test program/.test(out)) {
        throw new SuiteUnavailable(`cmake found no working C++ compiler: ${tail(r.stderr, 3)}`);
      }
      throw new Error(`cmake configure of ${build.dir} failed (exit ${r.code}):\n${tail(out)}`);
    }
  } else if (!compiler()) {
    throw new SuiteUnavailable('no C++ compiler (c++, g++, clang++ or $CXX) on PATH (apt-get install g++)');
  }
  const exe = join(build.dir, 'bench_sparse');
  const args = ['--build', build.dir, '--target', 'bench_sparse', '--parallel', String(availableParallelism())];
  log(`${existsSync(exe) ? 'bringing up to date' : 'building (the first build compiles the whole core)'}: cmake ${args.join(' ')}`);
  const t0 = performance.now();
  const r = await exec(cmake, args, 1_800_000);
  if (r.code !== 0) throw new Error(`cmake --build ${build.dir} --target bench_sparse failed (exit ${r.code}):\n${tail(`${r.stdout}\n${r.stderr}`)}`);
  const s = (performance.now() - t0) / 1000;
  if (s > 2) log(`built ${exe} in ${s.toFixed(0)} s`);
  if (!existsSync(exe)) throw new Error(`cmake built no ${exe}`);
  return exe;
}

async function runBench(exe: string, args: string[], timeoutMs: number): Promise<SparseOutput> {
  const r = await exec(exe, [...args, '--json'], timeoutMs);
  if (r.code !== 0) throw new Error(`${exe} ${args.join(' ')} --json failed (exit ${r.code}):\n${tail(r.stderr || r.stdout)}`);
  try {
    return JSON.parse(r.stdout) as SparseOutput;
  } catch (err) {
    throw new Error(`${exe} printed no JSON (${(err as Error).message}):\n${tail(r.stdout)}`);
  }
}

const IMPL: Record<SparseResult['variant'], string> = { plain: OURS, relaxed: `${OURS} relaxed`, scalar: `${OURS} scalar` };

function toRow(out: SparseOutput, r: SparseResult): BenchRow {
  const kase = `dim ${r.dim} · ${r.name} ${r.kind}${r.threads > 1 ? ` · ${r.threads} threads` : ''}`;
  const note = r.kind === 'op'
    ? `${out.build} build${out.build === 'relaxed' ? ' (-DHOGWILD_RELAXED_UPDATES=ON)' : ' (default)'}, ${out.isa}`
    : r.variant === 'scalar' ? 'scalar level, plain accesses' : `${r.variant === 'plain' ? 'plain (racy)' : 'relaxed atomic'} accesses, ${out.isa}`;
  const line = out.lineReadsPerSec[String(r.dim)];
  return {
    case: kase,
    impl: IMPL[r.variant],
    metrics: {
      'rows/s': r.rowsPerSec,
      'GB/s': r.GBs,
      '% of read bound': Math.round(1000 * r.ofReadBound) / 10,
      'read bound GB/s': out.readGBs,
      ...(line === undefined ? {} : { 'line-read bound rows/s': line }),
    },
    primary: 'rows/s',
    note,
  };
}

export async function run(opts: Pick<SuiteOptions, 'quick' | 'log'> & Partial<Pick<SuiteOptions, 'repeat'>>): Promise<BenchRow[]> {
  const cmake = which('cmake');
  if (!cmake) throw new SuiteUnavailable('no cmake on PATH (apt-get install cmake g++ ninja-build)');
  const root = repoRoot();
  const builds: Build[] = [
    { variant: 'plain', dir: join(root, 'build-bench-sparse'), relaxed: false },
    { variant: 'relaxed', dir: join(root, 'build-bench-sparse-relaxed'), relaxed: true },
  ];
  const exes: string[] = [];
  for (const b of builds) exes.push(await ensureBuilt(cmake, root, b, opts.log));

  const rows = opts.quick ? 1 << 16 : 1 << 21;
  const reps = Math.max(opts.quick ? 2 : 5, opts.repeat ?? 1);
  const common = [String(rows), String(reps), '--bound-mib', opts.quick ? '256' : '1024'];
  const timeoutMs = opts.quick ? 300_000 : 1_800_000;
  const outputs: SparseOutput[] = [];
  for (const [i, b] of builds.entries()) {
    // The kernel-table runs are the same code in both builds: only the plain build runs them.
    const args = b.variant === 'plain' ? common : [...common, '--ops-only'];
    opts.log(`${exes[i]} ${args.join(' ')} --json`);
    const res = await runBench(exes[i]!, args, timeoutMs);
    if (res.build !== b.variant) throw new Error(`${exes[i]} is a ${res.build} build, expected ${b.variant}: remove ${b.dir}`);
    const lines = Object.entries(res.lineReadsPerSec).map(([d, v]) => `dim ${d} ${(v / 1e6).toFixed(1)} M/s`).join(', ');
    opts.log(`${b.variant} build (${res.isa}): stream read ${res.readGBs.toFixed(2)} GB/s, memcpy ${res.copyGBs.toFixed(2)} GB/s, random line reads ${lines}`);
    outputs.push(res);
  }
  return sparseRows(outputs);
}

/**
 * The rows of bench_sparse outputs (the plain build's, the relaxed build's): every result of
 * the plain build, the ops of the relaxed build (its kernel-table runs would repeat the plain
 * build's); cases by dim, then in the order bench_sparse runs them, ours first within a case.
 */
export function sparseRows(outputs: SparseOutput[]): BenchRow[] {
  const out: BenchRow[] = [];
  for (const res of outputs) {
    for (const r of res.results) {
      if (res.build === 'relaxed' && r.kind !== 'op') continue;
      out.push(toRow(res, r));
    }
  }
  const order = new Map<string, number>();
  out.forEach((r) => { if (!order.has(r.case)) order.set(r.case, order.size); });
  const dimOf = (c: string) => Number(/^dim (\d+)/.exec(c)?.[1] ?? 0);
  return out
    .map((r, i) => ({ r, i }))
    .sort((a, b) => dimOf(a.r.case) - dimOf(b.r.case) || order.get(a.r.case)! - order.get(b.r.case)! || a.i - b.i)
    .map(({ r }) => r);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  run({ quick, log: (m) => process.stderr.write(`${m}\n`) }).then(
    (rows) => console.log(JSON.stringify(rows, null, 1)),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
