/**
 * The fastText supervised model (Joulin et al. 2016) as a hogwild Job, in the
 * shape of Caffe2's Job docstring: a reader built in the init group, a model,
 * and a Hogwild trainer that pipes the reader into the model on `thread`
 * concurrent instances sharing one set of parameters.
 *
 * Model (buildFastTextModel): the mean of the input rows of the line's ids
 * (words or their character n-grams, then hashed word n-grams) → a linear
 * layer → softmax, trained by plain SGD with `lr` per example, in small
 * batches (autoBatchSize), the rate decayed linearly from `lr` to 0 over the
 * whole run (fastText's schedule, counted in updates instead of tokens). With
 * several threads each trains its own copy of the output layer, merged every
 * `syncEvery` batches (pipe()'s `replicate`).
 *
 * The init group builds the dictionary natively and creates a global shuffled
 * cursor; the trainer's first epoch encodes the file with that dictionary, once,
 * on `thread` threads (line-aligned byte ranges), into one compact corpus (ids
 * + lengths) that every later epoch reshuffles without parsing again (fastText
 * parses its file every epoch). A resumed process encodes it again, so the
 * schedule (cursor, learning-rate iteration) continues unchanged.
 * Checkpoints hold the dictionary, the cursor, the parameters and the
 * learning-rate iteration, so a resumed run continues the same schedule.
 */
import { InvalidArgumentError } from '../../errors/index.js';
import { Job } from '../../job/Job.js';
import { Task } from '../../job/Task.js';
import type { TaskOutput } from '../../job/TaskOutput.js';
import { Dataset } from '../../data/Dataset.js';
import { FastTextFile, fastTextSchema, type FastTextScan } from '../../data/files.js';
import { pipe } from '../../data/pipeline.js';
import { ReaderWithLimit } from '../../data/readers.js';
import { EpochReader } from './EpochReader.js';
import type { BlobRecord } from '../../data/schema.js';
import type { Net } from '../../net/Net.js';
import { ops } from '../../net/ops.js';
import { finalOutput } from '../../job/finalOutput.js';
import { FASTTEXT_BLOBS } from './blobs.js';
import { buildFastTextModel } from './model.js';
import { autoBatchSize, resolveFastTextOptions, type FastTextTrainOptions, type ResolvedFastTextOptions } from './options.js';

export { FASTTEXT_BLOBS, FASTTEXT_MODEL_BLOBS } from './blobs.js';

/** A built fastText training job and what a runner needs to show its progress. */
export interface FastTextJob {
  readonly job: Job;
  readonly options: ResolvedFastTextOptions;
  /** What the dictionary scan of the training file found (labels, sizes). */
  readonly scan: FastTextScan;
  /** Examples, word tokens and updates (batches) in one pass over the data. */
  readonly examplesPerEpoch: number;
  readonly tokensPerEpoch: number;
  readonly batchesPerEpoch: number;
  /** Examples per update (options.batchSize, or the automatic choice when it is 0). */
  readonly batchSize: number;
  /** Bytes of the encoded corpus every epoch reads (labels, lengths and ids, int32 each). */
  readonly corpusBytes: number;
  /** JobRunner `report` outputs: `lossSum` (this epoch's summed batch losses) and `iteration` (updates so far). */
  readonly report: Record<'lossSum' | 'iteration', TaskOutput>;
  /** Blobs of the running trainer's progress reports (the `values` keys of JobRunner's onReport). */
  readonly progressBlobs: { readonly iteration: string; readonly lossSum: string };
}

/** Training on several ranks (hogwild/distributed): this rank's share of the data and the averaging interval. */
export interface FastTextMultiNode {
  /** Ranks training together (each takes 1/shards of the batches of every epoch). */
  shards: number;
  /** This rank's index (its shuffle seed differs; the initial parameters do not). */
  shard: number;
  /** Average the parameters across ranks every this many batches of this rank (0: never; ModelAverage op). */
  averageEvery?: number;
}

