// Multi-node collectives over Gloo: ranks as real processes meeting in a
// FileStore directory or a real redis-server, and the failures mapped to codes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DistributedError } from '../../lib/distributed/errors.js';
import { ProcessGroup } from '../../lib/distributed/ProcessGroup.js';
import { removeCompiled } from '../cli/helpers.js';
import { compileDistributed, glooOrWarn, hasRedis, startRanks, startRedis, type RankResult } from './helpers.js';

const gloo = glooOrWarn('test/distributed/collectives.test.ts');
const redis = gloo && hasRedis();
if (gloo && !redis) console.warn('\n*** SKIPPED the Redis rendezvous test: redis-server is not installed (apt-get install redis-server). ***\n');

let dist = '';
let store = '';
beforeAll(() => {
  if (!gloo) return;
  dist = compileDistributed('collectives');
  store = mkdtempSync(join(tmpdir(), 'hogwild-rdv-'));
}, 120_000);
afterAll(() => {
  if (dist) removeCompiled(dist);
  if (store) rmSync(store, { recursive: true, force: true });
});

function expectCollectives(results: RankResult[], size: number): void {
  const n = 1000;
  const rankSum = (size * (size + 1)) / 2;
  for (const r of results) {
    expect(r.code, `rank ${r.rank}: ${r.stderr}`).toBe(0);
    const line = r.lines[0]!;
    expect(line.sum).toEqual([0, rankSum, rankSum * (n - 1)]);
    expect(line.mean).toEqual([size - 1, size - 1 + n - 1]);
    expect(line.max).toEqual([size - 1, 0]);
    expect(line.bcast).toEqual([7, 7, 7, 7, 7]);
    expect(line.gathered).toEqual(Array.from({ length: size }, (_, k) => [k, k * 10]).flat());
    expect(line.anyStop).toBe(true);
    expect(line.noneStop).toBe(false);
  }
}

describe.skipIf(!gloo)('collectives between processes', () => {
  it('allreduce (sum, mean, max), broadcast, barrier, allgather and any() are exact with 3 ranks over a FileStore', async () => {
    const results = await startRanks([0, 1, 2], 'collectives', { size: 3, store, prefix: 'file-3', dist });
    expectCollectives(results, 3);
  });

  it.skipIf(!redis)('meets in a real redis-server (RedisStore) with 2 ranks', async () => {
    const server = await startRedis();
    try {
      const results = await startRanks([0, 1], 'collectives', { size: 2, store: server.url, prefix: 'redis-2', dist });
      expectCollectives(results, 2);
    } finally {
      await server.stop();
    }
  });

  it('model averaging keeps every replica at the mean of all ranks (w += mean - snapshot)', async () => {
    const results = await startRanks([0, 1], 'average', { size: 2, store, prefix: 'average-2', dist });
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      const line = r.lines[0]!;
      expect(line.rounds as number).toBeGreaterThanOrEqual(2);
      // Ranks start at 0 and 4 and add 50 × 0.001 and 70 × 0.002 over training: the mean is 2.095.
      expect(line.mean0 as number).toBeCloseTo(2.095, 4);
      // Rank 0 stopped first but kept joining rank 1's rounds; the last round
      // (every rank voted stop) came after all updates: replicas are equal.
      expect(line.spread as number).toBeLessThan(1e-5);
    }
  });
});

