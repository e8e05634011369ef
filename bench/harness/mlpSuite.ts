/**
 * The MLP suite: a 784-256-10 ReLU MLP on Fashion-MNIST, ours (Hogwild threads) side by
 * side with PyTorch on the same model, batch size and data order, at 1 and 2 threads.
 * PyTorch runs twice at 2 threads: its own intra-op threads, and Hogwild processes.
 *
 * Our side is bench/mlp_hogwild.ts, loaded when it exists. It exports
 *
 *   export async function run(opts: MlpSuiteOptions): Promise<BenchRow[]>
 *
 * and returns one row per entry of opts.mlp.threads with `case: mlpCase(threads)`,
 * `impl: 'hogwild'` and the metrics of mlpMetrics().
 */
import { FASHION_MNIST_DIR, fashionMnistMissing, runTorchMlp } from '../peers/torch_mlp.js';
import type { MlpPeerResult } from '../peers/types.js';
import { loadSuiteModule, runOurs } from './modules.js';
import { bestOpenblasCoretype } from './openblas.js';
import { peerRow } from './peerRow.js';
import { type BenchRow, OURS, type Suite, type SuiteOptions, skippedRow } from './types.js';

export interface MlpBenchConfig {
  /** Fashion-MNIST's folder: $HOGWILD_BENCH_FASHION_MNIST, else Debian's. */
  dataDir: string;
  hidden: number;
  /** The batch size of every implementation. */
  batch: number;
  epochs: number;
  lr: number;
  threads: number[];
  /** Train on the first N examples only (0: all 60 000). */
  limit: number;
}

export interface MlpSuiteOptions extends SuiteOptions {
  mlp: MlpBenchConfig;
}

export function mlpBenchConfig(quick: boolean): MlpBenchConfig {
  return {
    dataDir: process.env.HOGWILD_BENCH_FASHION_MNIST ?? FASHION_MNIST_DIR,
    hidden: 256,
    batch: 64,
    epochs: quick ? 1 : 2,
    lr: 0.1,
    threads: [1, 2],
    limit: quick ? 4_000 : 0,
  };
}

export function mlpCase(threads: number): string {
  return `${threads} thread${threads === 1 ? '' : 's'}`;
}

/** The metrics every implementation reports for an MLP case, in this order. */
export function mlpMetrics(r: MlpPeerResult): Record<string, number> {
  return {
    'examples/s': r.examplesPerSec,
    'train s': r.trainSeconds,
    'wall s': r.wallSeconds,
    ...(r.cpuSeconds === undefined ? {} : { 'CPU s': r.cpuSeconds }),
    'peak RSS MB': r.peakRssBytes / 2 ** 20,
    'test accuracy': r.testAccuracy,
  };
}

async function run(opts: SuiteOptions): Promise<BenchRow[]> {
  const mlp = mlpBenchConfig(opts.quick);
  const timeoutMs = opts.quick ? 120_000 : 600_000;
  // No dataset: every row says so and the suite still passes (a missing input is not a failure).
  const missing = fashionMnistMissing(mlp.dataDir);
  if (missing) {
    opts.log(missing);
    return mlp.threads.flatMap((t) => [OURS, 'pytorch', ...(t > 1 ? ['pytorch hogwild'] : [])].map((impl) => skippedRow(mlpCase(t), impl, missing)));
  }
  const rows: BenchRow[] = [];

  const ours = await loadSuiteModule<MlpSuiteOptions>('mlp_hogwild');
  const oursFailed = (reason: string) => mlp.threads.map((t) => skippedRow(mlpCase(t), OURS, reason));
  rows.push(...(ours.ok ? await runOurs(opts, () => ours.run({ ...opts, mlp }), oursFailed) : oursFailed(ours.reason)));

  // PyTorch as its docs advise: pools pinned per process, OpenBLAS's fastest kernel for this CPU.
  const coretype = bestOpenblasCoretype(opts);
  const blasNote = coretype?.coretype ? `OPENBLAS_CORETYPE=${coretype.coretype}` : 'OpenBLAS\'s own kernel';
  const base = {
    hidden: mlp.hidden, batch: mlp.batch, epochs: mlp.epochs, lr: mlp.lr, limit: mlp.limit, dataDir: mlp.dataDir, timeoutMs,
    ...(coretype?.coretype ? { openblasCoretype: coretype.coretype } : {}),
  };
  const script = 'python3 bench/peers/torch_mlp.py';
  const flags = `--hidden ${mlp.hidden} --batch ${mlp.batch} --epochs ${mlp.epochs} --lr ${mlp.lr}${mlp.limit ? ` --limit ${mlp.limit}` : ''}`;
  const envOf = (t: number) => `OMP_NUM_THREADS=${t} OPENBLAS_NUM_THREADS=${t} MKL_NUM_THREADS=${t}${coretype?.coretype ? ` OPENBLAS_CORETYPE=${coretype.coretype}` : ''}`;
  for (const threads of mlp.threads) {
    const kase = mlpCase(threads);
    rows.push(await peerRow(opts, {
      kase, impl: 'pytorch', metrics: mlpMetrics, note: `${threads > 1 ? `${threads} intra-op threads, ` : ''}${blasNote}`,
      command: `${envOf(threads)} ${script} ${flags} --threads ${threads}`,
      threadpools: (r) => r.threadpools,
      run: () => runTorchMlp({ ...base, threads }),
    }));
    if (threads > 1) {
      rows.push(await peerRow(opts, {
        kase, impl: 'pytorch hogwild', metrics: mlpMetrics, note: `${threads} processes of 1 thread (torch.multiprocessing, share_memory), ${blasNote}`,
        command: `${envOf(1)} ${script} ${flags} --threads 1 --procs ${threads}`,
        threadpools: (r) => r.threadpools,
        run: () => runTorchMlp({ ...base, threads: 1, procs: threads }),
      }));
    }
  }
  return rows;
}

export const mlpSuite: Suite = {
  name: 'mlp',
  title: 'MLP 784-256-10 on Fashion-MNIST vs PyTorch',
  run,
};
