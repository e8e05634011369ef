/**
 * One rank of the multi-node text benchmark (bench/multinode.ts starts two):
 * the fastText job (lib/apps/fasttext) with 1 Hogwild thread on its shard (its
 * own shuffle, 1/size of each epoch's examples), parameters averaged with the
 * other rank every K updates (ModelAverage) and once more at the end, so the
 * replicas end equal. Rank 0 saves the model and prints one JSON line: the
 * slowest rank's in-loop seconds.
 *
 *   node dist-bench/bench/multinode_text_rank.js '{"input":…,"output":…,"dim":16,"epoch":5,"lr":0.5,"averageEvery":K}'
 */
import { buildFastTextJob, FASTTEXT_BLOBS } from '../lib/apps/fasttext/FastTextJob.js';
import { saveFastTextModel } from '../lib/apps/fasttext/FastTextModel.js';
import { allreduceBlobs, connectFromEnv } from '../lib/distributed/index.js';
import { JobRunner } from '../lib/session/JobRunner.js';
import { LocalSession } from '../lib/session/LocalSession.js';

interface TextRankOptions {
  input: string;
  output: string;
  dim: number;
  epoch: number;
  lr: number;
  averageEvery: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as TextRankOptions;
const group = await connectFromEnv();
try {
  group.useInNets();
  const ft = await buildFastTextJob({ input: o.input, dim: o.dim, epoch: o.epoch, lr: o.lr, thread: 1, seed: 1 }, { shards: group.size, shard: group.rank, averageEvery: o.averageEvery });
  await using session = new LocalSession();
  const runner = new JobRunner(ft.job, { report: ft.report });
  let trainMs = 0;
  runner.on('epochEnd', (e) => (trainMs += e.runMs));
  const last = await runner.train(session, { maxEpochs: ft.options.epoch });
  await allreduceBlobs(session, group, [FASTTEXT_BLOBS.input, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias], 'mean');
  const slowest = new Float32Array([trainMs / 1000]);
  await group.allreduce(slowest, { op: 'max' });
  if (group.rank === 0) {
    await saveFastTextModel(session, `${o.output}.bin`, ft, last);
    process.stdout.write(`${JSON.stringify({ trainSeconds: slowest[0], tokens: ft.tokensPerEpoch * o.epoch })}\n`);
  }
} finally {
  group.close();
}
