// Two "hosts" in one machine: each rank in its own network namespace, joined
// by a veth pair, so Gloo's TCP path runs across interfaces with addresses that
// exist only inside the namespaces (not over 127.0.0.1). Needs root and iproute2.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { removeCompiled } from '../cli/helpers.js';
import { compileDistributed, glooOrWarn, startRanks } from './helpers.js';

const tag = `hw${process.pid % 100000}`;
const nsA = `${tag}a`;
const nsB = `${tag}b`;
const subnet = `10.213.${process.pid % 250}`;
const addrA = `${subnet}.1`;
const addrB = `${subnet}.2`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

/** Creates the namespaces and the veth pair; false (with a loud warning) where that is not allowed. */
function setUpNamespaces(): boolean {
  try {
    ip('netns', 'add', nsA);
    ip('netns', 'add', nsB);
    ip('link', 'add', `${tag}va`, 'type', 'veth', 'peer', 'name', `${tag}vb`);
    ip('link', 'set', `${tag}va`, 'netns', nsA);
    ip('link', 'set', `${tag}vb`, 'netns', nsB);
    ip('-n', nsA, 'addr', 'add', `${addrA}/24`, 'dev', `${tag}va`);
    ip('-n', nsB, 'addr', 'add', `${addrB}/24`, 'dev', `${tag}vb`);
    for (const [ns, dev] of [[nsA, `${tag}va`], [nsB, `${tag}vb`]] as const) {
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    return true;
  } catch (err) {
    tearDown();
    console.warn(`\n*** SKIPPED test/distributed/netns.test.ts: cannot create network namespaces (needs root and iproute2): ${(err as Error).message.split('\n')[0]} ***\n`);
    return false;
  }
}

function tearDown(): void {
  for (const ns of [nsA, nsB]) {
    try {
      ip('netns', 'del', ns); // removes the veth end inside it, and so the pair
    } catch {
      /* not created */
    }
  }
}

const gloo = glooOrWarn('test/distributed/netns.test.ts');
const namespaces = gloo && setUpNamespaces();

let dist = '';
let store = '';
beforeAll(() => {
  if (!namespaces) return;
  dist = compileDistributed('netns');
  store = mkdtempSync(join(tmpdir(), 'hogwild-netns-'));
}, 120_000);
afterAll(() => {
  tearDown();
  if (dist) removeCompiled(dist);
  if (store) rmSync(store, { recursive: true, force: true });
});

describe.skipIf(!namespaces)('two ranks in two network namespaces joined by a veth pair', () => {
  it('run every collective correctly over the veth link', async () => {
    const results = await startRanks([0, 1], 'collectives', {
      size: 2,
      store,
      prefix: 'netns',
      dist,
      perRank: (rank) => ({ wrap: ['ip', 'netns', 'exec', rank === 0 ? nsA : nsB], env: { HOGWILD_HOSTNAME: rank === 0 ? addrA : addrB } }),
    });
    for (const r of results) {
      expect(r.code, `rank ${r.rank}: ${r.stderr}`).toBe(0);
      expect(r.lines[0]!.sum).toEqual([0, 3, 2997]);
      expect(r.lines[0]!.gathered).toEqual([0, 0, 1, 10]);
    }
  });

  it('reach each other only through the veth pair (the test crosses interfaces, not loopback)', () => {
    const route = execFileSync('ip', ['-n', nsA, 'route', 'get', addrB], { encoding: 'utf8' });
    expect(route).toContain(`dev ${tag}va`);
    expect(execFileSync('ip', ['-n', nsA, 'addr', 'show'], { encoding: 'utf8' })).not.toContain(addrB);
  });
});
