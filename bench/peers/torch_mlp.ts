/**
 * PyTorch peer of the MLP benchmark (torch_mlp.py): 784-H-10 ReLU MLP on Fashion-MNIST,
 * SGD, the same batch size as ours; `threads` intra-op threads in one process, or
 * Hogwild with `procs` one-thread processes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { benchDir } from '../harness/paths.js';
import { lastJsonLine, runMeasured } from '../harness/proc.js';
import { describeThreadpools, pinnedEnv, type ThreadpoolInfo } from './pinnedEnv.js';
import { probeTorch } from './python.js';
import { INSTALL_HINT, type MlpPeerResult, type PeerOutcome } from './types.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_FILES = [
  'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz',
];

/** Why Fashion-MNIST cannot be read from `dir`, or undefined when all four files are there. */
export function fashionMnistMissing(dir: string = FASHION_MNIST_DIR): string | undefined {
  const missing = FASHION_MNIST_FILES.filter((f) => !existsSync(join(dir, f)));
  return missing.length === 0
    ? undefined
    : `not installed: no Fashion-MNIST in ${dir} (apt-get install dataset-fashion-mnist; ${INSTALL_HINT})`;
}

export interface TorchMlpOptions {
  hidden: number;
  batch: number;
  epochs: number;
  lr: number;
  /** Intra-op threads of one process (torch.set_num_threads). */
  threads: number;
  /** > 1: Hogwild with this many one-thread processes (threads must be 1). */
  procs?: number;
  /** Train on the first N examples only (0: all 60 000). */
  limit?: number;
  dataDir?: string;
  /** OPENBLAS_CORETYPE to run with (bench/harness/openblas.ts); unset: OpenBLAS's own pick. */
  openblasCoretype?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface ScriptOutput {
  seconds: number;
  examples: number;
  examplesPerSec: number;
  testAccuracy: number;
  torch: string;
  torchThreads?: number;
  threadpools?: ThreadpoolInfo[];
}

export async function runTorchMlp(opts: TorchMlpOptions): Promise<PeerOutcome<MlpPeerResult>> {
  const env = opts.env ?? process.env;
  const dataDir = opts.dataDir ?? FASHION_MNIST_DIR;
  const probe = probeTorch(env);
  if (!probe.ok) return { name: 'pytorch', available: false, reason: probe.reason };
  const missing = fashionMnistMissing(dataDir);
  if (missing) return { name: 'pytorch', available: false, reason: missing };
  const args = [
    join(benchDir(), 'peers', 'torch_mlp.py'), '--data', dataDir,
    '--hidden', String(opts.hidden), '--batch', String(opts.batch), '--epochs', String(opts.epochs),
    '--lr', String(opts.lr), '--threads', String(opts.threads), '--procs', String(opts.procs ?? 1),
    '--limit', String(opts.limit ?? 0),
  ];
  // Every pool pinned to the threads of one process (1 per Hogwild process), as PyTorch's docs advise.
  const run = await runMeasured(probe.python, args, { env: pinnedEnv(opts.threads, env, opts.openblasCoretype), timeoutMs: opts.timeoutMs });
  const out = lastJsonLine<ScriptOutput>(run, 'torch_mlp.py');
  return {
    name: 'pytorch',
    available: true,
    examplesPerSec: out.examplesPerSec,
    trainSeconds: out.seconds,
    wallSeconds: run.wallSeconds,
    ...(run.cpuSeconds === undefined ? {} : { cpuSeconds: run.cpuSeconds }),
    peakRssBytes: run.peakRssBytes,
    testAccuracy: out.testAccuracy,
    version: out.torch,
    threadpools: describeThreadpools(out.threadpools, out.torchThreads),
  };
}
