// The collective ops of the main addon without a process group: they exist in
// every build (no Gloo needed) and fail with a clear HOGWILD_NO_DISTRIBUTED
// until hogwild/distributed lends them a group.
import { describe, expect, test } from 'vitest';

import { LocalSession, Net } from '../../lib/index.js';
import { native } from '../../lib/native/binding.js';
import { buildFastTextJob } from '../../lib/apps/fasttext/index.js';

describe('collective ops without a process group', () => {
  test.each([
    ['Allreduce', (n: Net) => n.Allreduce(['x'], ['x'])],
    ['Broadcast', (n: Net) => n.Broadcast(['x'], ['x'], { root: 0 })],
    ['Barrier', (n: Net) => n.Barrier([], [])],
    ['ModelAverage', (n: Net) => n.ModelAverage(['x'], ['x'], { every: 1 })],
  ])('%s fails with HOGWILD_NO_DISTRIBUTED', async (_name, add) => {
    await using session = new LocalSession();
    const net = new Net('collective');
    net.ConstantFill([], ['x'], { shape: [2], value: 1.5 });
    add(net);
    await expect(session.run(net)).rejects.toMatchObject({ code: 'HOGWILD_NO_DISTRIBUTED', message: expect.stringMatching(/hogwild launch/) });
  });

  test('bad arguments and a bad backend are refused', async () => {
    await using session = new LocalSession();
    const net = new Net('bad');
    net.ConstantFill([], ['x'], { shape: [2], value: 1.5 });
    net.Allreduce(['x'], ['x'], { reduce: 'median' });
    await expect(session.run(net)).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT', message: expect.stringMatching(/median/) });
    const two = new Net('two');
    two.ConstantFill([], ['x'], { shape: [2], value: 1.5 });
    two.Allreduce(['x'], ['x', 'y']);
    await expect(session.run(two)).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    for (const [name, add, pattern] of [
      ['every', (n: Net) => n.ModelAverage(['x'], ['x'], { every: 0 }), /every >= 1/],
      ['not in place', (n: Net) => n.ModelAverage(['x'], ['y']), /output 0 to be its input 'x'/],
    ] as const) {
      const net = new Net(`average-${name}`);
      net.ConstantFill([], ['x'], { shape: [2], value: 1.5 });
      add(net);
      await expect(session.run(net)).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT', message: expect.stringMatching(pattern) });
    }
    expect(() => native().setCollectiveBackend({})).toThrow(/collective backend/);
    native().setCollectiveBackend(null);
  });

  test('the fastText job refuses a bad multi-node shard', async () => {
    await expect(buildFastTextJob({ input: '/nonexistent.txt' }, { shards: 2, shard: 2 })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT', message: expect.stringMatching(/shard in \[0, 2\)/) });
    await expect(buildFastTextJob({ input: '/nonexistent.txt' }, { shards: 2, shard: 0, averageEvery: -1 })).rejects.toMatchObject({ message: expect.stringMatching(/averageEvery/) });
  });
});
