// `hogwild launch` end to end: N ranks of a tiny job on this machine, restarts
// after a failure, a killed rank, and the one-line error without the Gloo module.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseStore } from '../../lib/distributed/store.js';
import { compileLib, removeCompiled, runCli, scratch } from '../cli/helpers.js';
import { fixture, glooOrWarn } from './helpers.js';

const gloo = glooOrWarn('test/distributed/launch.test.ts (launcher runs)');

let dist = '';
beforeAll(() => {
  dist = compileLib('launch');
}, 120_000);
afterAll(() => {
  if (dist) removeCompiled(dist);
});

function rankLines(stdout: string): { rank: number; epoch?: number; attempt?: number }[] {
  return stdout
    .split('\n')
    .map((l) => /^\[rank (\d+)\] (\{.*\})$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => JSON.parse(m[2]!) as { rank: number; epoch?: number; attempt?: number });
}

describe.skipIf(!gloo)('hogwild launch', () => {
  it('runs 3 ranks, stops all at the epoch one rank chose, and restarts every rank after a failure', async () => {
    const r = await runCli(dist, ['launch', '--nodes', '3', '--max-restarts', '1', '--timeout', '4000', fixture, '--', 'epochs', 'fail-first'], {
      env: { HOGWILD_TEST_DIST: dist },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/attempt 0 failed: rank 0 \(exit 5\); restarting \(1 of 1\)/);
    const second = rankLines(r.stdout).filter((l) => l.attempt === 1);
    expect(second.map((l) => l.rank).sort()).toEqual([0, 1, 2]);
    for (const l of second) expect(l.epoch).toBe(3);
  });

  it('trains a Job module (as hogwild run takes) on every rank, stopping all at the epoch one rank chose', async () => {
    const job = join(import.meta.dirname, 'fixtures', 'countingJob.mjs');
    const r = await runCli(dist, ['launch', '--nodes', '2', job], { env: { HOGWILD_TEST_DIST: dist }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('[rank 0] Finished epoch 3 on 2 nodes');
    expect(rankLines(r.stdout).sort((a, b) => a.rank - b.rank)).toEqual([{ rank: 0, count: 3 }, { rank: 1, count: 3 }]);
  });

  it('averages the blobs of a Job across ranks after every epoch (averageEachEpoch)', async () => {
    const job = join(import.meta.dirname, 'fixtures', 'averagingJob.mjs');
    const r = await runCli(dist, ['launch', '--nodes', '3', job], { env: { HOGWILD_TEST_DIST: dist }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    // Replicas start at 0, 10, 20 and add 1 per epoch: averaged, all hold 10 + 3.
    const lines = rankLines(r.stdout) as unknown as { rank: number; w: number[] }[];
    expect(lines.map((l) => l.rank).sort()).toEqual([0, 1, 2]);
    for (const l of lines) expect(l.w).toEqual([13, 13, 13, 13]);
  });

  it('runs collective ops inside nets (Allreduce, Barrier, Broadcast) on the launched group', async () => {
    const job = join(import.meta.dirname, 'fixtures', 'netCollectivesJob.mjs');
    const r = await runCli(dist, ['launch', '--nodes', '3', job], { env: { HOGWILD_TEST_DIST: dist }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const lines = rankLines(r.stdout) as unknown as { rank: number; w: number[]; b: number[] }[];
    expect(lines.map((l) => l.rank).sort()).toEqual([0, 1, 2]);
    for (const l of lines) expect({ w: l.w, b: l.b }).toEqual({ w: [13, 13, 13, 13], b: [101, 101] });
  });

  it.each([
    ['one epoch', [], [15, 16]],
    ['two epochs (the op counts its runs across epochs)', ['two-epochs'], [25, 27]],
  ])('averages live workspace parameters inside the training loop (ModelAverage every 3 batches): %s', async (_name, extra, expected) => {
    const job = join(import.meta.dirname, 'fixtures', 'liveAveragingJob.mjs');
    const r = await runCli(dist, ['launch', '--nodes', '2', job, '--', ...extra], { env: { HOGWILD_TEST_DIST: dist }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const lines = (rankLines(r.stdout) as unknown as { rank: number; w: number[] }[]).sort((a, b) => a.rank - b.rank);
    // Equal after the last round, then each rank's own updates since (kept: w += mean - snapshot).
    expect(lines.map((l) => l.w)).toEqual(expected.map((v) => [v, v, v]));
  });

  it('trains the fastText job on 2 ranks, each on half of every epoch, averaging the live model every 5 updates (ModelAverage)', async () => {
    const dir = scratch('launch-fasttext');
    try {
      const input = join(dir, 'train.txt');
      const words = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];
      writeFileSync(input, Array.from({ length: 40 }, (_, i) => `__label__${i % 2 === 0 ? 'a' : 'b'} ${words[i % 8]} ${words[(i * 3) % 8]} ${i % 2 === 0 ? 'even' : 'odd'}`).join('\n') + '\n');
      const job = join(import.meta.dirname, 'fixtures', 'fastTextShardsJob.mjs');
      const runJob = async (mode: string[]) => {
        const r = await runCli(dist, ['launch', '--nodes', '2', job, '--', input, ...mode], { env: { HOGWILD_TEST_DIST: dist }, timeoutMs: 60_000 });
        expect(r.code, r.stderr).toBe(0);
        return (rankLines(r.stdout) as unknown as { rank: number; batches: number; w: number[] }[]).sort((a, b) => a.rank - b.rank);
      };
      const averaged = await runJob([]);
      expect(averaged.map((l) => l.batches)).toEqual([20, 20]); // half of the 40 one-example updates each
      expect(averaged[0]!.w.some((v) => v !== 0)).toBe(true); // trained (the output layer starts at 0)
      averaged[0]!.w.forEach((v, i) => expect(averaged[1]!.w[i]).toBeCloseTo(v, 5));
      // Without averaging, the two halves give two different models.
      const apart = await runJob(['no-average']);
      expect(apart[0]!.w.some((v, i) => Math.abs(v - apart[1]!.w[i]!) > 1e-3)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('restarts from the newest checkpoint valid on every rank after a rank dies (per-rank checkpoints)', async () => {
    const dir = scratch('launch-checkpoints');
    try {
      const job = join(import.meta.dirname, 'fixtures', 'checkpointJob.mjs');
      const r = await runCli(dist, ['launch', '--nodes', '2', '--max-restarts', '1', '--timeout', '5000', '--checkpoint-dir', dir, job], {
        env: { HOGWILD_TEST_DIST: dist },
        timeoutMs: 60_000,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/\[rank 0\] hogwild rank 0: .*\[HOGWILD_PEER_LOST\]/);
      expect(r.stderr).toMatch(/attempt 0 failed: rank 0 \(exit 1\), rank 1 \(exit 7\); restarting/);
      // Rank 0's epoch 2 is valid but rank 1's is not: both resume from epoch 1.
      expect(r.stdout).toContain('[rank 0] Resumed from epoch 1 on every node');
      expect(rankLines(r.stdout).sort((a, b) => a.rank - b.rank)).toEqual([{ rank: 0, count: 5 }, { rank: 1, count: 5 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs Caffe2's 3-node checkpoint pipeline with its Nodes as processes: per-node checkpoints, partial loads, upload", async () => {
    const dir = scratch('launch-caffe2-nodes');
    try {
      const ckpt = join(dir, 'ckpt');
      const upload = join(dir, 'upload');
      mkdirSync(upload);
      const jobFile = join(import.meta.dirname, 'fixtures', 'caffe2NodesJob.mjs');
      const r = await runCli(dist, ['launch', '--nodes', '3', '--checkpoint-dir', ckpt, jobFile, '--', upload], { env: { HOGWILD_TEST_DIST: dist }, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('[rank 0] Finished epoch 4 on 3 nodes');
      // Rank i ran node trainer_i only, in its own workspace: its total, none of the others'.
      expect(rankLines(r.stdout).sort((a, b) => a.rank - b.rank)).toEqual([0, 1, 2].map((rank) => ({ rank, total: 145, others: 0 })));
      // One file per node and epoch (Caffe2's names), and each node's last one uploaded.
      for (const node of ['trainer_0', 'trainer_1', 'trainer_2']) {
        for (let epoch = 0; epoch <= 4; epoch++) expect(existsSync(join(ckpt, `${node}.${epoch}`)), `${node}.${epoch}`).toBe(true);
        expect(readFileSync(join(upload, node)).equals(readFileSync(join(ckpt, `${node}.4`)))).toBe(true);
      }
      // Partial loads (test_ckpt_name_and_load_model_from_ckpts): in one process, the
      // model blobs of nodes 1 and 2 load from the ranks' files, epoch by epoch.
      process.env.HOGWILD_TEST_DIST = dist;
      const hw = (await import(join(dist, 'index.js'))) as typeof import('../../lib/index.js');
      const { buildJob } = (await import(jobFile)) as { buildJob: () => { job: InstanceType<typeof hw.Job>; totals: unknown[] } };
      const { job, totals } = buildJob();
      const names = totals.slice(1).map(String);
      expect(names).toEqual(['trainer_1/task/GivenTensorInt64Fill_2:0', 'trainer_2/task/GivenTensorInt64Fill_2:0']);
      await using session = new hw.LocalSession();
      job.compile(hw.LocalSession);
      const runner = new hw.JobRunner(job, { checkpointManager: new hw.MultiNodeCheckpointManager(ckpt, 'safetensors') });
      const expected = [103, 115, 136, 145];
      for (let epoch = 1; epoch <= 4; epoch++) {
        expect(await runner.loadBlobsFromCheckpoints(names, epoch, session)).toBe(true);
        for (const name of names) expect(Number(session.workspace.fetch(name).data[0])).toBe(expected[epoch - 1]);
      }
      expect(await runner.loadBlobsFromCheckpoints(names, 5, session)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('restarts the 3 node processes from their newest common checkpoint after one dies (resume)', async () => {
    const ckpt = scratch('launch-caffe2-resume');
    try {
      const jobFile = join(import.meta.dirname, 'fixtures', 'caffe2NodesJob.mjs');
      const r = await runCli(dist, ['launch', '--nodes', '3', '--max-restarts', '1', '--timeout', '5000', '--checkpoint-dir', ckpt, jobFile], {
        env: { HOGWILD_TEST_DIST: dist, HOGWILD_TEST_KILL_EPOCH: '3' },
        timeoutMs: 60_000,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/attempt 0 failed: .*rank 1 \(SIGKILL\)/);
      expect(r.stdout).toContain('[rank 0] Resumed from epoch 2 on every node');
      expect(rankLines(r.stdout).sort((a, b) => a.rank - b.rank)).toEqual([0, 1, 2].map((rank) => ({ rank, total: 145, others: 0 })));
    } finally {
      rmSync(ckpt, { recursive: true, force: true });
    }
  });

  it('refuses a job placed on 3 Nodes launched on 2 ranks (HOGWILD_NODE_COUNT_MISMATCH)', async () => {
    const jobFile = join(import.meta.dirname, 'fixtures', 'caffe2NodesJob.mjs');
    const r = await runCli(dist, ['launch', '--nodes', '2', jobFile], { env: { HOGWILD_TEST_DIST: dist }, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/one rank per node of the job \(nodes trainer_0, trainer_1, trainer_2\).*--nodes 3 \[HOGWILD_NODE_COUNT_MISMATCH\]/);
  });

  it('fails (exit 1, no hang) when a rank is killed and no restart is left', async () => {
    const t0 = Date.now();
    const r = await runCli(dist, ['launch', '--nodes', '2', '--timeout', '3000', fixture, '--', 'peerLost'], {
      env: { HOGWILD_TEST_DIST: dist },
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.stdout).toMatch(/\[rank 0\] .*"error":"HOGWILD_PEER_LOST"/);
    expect(r.stderr).toMatch(/rank 1 \(SIGKILL\)/);
    expect(r.stderr).toMatch(/failed after 1 attempt/);
  });

  it('runs one job from two launchers (as on two hosts) and refuses ranks of different jobs (fingerprint)', async () => {
    const store = scratch('launch-store');
    try {
      const host = (rank: number, scenario: string, runId: string) =>
        runCli(dist, ['launch', '--nodes', '2', '--node-rank', String(rank), '--local-nodes', '1', '--store', store, '--run-id', runId, '--timeout', '4000', fixture, '--', scenario], {
          env: { HOGWILD_TEST_DIST: dist },
          timeoutMs: 60_000,
        });
      const same = await Promise.all([host(0, 'epochs', 'same'), host(1, 'epochs', 'same')]);
      for (const r of same) expect(r.code, r.stderr).toBe(0);
      expect(rankLines(same[0]!.stdout)).toEqual([{ rank: 0, epoch: 3, attempt: 0 }]);
      const mixed = await Promise.all([host(0, 'epochs', 'mixed'), host(1, 'collectives', 'mixed')]);
      for (const r of mixed) {
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/"connectError":"HOGWILD_JOB_MISMATCH"/);
      }
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });

  it('needs --run-id when this host starts only some ranks', async () => {
    const r = await runCli(dist, ['launch', '--nodes', '2', '--local-nodes', '1', fixture, '--', 'epochs'], { env: { HOGWILD_TEST_DIST: dist } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--run-id/);
  });
});

describe('hogwild launch without the Gloo module, and its arguments', () => {
  it('says in one line how to get the module (HOGWILD_NO_DISTRIBUTED)', async () => {
    const r = await runCli(dist, ['launch', '--nodes', '2', fixture], { env: { HOGWILD_GLOO_PATH: '/nonexistent/hogwild_gloo.node' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/apt-get install libgloo-dev.*\[HOGWILD_NO_DISTRIBUTED\]/);
  });

  it('needs --nodes', async () => {
    const r = await runCli(dist, ['launch', fixture]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--nodes/);
  });

  it('parses store addresses', () => {
    expect(parseStore('redis://10.0.0.2:7000')).toEqual({ kind: 'redis', host: '10.0.0.2', port: 7000 });
    expect(parseStore('redis://host')).toEqual({ kind: 'redis', host: 'host', port: 6379 });
    expect(parseStore('/shared/rdv')).toEqual({ kind: 'file', path: '/shared/rdv' });
    expect(() => parseStore('redis://h:99999')).toThrow(/redis:\/\/host:port/);
    expect(() => parseStore('s3://bucket')).toThrow(/directory or redis/);
  });
});
