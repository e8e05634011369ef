/**
 * Multi-node training rows. Text: the fastText job (dim 16) on the bench
 * corpus, 2 ranks × 1 thread (each a shuffled half of every epoch, parameters
 * averaged every K updates with the ModelAverage op) vs 1 process × 2 Hogwild
 * threads (`hogwild supervised -thread 2`), P@1 and tokens/s in the loop.
 * Targets: P@1 within 0.5 pt, tokens/s >= 0.8x. MLP: the Fashion-MNIST MLP (784-256-10, batch 64, plain
 * SGD) on 2 processes × 1 thread — hogwild (each rank a shuffled half of every
 * epoch, parameters averaged every K batches with the ModelAverage op) vs
 * PyTorch DDP on gloo (gradients allreduced every batch), examples/s and test
 * accuracy. Target: hogwild >= 1.5x DDP's examples/s.
 *
 *   npx tsc -p bench/tsconfig.json
 *   node dist-bench/bench/multinode.js [--quick] [--average-every K]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { distributedAvailable } from '../lib/distributed/index.js';
import { ensureCorpusFiles } from './data/corpus.js';
import { mlpBenchConfig } from './harness/mlpSuite.js';
import { runMeasured } from './harness/proc.js';
import { textBenchConfig } from './harness/textSuite.js';
import { hogwildCli, runHogwildSupervised } from './text_hogwild.js';
import { SuiteUnavailable, type BenchRow, type SuiteOptions } from './harness/types.js';
import { probeTorch } from './peers/python.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Batches between two averaging rounds of our side (the interval reported with the rows). */
export const DEFAULT_AVERAGE_EVERY = 16;
/** Updates (one example each) between two averaging rounds of the text model. */
export const DEFAULT_TEXT_AVERAGE_EVERY = 5_000;

interface MlpOutcome {
  examplesPerSec: number;
  testAccuracy: number;
  trainSeconds?: number;
  seconds?: number;
  tokens?: number;
}

