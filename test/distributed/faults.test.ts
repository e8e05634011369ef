// Faults: a rank of a 2-rank job (1 thread each, parameters averaged after
// every epoch, a checkpoint per rank per epoch) is SIGKILLed at a random
// epoch, during training or during a checkpoint save; the launcher restarts
// both ranks from the newest checkpoint valid on both, and the final
// parameters must equal an uninterrupted run's bit for bit. npm test runs
// HOGWILD_FAULT_RUNS kills (default 20, under a second each).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { mulberry32 } from '../../lib/util/prng.js';
import { compileLib, removeCompiled, scratch } from '../cli/helpers.js';
import { glooOrWarn } from './helpers.js';

const gloo = glooOrWarn('test/distributed/faults.test.ts (kills during training and saves)');
const RUNS = Number(process.env.HOGWILD_FAULT_RUNS ?? 20);
const SEED = Number(process.env.HOGWILD_FAULT_SEED ?? 12);
const EPOCHS = 4; // faultJob.mjs's maxEpochs
const job = join(import.meta.dirname, 'fixtures', 'faultJob.mjs');

let dist = '';
beforeAll(() => {
  if (gloo) dist = compileLib('faults');
}, 180_000);
afterAll(() => {
  if (dist) removeCompiled(dist);
});

interface Outcome {
  ok: boolean;
  attempts: number;
  stdout: string;
  stderr: string;
  params: Record<number, Record<string, string>>;
}

/** One `hogwild launch --nodes 2 --max-restarts 1 --checkpoint-dir …` of faultJob.mjs, in this process. */
async function launchOnce(fault: string | undefined): Promise<Outcome> {
  const { launch } = (await import(join(dist, 'distributed', 'launcher.js'))) as typeof import('../../lib/distributed/launcher.js');
  const store = scratch('faults-store');
  const checkpoints = scratch('faults-ckpt');
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  err.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const saved = { dist: process.env.HOGWILD_TEST_DIST, fault: process.env.HOGWILD_TEST_FAULT };
  process.env.HOGWILD_TEST_DIST = dist;
  if (fault) process.env.HOGWILD_TEST_FAULT = fault;
  else delete process.env.HOGWILD_TEST_FAULT;
  try {
    const r = await launch({ script: job, nodes: 2, store, checkpointDir: checkpoints, maxRestarts: 1, timeoutMs: 5000, rendezvousTimeoutMs: 10_000, graceMs: 1000, out, err });
    const params: Record<number, Record<string, string>> = {};
    for (const m of stdout.matchAll(/^\[rank (\d+)\] (\{"rank".*\})$/gm)) params[Number(m[1])] = (JSON.parse(m[2]!) as { params: Record<string, string> }).params;
    return { ok: r.ok, attempts: r.attempts, stdout, stderr, params };
  } finally {
    for (const [k, v] of [['HOGWILD_TEST_DIST', saved.dist], ['HOGWILD_TEST_FAULT', saved.fault]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(store, { recursive: true, force: true });
    rmSync(checkpoints, { recursive: true, force: true });
  }
}

/** The faults, drawn from SEED: half during training, half during a save; ranks and epochs at random. */
function faults(): string[] {
  const r = mulberry32(SEED);
  return Array.from({ length: RUNS }, (_, i) => {
    const rank = Math.floor(r() * 2);
    const where = i % 2 === 0 ? 'train' : 'save';
    // Saves happen for epochs 0 (the fresh start) to EPOCHS; training for 1 to EPOCHS.
    const epoch = where === 'save' ? Math.floor(r() * (EPOCHS + 1)) : 1 + Math.floor(r() * EPOCHS);
    return `${rank}:${epoch}:${where}`;
  });
}

describe.skipIf(!gloo)('faults: a rank killed during training or a save', () => {
  let reference: Outcome;
  let tornSaves = 0;

  it('an uninterrupted run ends with equal parameters on both ranks (averaged each epoch)', async () => {
    reference = await launchOnce(undefined);
    expect(reference.ok, reference.stderr).toBe(true);
    expect(reference.attempts).toBe(1);
    expect(Object.keys(reference.params).sort()).toEqual(['0', '1']);
    expect(reference.params[1]).toEqual(reference.params[0]);
  }, 60_000);

  it.each(faults())('kill %s: restarted from the newest common checkpoint, final parameters equal bit for bit', async (fault) => {
    const [rank, epoch, where] = fault.split(':');
    const r = await launchOnce(fault);
    expect(r.ok, `${r.stderr}\n${r.stdout}`).toBe(true);
    // Rank 0 says where the second attempt resumed (nothing: from scratch).
    const m = /\[rank 0\] Resumed from epoch (\d+) on every node/.exec(r.stdout);
    const resumed = m ? Number(m[1]) : -1;
    const before = Number(epoch) - 1; // -1: no common checkpoint, a fresh start
    if (where === 'train') expect(resumed).toBe(before); // the epoch's own checkpoint was never started
    else {
      // A kill in the middle of the write leaves no valid file for that epoch; one
      // that lost the race to the commit leaves it. Both are correct resumes.
      expect([before, Number(epoch)]).toContain(resumed);
      if (resumed === before) tornSaves++;
    }
    expect(r.attempts).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`attempt 0 failed: .*rank ${rank} \\(SIGKILL\\)`));
    expect(r.params[0]).toEqual(reference.params[0]);
    expect(r.params[1]).toEqual(reference.params[0]);
  }, 60_000);

  it('some kills landed in the middle of a save (the resume went back past that epoch)', () => {
    expect(tornSaves).toBeGreaterThan(0);
  });
});
