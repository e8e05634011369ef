import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { FULL_CORPUS, ensureCorpusFiles } from '../../bench/data/corpus.js';
import {
  fasttextModelDir, fasttextUnavailable, parsePrecisionAt1, parseWordsPerSecPerThread, runFasttext, runFasttextPredict,
} from '../../bench/peers/fasttext.js';
import { describeThreadpools, pinnedEnv } from '../../bench/peers/pinnedEnv.js';
import { bestOpenblasCoretype, recordOpenblasCoretypes } from '../../bench/harness/openblas.js';
import { probeTorch } from '../../bench/peers/python.js';
import { fashionMnistMissing, runTorchMlp } from '../../bench/peers/torch_mlp.js';
import { runTorchText } from '../../bench/peers/torch_text.js';

const scratch = mkdtempSync(join(tmpdir(), 'peers-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const corpus = ensureCorpusFiles({ ...FULL_CORPUS, train: 2_000, test: 500 }, join(scratch, 'cache'));

const emptyPath = mkdtempSync(join(scratch, 'bin-'));
const noPeers = { ...process.env, PATH: emptyPath };

/** A python3 that cannot import anything (exits 1). */
const brokenPython = join(scratch, 'python3');
writeFileSync(brokenPython, '#!/bin/sh\nexit 1\n');
chmodSync(brokenPython, 0o755);

describe('peers that are not installed', () => {
  test('fasttext missing from PATH is reported, not thrown', async () => {
    const r = await runFasttext({ corpus, dim: 16, epochs: 1, lr: 0.5, threads: 1, workDir: scratch, env: noPeers });
    expect(r).toEqual({ name: 'fasttext', available: false, reason: expect.stringMatching(/^not installed: no fasttext on PATH/) });
    expect(fasttextUnavailable({ ...process.env, HOGWILD_BENCH_FASTTEXT: '/nonexistent/fasttext' }))
      .toMatch(/not installed: \/nonexistent\/fasttext is not executable/);
  });

  test('a python without torch, or none at all, is reported for both torch peers', async () => {
    const none = { ...noPeers, HOGWILD_BENCH_PYTHON: 'python3' };
    const text = await runTorchText({ corpus, dim: 16, epochs: 1, procs: 1, env: none });
    expect(text).toEqual({ name: 'pytorch', available: false, reason: expect.stringMatching(/^not installed: python3 is not executable/) });
    const broken = { ...process.env, HOGWILD_BENCH_PYTHON: brokenPython };
    const mlp = await runTorchMlp({ hidden: 8, batch: 64, epochs: 1, lr: 0.1, threads: 1, env: broken });
    expect(mlp).toEqual({ name: 'pytorch', available: false, reason: expect.stringMatching(/cannot import torch and numpy/) });
  });

  test('a missing dataset is reported', () => {
    expect(fashionMnistMissing('/nonexistent')).toMatch(/^not installed: no Fashion-MNIST in \/nonexistent \(apt-get install dataset-fashion-mnist/);
  });
});

test('peers run pinned: every pool at the case\'s threads, the chosen OpenBLAS core type, nothing inherited', () => {
  const env = pinnedEnv(2, { PATH: '/bin', OPENBLAS_CORETYPE: 'Prescott', OPENBLAS_L2_SIZE: '1', OMP_NUM_THREADS: '8' }, 'SkylakeX');
  expect(env).toEqual({ PATH: '/bin', OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2', MKL_NUM_THREADS: '2', OPENBLAS_CORETYPE: 'SkylakeX' });
  expect(pinnedEnv(1, { OPENBLAS_CORETYPE: 'Prescott' })).not.toHaveProperty('OPENBLAS_CORETYPE');
  expect(describeThreadpools([{ user_api: 'blas', internal_api: 'openblas', version: '0.3.21', architecture: 'SkylakeX', num_threads: 1 }, { user_api: 'openmp', num_threads: 1 }], 1))
    .toBe('threadpoolctl: openblas 0.3.21 SkylakeX ×1, openmp ×1; torch threads 1');
});

test('the OpenBLAS core type the GEMM suite measured fastest is what the MLP suite uses', () => {
  const cacheDir = join(scratch, 'coretype-cache');
  recordOpenblasCoretypes(cacheDir, [
    { coretype: '', architecture: 'Prescott', gflops: 40 },
    { coretype: 'SkylakeX', architecture: 'SkylakeX', gflops: 90 },
    { coretype: 'Cooperlake', architecture: 'Cooperlake', gflops: 70 },
  ]);
  const logs: string[] = [];
  const choice = bestOpenblasCoretype({ cacheDir, quick: true, log: (m) => logs.push(m) });
  expect(choice).toMatchObject({ coretype: 'SkylakeX', architecture: 'SkylakeX' });
  expect(logs).toEqual([]); // reused, not measured again
  recordOpenblasCoretypes(cacheDir, [{ coretype: '', architecture: 'Haswell', gflops: 50 }, { coretype: 'SkylakeX', architecture: 'SkylakeX', gflops: 10 }]);
  expect(bestOpenblasCoretype({ cacheDir, quick: true, log: () => undefined })).toEqual({ architecture: 'Haswell', tried: expect.any(Array) });
});

test('parses fastText output', () => {
  const stderr = 'Read 0M words\rProgress:  50.0% words/sec/thread: 1000 lr: 0.2\rProgress: 100.0% words/sec/thread:  4562064 lr:  0.000000 avg.loss:  1.23 ETA:   0h 0m 0s\n';
  expect(parseWordsPerSecPerThread(stderr)).toBe(4562064);
  expect(parsePrecisionAt1('N\t20000\nP@1\t0.806\nR@1\t0.806\n')).toBe(0.806);
  expect(parseWordsPerSecPerThread('nothing')).toBeUndefined();
});

// The real peers, on tiny data, where they are installed (scripts/install-peers.sh).
const haveFasttext = fasttextUnavailable() === undefined;
const haveTorch = probeTorch().ok;

describe.skipIf(!haveFasttext)('fasttext (installed)', () => {
  test('trains and tests, measuring rate, memory and P@1', async () => {
    const r = await runFasttext({ corpus, dim: 8, epochs: 1, lr: 0.5, threads: 2, workDir: scratch });
    if (!r.available) throw new Error(r.reason);
    expect(r.tokensPerSec).toBeGreaterThan(1e4);
    expect(r.p1).toBeGreaterThanOrEqual(0);
    expect(r.p1).toBeLessThanOrEqual(1);
    expect(r.peakRssBytes).toBeGreaterThan(1e6);
    // Its model stays for `fasttext predict`, which reads stdin and is measured the same way.
    const p = await runFasttextPredict({ model: join(fasttextModelDir(scratch), 'model.bin'), input: corpus.testTxt, lines: 500 });
    if (!p.available) throw new Error(p.reason);
    expect(p.linesPerSec).toBeGreaterThan(100);
    expect(p.peakRssBytes).toBeGreaterThan(1e5);
    const missing = await runFasttextPredict({ model: join(scratch, 'none.bin'), input: corpus.testTxt, lines: 500 });
    expect(missing).toMatchObject({ available: false, reason: expect.stringMatching(/no fastText model/) });
  });
});

describe.skipIf(!haveTorch)('pytorch (installed)', () => {
  test('text model: Hogwild with 2 processes', async () => {
    const r = await runTorchText({ corpus, dim: 8, epochs: 1, procs: 2 });
    if (!r.available) throw new Error(r.reason);
    expect(r.tokensPerSec).toBeGreaterThan(1e4);
    expect(r.peakRssBytes).toBeGreaterThan(1e6);
    expect(r.version).toMatch(/^\d/);
    // What the pools were, as threadpoolctl saw them: one thread per Hogwild process.
    expect(r.threadpools).toMatch(/^threadpoolctl: .*torch threads 1$/);
    expect(r.threadpools).not.toMatch(/×(?!1\b)\d/);
  });

  test.skipIf(fashionMnistMissing() !== undefined)('MLP on 1 000 Fashion-MNIST examples', async () => {
    const r = await runTorchMlp({ hidden: 32, batch: 64, epochs: 1, lr: 0.1, threads: 1, limit: 1_000 });
    if (!r.available) throw new Error(r.reason);
    expect(r.examplesPerSec).toBeGreaterThan(100);
    expect(r.testAccuracy).toBeGreaterThan(0.1);
  });
});
