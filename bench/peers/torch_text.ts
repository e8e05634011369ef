/**
 * PyTorch peer of the text benchmark (torch_text.py): the fastText model as
 * EmbeddingBag(mean, sparse) + Linear, batches of 64, SGD; one thread, or Hogwild with
 * `procs` processes sharing the weights.
 */
import { join } from 'node:path';

import type { CorpusFiles } from '../data/corpus.js';
import { benchDir } from '../harness/paths.js';
import { lastJsonLine, runMeasured } from '../harness/proc.js';
import { describeThreadpools, pinnedEnv, type ThreadpoolInfo } from './pinnedEnv.js';
import { probeTorch } from './python.js';
import type { PeerOutcome, TextPeerResult } from './types.js';

export interface TorchTextOptions {
  corpus: CorpusFiles;
  dim: number;
  epochs: number;
  /** 1: one process, one thread; N > 1: Hogwild with N one-thread processes. */
  procs: number;
  batch?: number;
  /** Learning rate on the batch-mean loss; torch_text.py's default when omitted. */
  lr?: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface ScriptOutput {
  seconds: number;
  tokens: number;
  tokensPerSec: number;
  p1: number;
  torch: string;
  torchThreads?: number;
  threadpools?: ThreadpoolInfo[];
}

export async function runTorchText(opts: TorchTextOptions): Promise<PeerOutcome<TextPeerResult>> {
  const env = opts.env ?? process.env;
  const probe = probeTorch(env);
  if (!probe.ok) return { name: 'pytorch', available: false, reason: probe.reason };
  const args = [
    join(benchDir(), 'peers', 'torch_text.py'),
    '--train', opts.corpus.trainPrefix, '--test', opts.corpus.testPrefix,
    '--vocab', String(opts.corpus.config.vocab), '--classes', String(opts.corpus.config.classes),
    '--dim', String(opts.dim), '--epochs', String(opts.epochs), '--procs', String(opts.procs),
    '--batch', String(opts.batch ?? 64),
    ...(opts.lr === undefined ? [] : ['--lr', String(opts.lr)]),
  ];
  // One thread per process: every pool pinned to 1, as PyTorch's Hogwild docs advise.
  const run = await runMeasured(probe.python, args, { env: pinnedEnv(1, env), timeoutMs: opts.timeoutMs });
  const out = lastJsonLine<ScriptOutput>(run, 'torch_text.py');
  return {
    name: 'pytorch',
    available: true,
    tokensPerSec: out.tokensPerSec,
    trainSeconds: out.seconds,
    wallSeconds: run.wallSeconds,
    ...(run.cpuSeconds === undefined ? {} : { cpuSeconds: run.cpuSeconds }),
    peakRssBytes: run.peakRssBytes,
    p1: out.p1,
    version: out.torch,
    threadpools: describeThreadpools(out.threadpools, out.torchThreads),
  };
}