describe.skipIf(!gloo)('failures become DistributedErrors with stable codes', () => {
  it('a killed rank makes the others fail with HOGWILD_PEER_LOST within the timeout (no hang, no abort)', async () => {
    const t0 = Date.now();
    const results = await startRanks([0, 1, 2], 'peerLost', { size: 3, store, prefix: 'peer-lost', dist, timeoutMs: 4000 });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(results[1]!.signal).toBe('SIGKILL');
    for (const r of [results[0]!, results[2]!]) {
      expect(r.code, r.stderr).toBe(3);
      expect(r.lines[0]!.error).toBe('HOGWILD_PEER_LOST');
    }
  });

  it('model averaging by time fails with HOGWILD_PEER_LOST when a rank dies (stats() and stop() report it)', async () => {
    const [r0, r1] = await startRanks([0, 1], 'averageLost', { size: 2, store, prefix: 'average-lost', dist, timeoutMs: 2000 });
    expect(r1!.signal).toBe('SIGKILL');
    expect(r0!.code, r0!.stderr).toBe(0);
    expect(r0!.lines[0]!.roundsBefore as number).toBeGreaterThanOrEqual(2);
    expect(r0!.lines[0]!.statsError).toBe('HOGWILD_PEER_LOST');
    expect(r0!.lines[0]!.stopError).toBe('HOGWILD_PEER_LOST');
  });

  it('an aborted collective rejects with HOGWILD_ABORTED at once and closes the group', async () => {
    const [a, b] = await Promise.all([
      ProcessGroup.connect({ rank: 0, size: 2, store, prefix: 'abort', timeoutMs: 1500 }),
      ProcessGroup.connect({ rank: 1, size: 2, store, prefix: 'abort', timeoutMs: 1500 }),
    ]);
    const ctl = new AbortController();
    const t0 = Date.now();
    const pending = a.barrier({ signal: ctl.signal }); // rank 1 never joins
    setTimeout(() => ctl.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'HOGWILD_ABORTED' });
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(a.barrier()).rejects.toMatchObject({ code: 'HOGWILD_DISPOSED' });
    await expect(b.allreduce(new Float32Array(4), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'HOGWILD_ABORTED' });
    b.close();
  });

  it('a rank that never arrives fails the rendezvous with HOGWILD_RENDEZVOUS_TIMEOUT naming it', async () => {
    const err = await ProcessGroup.connect({ rank: 0, size: 2, store, prefix: 'lonely', rendezvousTimeoutMs: 800 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DistributedError);
    expect((err as DistributedError).code).toBe('HOGWILD_RENDEZVOUS_TIMEOUT');
    expect((err as Error).message).toMatch(/rank\(s\) 1 of 2 never arrived/);
  });

  it('a reused store prefix fails with HOGWILD_STORE_PREFIX_REUSED', async () => {
    const first = await ProcessGroup.connect({ rank: 0, size: 1, store, prefix: 'reused' });
    first.close();
    const err = await ProcessGroup.connect({ rank: 0, size: 1, store, prefix: 'reused' }).catch((e: unknown) => e);
    expect((err as DistributedError).code).toBe('HOGWILD_STORE_PREFIX_REUSED');
  });

  it('ranks of different jobs fail with HOGWILD_JOB_MISMATCH (fingerprint checked at rendezvous)', async () => {
    const [a, b] = await Promise.allSettled([
      ProcessGroup.connect({ rank: 0, size: 2, store, prefix: 'mismatch', fingerprint: 'job-a', rendezvousTimeoutMs: 5000 }),
      ProcessGroup.connect({ rank: 1, size: 2, store, prefix: 'mismatch', fingerprint: 'job-b', rendezvousTimeoutMs: 5000 }),
    ]);
    for (const r of [a, b]) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason.code).toBe('HOGWILD_JOB_MISMATCH');
    }
    expect((a as PromiseRejectedResult).reason.message).toMatch(/Rank 1 runs a different job \(fingerprint job-b\)/);
  });

  it('an unreachable Redis store fails with HOGWILD_STORE_UNAVAILABLE', async () => {
    const err = await ProcessGroup.connect({ rank: 0, size: 1, store: 'redis://127.0.0.1:1', prefix: 'x' }).catch((e: unknown) => e);
    expect((err as DistributedError).code).toBe('HOGWILD_STORE_UNAVAILABLE');
  });

  it('rejects bad arguments before touching Gloo', async () => {
    await expect(ProcessGroup.connect({ rank: 2, size: 2, store, prefix: 'p' })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    await expect(ProcessGroup.connect({ rank: 0, size: 1, store: 'http://x', prefix: 'p' })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    const g = await ProcessGroup.connect({ rank: 0, size: 1, store, prefix: 'single' });
    expect(() => g.averageModel([new Float32Array(4)], {})).toThrow(/everyBatches > 0 or everyMs > 0/);
    await expect(g.broadcast(new Float32Array(2), 1)).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    await expect(g.allgather(new Float32Array(2), new Float32Array(3))).rejects.toMatchObject({ code: 'HOGWILD_SHAPE_MISMATCH' });
    // A single rank: the collectives are identities (mean included).
    const v = new Float32Array([1, 2]);
    await g.allreduce(v, { op: 'mean' });
    expect([...v]).toEqual([1, 2]);
    g.close();
    await expect(g.barrier()).rejects.toMatchObject({ code: 'HOGWILD_DISPOSED' });
  });
});
