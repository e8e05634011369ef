/**
 * Allreduce throughput between 2 processes on this machine (loopback TCP):
 * hogwild's Gloo module vs torch.distributed.all_reduce (gloo backend, the
 * same libgloo in Debian's PyTorch), at 1 MiB and 64 MiB of Float32.
 * Target: hogwild >= 0.9x PyTorch on both sizes.
 *
 *   npx tsc -p bench/tsconfig.json
 *   node dist-bench/bench/allreduce.js [--quick]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { distributedAvailable } from '../lib/distributed/index.js';
import { type BenchRow, type SuiteOptions, SuiteUnavailable } from './harness/types.js';
import { probeTorch } from './peers/python.js';

const MiB = 1 << 20;
const here = fileURLToPath(new URL('.', import.meta.url));

interface Timing {
  bytes: number;
  iters: number;
  seconds: number;
}

/** Starts `size` processes, one per argv; resolves with rank 0's JSON line. */
function runRanks(commands: { cmd: string; args: string[]; env?: NodeJS.ProcessEnv }[]): Promise<Timing> {
  return new Promise((resolve, reject) => {
    let line = '';
    let errors = '';
    let left = commands.length;
    for (const c of commands) {
      const child = spawn(c.cmd, c.args, { env: { ...process.env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.setEncoding('utf8').on('data', (d: string) => (line += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (errors += d));
      child.on('exit', (code) => {
        if (code !== 0) errors += `\n(exit ${code})`;
        if (--left === 0) {
          const json = line.split('\n').find((l) => l.startsWith('{'));
          if (json) resolve(JSON.parse(json) as Timing);
          else reject(new Error(`no timing: ${errors.slice(-500)}`));
        }
      });
    }
  });
}

function hogwildRun(bytes: number, iters: number, store: string, prefix: string): Promise<Timing> {
  const worker = join(here, 'allreduce_rank.js');
  return runRanks(
    [0, 1].map((rank) => ({
      cmd: process.execPath,
      args: [worker, String(bytes), String(iters)],
      env: { HOGWILD_RANK: String(rank), HOGWILD_WORLD_SIZE: '2', HOGWILD_STORE: store, HOGWILD_STORE_PREFIX: prefix, HOGWILD_TIMEOUT_MS: '120000' },
    })),
  );
}

function torchRun(python: string, bytes: number, iters: number, initFile: string): Promise<Timing> {
  const script = join(here, '..', '..', 'bench', 'peers', 'torch_allreduce.py');
  return runRanks([0, 1].map((rank) => ({ cmd: python, args: [script, String(rank), '2', `file://${initFile}`, String(bytes), String(iters)], env: { OMP_NUM_THREADS: '1' } })));
}

function row(caseName: string, impl: string, t: Timing): BenchRow {
  const msPerOp = (t.seconds / t.iters) * 1e3;
  return { case: caseName, impl, metrics: { 'MiB/s': t.bytes / MiB / (t.seconds / t.iters), 'ms/op': msPerOp }, note: `${t.iters} allreduces, 2 processes` };
}

export async function run(opts: SuiteOptions): Promise<BenchRow[]> {
  if (!existsSync(join(here, 'allreduce_rank.js'))) throw new SuiteUnavailable('not available from the TypeScript sources: run it compiled (npx tsc -p bench/tsconfig.json)');
  const sizes = [
    { bytes: MiB, iters: opts.quick ? 20 : 200 },
    { bytes: 64 * MiB, iters: opts.quick ? 2 : 10 },
  ];
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hogwild-bench-allreduce-'));
  const torch = probeTorch();
  try {
    for (const [i, s] of sizes.entries()) {
      const name = `allreduce ${s.bytes / MiB} MiB · 2 processes`;
      for (let rep = 0; rep < Math.max(1, opts.repeat); rep++) {
        if (distributedAvailable()) {
          opts.log(`${name}: hogwild`);
          rows.push(row(name, 'hogwild', await hogwildRun(s.bytes, s.iters, dir, `bench-${i}-${rep}`)));
        } else if (rep === 0) {
          rows.push({ case: name, impl: 'hogwild', metrics: {}, skipped: 'not installed: hogwild_gloo.node (apt-get install libgloo-dev libhiredis-dev, npm run build)' });
        }
        if (torch.ok) {
          opts.log(`${name}: pytorch`);
          rows.push(row(name, 'pytorch', await torchRun(torch.python, s.bytes, s.iters, join(dir, `torch-${i}-${rep}`))));
        } else if (rep === 0) {
          rows.push({ case: name, impl: 'pytorch', metrics: {}, skipped: torch.reason });
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const rows = await run({ quick, outDir: tmpdir(), cacheDir: tmpdir(), repeat: 1, log: (m) => process.stderr.write(`${m}\n`) });
  for (const r of rows) process.stdout.write(`${r.case.padEnd(32)} ${r.impl.padEnd(8)} ${r.skipped ?? Object.entries(r.metrics).map(([k, v]) => `${v.toFixed(1)} ${k}`).join('  ')}\n`);
}
