/**
 * fastText peer: Debian's `fasttext` binary (`fasttext supervised … -thread T -seed 1`, then
 * `fasttext test`), and `fasttext predict` for the prediction rows. Its own training rate (the last "words/sec/thread" it prints, × T)
 * counts one end-of-line token per document; we rescale it to corpus tokens so every
 * implementation is measured in the same unit.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { CorpusFiles } from '../data/corpus.js';
import { runMeasured, which } from '../harness/proc.js';
import { supervisedFlags } from '../harness/textFlags.js';
import { pinnedEnv } from './pinnedEnv.js';
import { INSTALL_HINT, type PeerOutcome, type TextPeerResult } from './types.js';

export interface FasttextOptions {
  corpus: CorpusFiles;
  dim: number;
  epochs: number;
  lr: number;
  threads: number;
  /** Folder for the model files (in its `fasttext` subfolder, emptied first; the model stays for `fasttext predict`). */
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

/** Where runFasttext leaves `model.bin` for a given workDir. */
export function fasttextModelDir(workDir: string): string {
  return join(workDir, 'fasttext');
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
  // <workDir>/fasttext, emptied first; its model is kept for the prediction rows.
  const dir = fasttextModelDir(opts.workDir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  {
    const model = join(dir, 'model');
    const train = await runMeasured(bin, ['supervised', ...supervisedFlags(opts.corpus.trainTxt, model, opts)], { env: pinnedEnv(opts.threads, env), timeoutMs: opts.timeoutMs });
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
  }
}

/** What one prediction run over a file measured (ours or a peer's). */
export interface PredictResult {
  linesPerSec: number;
  wallSeconds: number;
  cpuSeconds?: number;
  peakRssBytes: number;
}

/**
 * Runs `command args…` with stdin from `input` and stdout to /dev/null (the
 * answers are not the harness's to hold), measured like every peer.
 */
export async function runPredictCommand(command: string, args: string[], input: string, lines: number, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<PredictResult> {
  const env = { ...(opts.env ?? process.env), HOGWILD_BENCH_PREDICT_INPUT: input };
  const run = await runMeasured('/bin/sh', ['-c', 'exec "$@" < "$HOGWILD_BENCH_PREDICT_INPUT" > /dev/null', 'sh', command, ...args], { env, timeoutMs: opts.timeoutMs });
  if (run.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${run.signal ?? run.code}: ${run.stderr.slice(-500)}`);
  return {
    linesPerSec: lines / run.wallSeconds,
    wallSeconds: run.wallSeconds,
    ...(run.cpuSeconds === undefined ? {} : { cpuSeconds: run.cpuSeconds }),
    peakRssBytes: run.peakRssBytes,
  };
}

/** `fasttext predict <model.bin> - < input` (one thread: fastText predicts on one). */
export async function runFasttextPredict(o: { model: string; input: string; lines: number; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<PeerOutcome<PredictResult>> {
  const env = o.env ?? process.env;
  const bin = fasttextBinary(env);
  if (!bin) return { name: 'fasttext', available: false, reason: fasttextUnavailable(env)! };
  if (!existsSync(o.model)) return { name: 'fasttext', available: false, reason: `no fastText model: fasttext supervised did not run (${o.model})` };
  return { name: 'fasttext', available: true, ...(await runPredictCommand(bin, ['predict', o.model, '-'], o.input, o.lines, { env: pinnedEnv(1, env), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) })) };
}

/** One word-vectors training process (ours or fastText's): the whole command, measured from outside. */
export interface WordVectorsRun {
  wallSeconds: number;
  cpuSeconds?: number;
  peakRssBytes: number;
  /** `<prefix>.vec` it wrote. */
  vec: string;
}

/** The flags both programs take for a word-vectors case (fastText's names; its defaults otherwise). */
export function wordVectorsFlags(o: { input: string; output: string; dim: number; epochs: number; threads: number; bucket?: number }): string[] {
  const bucket = o.bucket === undefined ? [] : ['-bucket', String(o.bucket)];
  return ['-input', o.input, '-output', o.output, '-dim', String(o.dim), '-epoch', String(o.epochs), '-thread', String(o.threads), ...bucket, '-verbose', '0'];
}

/** Runs `command args…` (a word-vectors training) measured like every peer; throws when it fails. */
export async function runWordVectorsCommand(command: string, args: string[], output: string, o: { threads: number; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<WordVectorsRun> {
  const run = await runMeasured(command, args, { env: pinnedEnv(o.threads, o.env ?? process.env), timeoutMs: o.timeoutMs });
  if (run.code !== 0) throw new Error(`${command} ${args.slice(0, 2).join(' ')} exited with ${run.signal ?? run.code}: ${run.stderr.slice(-500)}`);
  return { wallSeconds: run.wallSeconds, ...(run.cpuSeconds === undefined ? {} : { cpuSeconds: run.cpuSeconds }), peakRssBytes: run.peakRssBytes, vec: `${output}.vec` };
}

/** `fasttext cbow|skipgram -input … -output <workDir>/fasttext-<model> -dim … -epoch … -thread …`. */
export async function runFasttextWordVectors(o: {
  model: 'cbow' | 'skipgram';
  input: string;
  workDir: string;
  dim: number;
  epochs: number;
  threads: number;
  bucket?: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<PeerOutcome<WordVectorsRun>> {
  const env = o.env ?? process.env;
  const bin = fasttextBinary(env);
  if (!bin) return { name: 'fasttext', available: false, reason: fasttextUnavailable(env)! };
  mkdirSync(o.workDir, { recursive: true });
  const output = join(o.workDir, `fasttext-${o.model}`);
  const flags = wordVectorsFlags({ input: o.input, output, dim: o.dim, epochs: o.epochs, threads: o.threads, ...(o.bucket === undefined ? {} : { bucket: o.bucket }) });
  return { name: 'fasttext', available: true, ...(await runWordVectorsCommand(bin, [o.model, ...flags], output, { threads: o.threads, env, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) })) };
}