/**
 * Scans `options.input` (off the JS thread) and builds the training Job. Run
 * it with `new JobRunner(ft.job, { report: ft.report }).train(session, { maxEpochs: ft.options.epoch })`.
 *
 * @example
 * const ft = await buildFastTextJob({ input: 'train.txt', dim: 16, epoch: 5, lr: 0.5, thread: 2 });
 * await using session = new LocalSession();
 * await new JobRunner(ft.job, { report: ft.report }).train(session, { maxEpochs: ft.options.epoch });
 * await saveFastTextModel(session, 'model.bin', ft);
 */
export async function buildFastTextJob(options: FastTextTrainOptions, multiNode?: FastTextMultiNode): Promise<FastTextJob> {
  const o = resolveFastTextOptions(options);
  const shards = multiNode?.shards ?? 1;
  const shard = multiNode?.shard ?? 0;
  const averageEvery = multiNode?.averageEvery ?? 0;
  for (const [k, v, min] of [['shards', shards, 1], ['shard', shard, 0], ['averageEvery', averageEvery, 0]] as const)
    if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(`Expected ${k} to be an integer >= ${min} but received ${String(v)}`);
  if (shard >= shards) throw new InvalidArgumentError(`Expected shard in [0, ${shards}) but received ${shard}`);
  const bucket = o.wordNgrams <= 1 && o.maxn === 0 ? 0 : o.bucket;
  const file = await FastTextFile.scan(o.input, {
    labelPrefix: o.label,
    minCount: o.minCount,
    minCountLabel: o.minCountLabel,
    wordNgrams: o.wordNgrams,
    bucket,
    minn: o.minn,
    maxn: o.maxn,
    skipInvalid: o.skipInvalid,
    ...(o.pretrainedVectors ? { pretrainedVectors: o.pretrainedVectors } : {}),
    threads: o.thread,
    // The init group's BuildFastTextDictionary takes this parse (dictionary and encoding): one parse per run.
    retain: true,
  });
  const scan = file.info!;
  if (scan.examples === 0) throw new InvalidArgumentError(`Expected at least one labelled line in ${o.input} but it has none`, 'HOGWILD_DATA');
  if (scan.nlabels < 2) throw new InvalidArgumentError(`Expected at least 2 labels in ${o.input} but it has ${scan.nlabels}`, 'HOGWILD_DATA');
  const batchSize = o.batchSize > 0 ? o.batchSize : autoBatchSize(o.lr, scan.ids / scan.examples, scan.examples, o.loss);
  // On several ranks, each takes its own seeded shuffle and 1/shards of the batches of an epoch.
  const batchesPerEpoch = Math.ceil(Math.ceil(scan.examples / batchSize) / shards);

  const job = new Job();
  // Reader-building function: the dictionary and a global cursor (both checkpointed).
  // The examples live in blobs the init group does not make, so no checkpoint
  // holds them: the trainer's setup encodes the file once per process (on
  // `thread` threads) and every later epoch reshuffles the same encoding.
  // Multi-label lines also carry every label (read only when the file has some: a single-label
  // corpus keeps the smaller batch).
  const multiLabel = scan.multiLabelExamples > 0;
  const labelSetBlobs = multiLabel ? ['fasttext/epoch/labelSet:lengths', 'fasttext/epoch/labelSet:values'] : [];
  const epochData = new Dataset(fastTextSchema('int32', multiLabel), {
    name: 'fasttext/epoch',
    blobs: ['fasttext/epoch/label', 'fasttext/epoch/tokens:lengths', 'fasttext/epoch/tokens:values', ...labelSetBlobs],
  });
  const reader = job.initGroup.scope(() =>
    new Task({ name: 'fasttext_data' }).scope(() => {
      const net = ops.net();
      const dictionary = file.buildDictionary(net, { name: 'fasttext/train', threads: o.thread });
      if (dictionary.name !== FASTTEXT_BLOBS.dictionary) throw new InvalidArgumentError(`Expected the dictionary blob to be named ${FASTTEXT_BLOBS.dictionary} but it is ${dictionary.name}`, 'HOGWILD_INTERNAL');
      return epochData.randomReader({ initNet: net, batchSize, seed: o.seed + 7919 * shard, cursorName: 'fasttext/cursor' });
    }),
  );
  const refill = (initNet: Net) => {
    initNet.op('ReadFastTextFile', [FASTTEXT_BLOBS.dictionary], epochData.getBlobs(), { path: o.input, index_dtype: 'int32', threads: o.thread, once: 1 });
  };

  // Model-building function.
  const { model, processor: net, denseParams } = buildFastTextModel({
    inputRows: scan.inputRows,
    dim: o.dim,
    labels: scan.nlabels,
    lr: o.lr,
    batchSize,
    totalBatches: batchesPerEpoch * o.epoch,
    seed: o.seed,
    loss: o.loss,
    labelCounts: scan.labelCounts,
    neg: o.neg,
    initThreads: o.thread,
    multiLabel,
  });
  // Model averaging across ranks inside the Hogwild loop (w += mean - snapshot).
  const averaged = [FASTTEXT_BLOBS.input, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias];
  if (averageEvery > 0) model.net.ModelAverage(averaged, averaged, { every: averageEvery });
  job.initGroup.scope(() => new Task({ name: 'fasttext_params', step: model.paramInitNet }));

  // The most frequent words (the dictionary numbers words by decreasing count) are in almost every
  // batch: -hot-rows gives each thread its own copy of their rows (not with ModelAverage, which
  // reads and writes the whole table).
  const hotCount = averageEvery > 0 ? 0 : Math.min(o.hotRows, scan.nwords);
  const hotRows = hotCount > 0 ? [{ param: FASTTEXT_BLOBS.input, count: hotCount }] : [];
  // Hogwild trainer: every thread runs the model net on its own records, updating the shared parameters.
  const report = {} as Record<'lossSum' | 'iteration', TaskOutput>;
  const progressBlobs = { iteration: 'fasttext/progress_iteration', lossSum: 'fasttext/progress_loss' };
  job.scope(() => {
    const epochReader = new EpochReader(reader, refill);
    pipe(shards > 1 ? new ReaderWithLimit(epochReader, batchesPerEpoch) : epochReader, {
      numThreads: o.thread,
      name: 'fasttext_hogwild',
      // Every example writes the whole output layer (softmax, ova), every batch the loss sum and
      // the iteration count (and most batches the most frequent words' rows): with
      // several threads each trains its own copy of them, merged every syncEvery
      // batches, so those cache lines do not bounce between cores per batch (docs/hogwild.md).
      ...(o.thread > 1 && o.syncEvery > 0 ? { replicate: { params: [...denseParams, FASTTEXT_BLOBS.lossSum, FASTTEXT_BLOBS.iteration], syncEvery: o.syncEvery, rows: hotRows } } : {}),
      processor: {
        name: 'fasttext_sgd',
        process: (record: BlobRecord) => {
          ops.taskInit().scope(() => ops.ConstantFill([], [FASTTEXT_BLOBS.lossSum], { shape: [], value: 0, dtype: 'float32' }));
          ops.taskReporter({ intervalMs: 200, blobs: [progressBlobs.iteration, progressBlobs.lossSum] }).scope(() => {
            ops.Cast([FASTTEXT_BLOBS.iteration], [progressBlobs.iteration], { to: 'float32' });
            ops.Copy([FASTTEXT_BLOBS.lossSum], [progressBlobs.lossSum]);
          });
          const [nets] = net.process(record) as readonly [Net[], unknown, unknown];
          for (const n of nets) ops.net(n);
          ops.taskExit().scope(() => {
            report.lossSum = finalOutput(ops.Copy([FASTTEXT_BLOBS.lossSum], ['fasttext/epoch_loss_sum']));
            report.iteration = finalOutput(ops.Copy([FASTTEXT_BLOBS.iteration], ['fasttext/epoch_iteration']));
          });
        },
      },
    });
  });
  return {
    job,
    options: o,
    scan,
    examplesPerEpoch: scan.examples,
    tokensPerEpoch: scan.tokens,
    batchesPerEpoch,
    batchSize,
    corpusBytes: 4 * (2 * scan.examples + scan.ids),
    report,
    progressBlobs,
  };
}