/** Starts one process per command; resolves with the first JSON line any printed. */
function runRanks(commands: { cmd: string; args: string[]; env?: NodeJS.ProcessEnv }[]): Promise<MlpOutcome> {
  return new Promise((resolve, reject) => {
    let out = '';
    let errors = '';
    let left = commands.length;
    for (const c of commands) {
      const child = spawn(c.cmd, c.args, { env: { ...process.env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (errors += d));
      child.on('exit', (code) => {
        if (code !== 0) errors += `\n(exit ${code})`;
        if (--left === 0) {
          const json = out.split('\n').find((l) => l.startsWith('{'));
          if (json && !errors.includes('(exit')) resolve(JSON.parse(json) as MlpOutcome);
          else reject(new Error(`multi-node run failed: ${errors.slice(-800)}`));
        }
      });
    }
  });
}

function mlpRow(impl: string, r: MlpOutcome, note: string, command: string): BenchRow {
  return {
    case: 'MLP · 2 processes × 1 thread',
    impl,
    metrics: { 'examples/s': r.examplesPerSec, 'test accuracy': r.testAccuracy, 'train s': r.trainSeconds ?? r.seconds ?? 0 },
    primary: 'examples/s',
    note,
    command,
  };
}

/** Text rows: 2 ranks × 1 thread (averaged every `every` updates) vs 1 process × 2 threads. */
async function textRows(opts: SuiteOptions, dir: string, every: number): Promise<BenchRow[]> {
  const main = hogwildCli();
  const text = textBenchConfig(opts.quick);
  const corpus = ensureCorpusFiles(text.corpus, opts.cacheDir);
  const dim = 16;
  const kase = `text dim ${dim} · ${text.corpus.train} docs · 2 workers`;
  const rows: BenchRow[] = [];
  opts.log(`${kase}: 1 process × 2 threads`);
  const one = await runHogwildSupervised({ corpus, dim, threads: 2, epochs: text.epochs, lr: text.lr, workDir: join(dir, 'one') });
  if (!one.available) throw new Error(`hogwild supervised unavailable: ${one.reason}`);
  rows.push({ case: kase, impl: 'hogwild 1×2 threads', metrics: { 'tokens/s in loop': one.tokensPerSec, 'P@1': one.p1, 'in-loop s': one.trainSeconds }, primary: 'tokens/s in loop', note: 'hogwild supervised -thread 2' });
  opts.log(`${kase}: 2 nodes × 1 thread`);
  const output = join(dir, 'multinode-text');
  const r = await runRanks(
    [0, 1].map((rank) => ({
      cmd: process.execPath,
      // Averaging two replicas halves each one's step: the rate is scaled by the ranks (the linear scaling rule).
      args: [join(here, 'multinode_text_rank.js'), JSON.stringify({ input: corpus.trainTxt, output, dim, epoch: text.epochs, lr: text.lr * 2, averageEvery: every })],
      env: { HOGWILD_RANK: String(rank), HOGWILD_WORLD_SIZE: '2', HOGWILD_STORE: dir, HOGWILD_STORE_PREFIX: `text-${Date.now()}`, HOGWILD_TIMEOUT_MS: '120000' },
    })),
  );
  const test = await runMeasured(process.execPath, [main, 'test', `${output}.bin`, corpus.testTxt, '1', '--json'], {});
  if (test.code !== 0) throw new Error(`hogwild test exited with ${test.signal ?? test.code}: ${test.stderr.slice(-500)}`);
  const { precision } = JSON.parse(test.stdout) as { precision: number };
  const secs = r.trainSeconds!;
  rows.push({
    case: kase, impl: 'hogwild 2 nodes×1', metrics: { 'tokens/s in loop': (corpus.trainTokens * text.epochs) / secs, 'P@1': precision, 'in-loop s': secs }, primary: 'tokens/s in loop',
    note: `2 ranks, each half of every epoch, lr ${text.lr * 2} (x2 ranks), ModelAverage every ${every} updates, averaged at the end`,
    command: `node dist-bench/bench/multinode.js --text-average-every ${every}${opts.quick ? ' --quick' : ''}`,
  });
  return rows;
}

export async function run(opts: SuiteOptions & { averageEvery?: number; textAverageEvery?: number }): Promise<BenchRow[]> {
  // The ranks are separate node processes: they need the compiled rank script.
  if (!existsSync(join(here, 'multinode_mlp_rank.js'))) throw new SuiteUnavailable('not available from the TypeScript sources: run it compiled (npx tsc -p bench/tsconfig.json)');
  const cfg = mlpBenchConfig(opts.quick);
  const every = opts.averageEvery ?? DEFAULT_AVERAGE_EVERY;
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hogwild-bench-multinode-'));
  const torch = probeTorch();
  try {
    if (distributedAvailable()) rows.push(...(await textRows(opts, dir, opts.textAverageEvery ?? DEFAULT_TEXT_AVERAGE_EVERY)));
    for (let rep = 0; rep < Math.max(1, opts.repeat); rep++) {
      if (distributedAvailable()) {
        opts.log('MLP 2 nodes × 1 thread: hogwild');
        const train = { dataDir: cfg.dataDir, hidden: cfg.hidden, batch: cfg.batch, epochs: cfg.epochs, lr: cfg.lr, limit: cfg.limit, averageEvery: every };
        const r = await runRanks(
          [0, 1].map((rank) => ({
            cmd: process.execPath,
            args: [join(here, 'multinode_mlp_rank.js'), JSON.stringify(train)],
            env: { HOGWILD_RANK: String(rank), HOGWILD_WORLD_SIZE: '2', HOGWILD_STORE: dir, HOGWILD_STORE_PREFIX: `mlp-${rep}`, HOGWILD_TIMEOUT_MS: '120000' },
          })),
        );
        rows.push(mlpRow('hogwild', r, `2 ranks, ModelAverage every ${every} batches, ${cfg.epochs} epoch(s)`, `node dist-bench/bench/multinode.js --average-every ${every}${opts.quick ? ' --quick' : ''}`));
      } else if (rep === 0) {
        rows.push({ case: 'MLP · 2 processes × 1 thread', impl: 'hogwild', metrics: {}, skipped: 'not installed: hogwild_gloo.node (apt-get install libgloo-dev libhiredis-dev, npm run build)' });
      }
      if (torch.ok) {
        opts.log('MLP 2 processes × 1 thread: pytorch DDP (gloo)');
        const script = join(here, '..', '..', 'bench', 'peers', 'torch_ddp_mlp.py');
        const args = ['--data', cfg.dataDir, '--hidden', String(cfg.hidden), '--batch', String(cfg.batch), '--epochs', String(cfg.epochs), '--lr', String(cfg.lr), '--limit', String(cfg.limit)];
        const r = await runRanks([0, 1].map((rank) => ({ cmd: torch.python, args: [script, String(rank), '2', `file://${join(dir, `ddp-${rep}`)}`, ...args], env: { OMP_NUM_THREADS: '1' } })));
        rows.push(mlpRow('pytorch', r, 'DDP, gloo, gradients allreduced every batch', `python3 bench/peers/torch_ddp_mlp.py RANK 2 file:///tmp/init ${args.join(' ')}`));
      } else if (rep === 0) {
        rows.push({ case: 'MLP · 2 processes × 1 thread', impl: 'pytorch', metrics: {}, skipped: torch.reason });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const i = process.argv.indexOf('--average-every');
  const averageEvery = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  const j = process.argv.indexOf('--text-average-every');
  const textAverageEvery = j >= 0 ? Number(process.argv[j + 1]) : undefined;
  const cacheDir = join(tmpdir(), 'hogwild-bench-cache');
  const rows = await run({
    quick, outDir: tmpdir(), cacheDir, repeat: 1, log: (m) => process.stderr.write(`${m}\n`),
    ...(averageEvery ? { averageEvery } : {}), ...(textAverageEvery ? { textAverageEvery } : {}),
  });
  for (const r of rows) process.stdout.write(`${r.case.padEnd(32)} ${r.impl.padEnd(8)} ${r.skipped ?? Object.entries(r.metrics).map(([k, v]) => `${v.toFixed(3)} ${k}`).join('  ')}\n`);
}
