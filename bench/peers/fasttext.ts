/**
 * fastText peer: Debian's `fasttext` binary (`fasttext supervised … -thread T`, then
 * `fasttext test`). Its own training rate (the last "words/sec/thread" it prints, × T)
 * counts one end-of-line token per document; we rescale it to corpus tokens so every
 * implementation is measured in the same unit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { CorpusFiles } from '../data/corpus.js';
import { runMeasured, which } from '../harness/proc.js';
import { INSTALL_HINT, type PeerOutcome, type TextPeerResult } from './types.js';

export interface FasttextOptions {
  corpus: CorpusFiles;
  dim: number;
  epochs: number;
  lr: number;
  threads: number;
  /** Scratch folder for the model files (removed afterwards). */
  workDir: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** The fasttext executable: $HOGWILD_BENCH_FASTTEXT, else `fasttext` on PATH. */
export function fasttextBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return which(env.HOGWILD_BENCH_FASTTEXT ?? 'fasttext', env);
}

export function fasttextUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (fasttextBinary(env)) return undefined;
  const what = env.HOGWILD_BENCH_FASTTEXT ? `${env.HOGWILD_BENCH_FASTTEXT} is not executable` : 'no fasttext on PATH';
  return `not installed: ${what} (apt-get install fasttext; ${INSTALL_HINT})`;
}

/** The training rate fastText printed last, in words (incl. end-of-line) per second per thread. */
export function parseWordsPerSecPerThread(stderr: string): number | undefined {
  const all = [...stderr.matchAll(/words\/sec\/thread:\s*([0-9.]+)/g)];
  const last = all.at(-1);
  return last ? Number(last[1]) : undefined;
}

/** P@1 from `fasttext test` output ("P@1\t0.806"). */
export function parsePrecisionAt1(stdout: string): number | undefined {
  const m = /^P@1\s+([0-9.]+)/m.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

export async function runFasttext(opts: FasttextOptions): Promise<PeerOutcome<TextPeerResult>> {
  const env = opts.env ?? process.env;
  const bin = fasttextBinary(env);
  if (!bin) return { name: 'fasttext', available: false, reason: fasttextUnavailable(env)! };
  const dir = mkdtempSync(join(opts.workDir, 'fasttext-'));
  try {
    const model = join(dir, 'model');
    const train = await runMeasured(bin, [
      'supervised', '-input', opts.corpus.trainTxt, '-output', model,
      '-dim', String(opts.dim), '-epoch', String(opts.epochs), '-lr', String(opts.lr),
      '-thread', String(opts.threads),
    ], { env, timeoutMs: opts.timeoutMs });
    if (train.code !== 0) throw new Error(`fasttext supervised exited with ${train.signal ?? train.code}: ${train.stderr.slice(-500)}`);
    const test = await runMeasured(bin, ['test', `${model}.bin`, opts.corpus.testTxt], { env, timeoutMs: opts.timeoutMs });
    const p1 = parsePrecisionAt1(test.stdout);
    if (test.code !== 0 || p1 === undefined) throw new Error(`fasttext test failed: ${test.stderr.slice(-500)}${test.stdout.slice(-200)}`);

    const tokens = opts.corpus.trainTokens * opts.epochs;
    const wordsWithEol = (opts.corpus.trainTokens + opts.corpus.config.train) * opts.epochs;
    const wpst = parseWordsPerSecPerThread(train.stderr);
    // Without its own rate (a quiet build), fall back to the whole process's wall time.
    const trainSeconds = wpst ? wordsWithEol / (wpst * opts.threads) : train.wallSeconds;
    return {
      name: 'fasttext',
      available: true,
      tokensPerSec: tokens / trainSeconds,
      trainSeconds,
      wallSeconds: train.wallSeconds,
      ...(train.cpuSeconds === undefined ? {} : { cpuSeconds: train.cpuSeconds }),
      peakRssBytes: train.peakRssBytes,
      p1,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
