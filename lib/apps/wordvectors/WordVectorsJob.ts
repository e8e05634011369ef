/**
 * fastText's unsupervised models (cbow and skipgram with negative sampling,
 * Bojanowski et al. 2017) as a hogwild Job: the classic Hogwild workload,
 * sparse updates from `thread` threads on shared rows.
 *
 * The init group builds the dictionary natively (words only: no label needed;
 * the scan already parsed and encoded the file once) and the parameters: the
 * input rows (words and character n-gram buckets) uniform in ±1/dim, the
 * output rows at 0, and the shared token counter. Each epoch pipes the encoded
 * corpus (word ids per line piece) through one WordVectorsTrain op per batch
 * on `thread` threads: subsampling, windows, negatives and the learning rate
 * schedule (linear to 0 over epoch × tokens, read from the shared counter that
 * every thread advances once per lrUpdateRate tokens) all run natively; JS is
 * never crossed per batch.
 */
import { InvalidArgumentError } from '../../errors/index.js';
import { Dataset } from '../../data/Dataset.js';
import { FastTextFile, fastTextSchema, type FastTextScan } from '../../data/files.js';
import { pipe } from '../../data/pipeline.js';
import { EpochReader } from '../fasttext/EpochReader.js';
import type { BlobRecord } from '../../data/schema.js';
import { Job } from '../../job/Job.js';
import { Task } from '../../job/Task.js';
import type { Net } from '../../net/Net.js';
import { ops } from '../../net/ops.js';
import { WORD_VECTORS_BLOBS } from './blobs.js';
import { resolveWordVectorsOptions, type ResolvedWordVectorsOptions, type WordVectorsTrainOptions } from './options.js';

/** A built word-vectors job and what a runner needs to show its progress. */
export interface WordVectorsJob {
  readonly job: Job;
  readonly options: ResolvedWordVectorsOptions;
  /** What the dictionary scan of the training file found. */
  readonly scan: FastTextScan;
  /** In-vocabulary word tokens of one pass (what the learning rate schedule counts). */
  readonly tokensPerEpoch: number;
  /** Blob of the shared token counter (int64 [1]): tokens processed so far, all epochs. */
  readonly progressBlob: string;
}

/**
 * Scans `options.input` (off the JS thread) and builds the training Job. Run it
 * with `new JobRunner(wv.job).train(session, { maxEpochs: wv.options.epoch })`,
 * then write the model with {@link wordVectorsBin}.
 *
 * @example
 * const wv = await buildWordVectorsJob({ input: 'text.txt', model: 'skipgram', dim: 50, epoch: 1, thread: 2 });
 * await using session = new LocalSession();
 * await new JobRunner(wv.job).train(session, { maxEpochs: wv.options.epoch });
 * await writeWordVectors(session.workspace, wv, 'vectors');   // vectors.bin, vectors.vec
 */
export async function buildWordVectorsJob(options: WordVectorsTrainOptions): Promise<WordVectorsJob> {
  const o = resolveWordVectorsOptions(options);
  const file = await FastTextFile.scan(o.input, {
    labelPrefix: o.label,
    minCount: o.minCount,
    bucket: o.bucket,
    minn: o.minn,
    maxn: o.maxn,
    unsupervised: true,
    threads: o.thread,
    // The init group's BuildFastTextDictionary takes this parse (dictionary and encoding): one parse per run.
    retain: true,
  });
  const scan = file.info!;
  if (scan.ids === 0) throw new InvalidArgumentError(`Expected at least one word seen ${o.minCount} times (-minCount) in ${o.input} but it has none`, 'HOGWILD_DATA');
  const B = WORD_VECTORS_BLOBS;
  const job = new Job();
  const epochData = new Dataset(fastTextSchema(), { name: 'wordvectors/epoch', blobs: ['wordvectors/epoch/label', 'wordvectors/epoch/tokens:lengths', 'wordvectors/epoch/tokens:values'] });
  const reader = job.initGroup.scope(() =>
    new Task({ name: 'wordvectors_data' }).scope(() => {
      const net = ops.net();
      const dictionary = file.buildDictionary(net, { name: 'fasttext/train', threads: o.thread });
      if (dictionary.name !== B.dictionary) throw new InvalidArgumentError(`Expected the dictionary blob to be named ${B.dictionary} but it is ${dictionary.name}`, 'HOGWILD_INTERNAL');
      return epochData.reader({ initNet: net, batchSize: o.batchSize, cursorName: 'wordvectors/cursor' });
    }),
  );
  job.initGroup.scope(() =>
    new Task({ name: 'wordvectors_params' }).scope(() => {
      const net = ops.net();
      net.UniformFill([], [B.input], { shape: [scan.inputRows, o.dim], min: -1 / o.dim, max: 1 / o.dim, seed: o.seed });
      net.ConstantFill([], [B.output], { shape: [scan.nwords, o.dim], value: 0, dtype: 'float32' });
      net.ConstantFill([], [B.progress], { shape: [1], value: 0, dtype: 'int64' });
    }),
  );
  // Per process (not checkpointed): the encoded corpus (shared with the scan) and the tables of the dictionary.
  const refill = (initNet: Net) => {
    // unsupervised: a dictionary loaded from a checkpoint does not record how its file was read.
    initNet.op('ReadFastTextFile', [B.dictionary], epochData.getBlobs(), { path: o.input, index_dtype: 'int32', threads: o.thread, once: 1, unsupervised: 1 });
    initNet.op('WordVectorsTables', [B.dictionary], [B.negatives, B.discard, B.rowOffsets, B.rows], { t: o.t });
  };
  const args = { model: o.model, ws: o.ws, neg: o.neg, lr: o.lr, lr_update_rate: o.lrUpdateRate, total_tokens: o.epoch * scan.ids, seed: o.seed };
  job.scope(() => {
    pipe(new EpochReader(reader, refill), {
      numThreads: o.thread,
      name: 'wordvectors_hogwild',
      processor: {
        name: `wordvectors_${o.model}`,
        process: (record: BlobRecord) => {
          ops.WordVectorsTrain(
            [B.negatives, B.discard, B.rowOffsets, B.rows, record.field('tokens:lengths'), record.field('tokens:values'), B.input, B.output, B.progress],
            [B.input, B.output, B.progress],
            args,
          );
        },
      },
    });
  });
  return { job, options: o, scan, tokensPerEpoch: scan.ids, progressBlob: B.progress };
}
