/**
 * One rank of the multi-node MLP benchmark (bench/multinode.ts starts two):
 * trains the MLP of bench/mlp_hogwild.ts with 1 thread on its shard (a
 * shuffled half of each epoch), averaging the parameters with the other rank
 * every K batches (the ModelAverage op). Rank 0 prints one JSON line: examples
 * of all ranks over the slowest rank's training time, and its test accuracy.
 *
 *   node dist-bench/bench/multinode_mlp_rank.js '<MlpTrainOptions JSON>'   (with hogwild launch's environment)
 */
import { connectFromEnv } from '../lib/distributed/index.js';
import { trainMlp, type MlpTrainOptions } from './mlp_hogwild.js';

const options = JSON.parse(process.argv[2] ?? '{}') as MlpTrainOptions;
const group = await connectFromEnv();
try {
  group.useInNets();
  const r = await trainMlp({ ...options, threads: 1, shards: group.size, shard: group.rank, shuffle: true });
  const slowest = new Float32Array([r.trainSeconds]);
  await group.allreduce(slowest, { op: 'max' });
  if (group.rank === 0) {
    const examples = r.examples * group.size;
    process.stdout.write(`${JSON.stringify({ examples, trainSeconds: slowest[0], examplesPerSec: examples / slowest[0]!, testAccuracy: r.testAccuracy })}\n`);
  }
} finally {
  group.close();
}
