/**
 * The fastText supervised model (Joulin et al. 2016) as a hogwild Job, in the
 * shape of Caffe2's Job docstring: a reader built in the init group, a model,
 * and a Hogwild trainer that pipes the reader into the model on `thread`
 * concurrent instances sharing one set of parameters.
 *
 * Model: the mean of the input rows of the line's ids (words or their
 * character n-grams, then hashed word n-grams) → a linear layer → softmax, trained by plain SGD, one example per
 * update by default, with the learning rate decayed linearly from `lr` to 0
 * over the whole run (fastText's schedule, counted in updates instead of tokens).
 * The input rows start uniform in ±1/dim and the output layer at 0, as in fastText.
 *
 * The init group builds the dictionary natively and creates a global shuffled
 * cursor; every epoch encodes the file with that dictionary (fastText reads
 * its file every epoch too) and rewinds the cursor (a new seeded shuffle).
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
import { NetProcessor } from '../../data/processors.js';
import { ReaderWithLimit } from '../../data/readers.js';
import { Reader, type ReadResult } from '../../data/Reader.js';
import type { BlobRecord } from '../../data/schema.js';
import { ModelHelper } from '../../model/ModelHelper.js';
import { buildSgd } from '../../model/optimizers.js';
import type { Net } from '../../net/Net.js';
import { ops } from '../../net/ops.js';
import { finalOutput } from '../../job/finalOutput.js';
import { resolveFastTextOptions, type FastTextTrainOptions, type ResolvedFastTextOptions } from './options.js';

/** Stable blob names of the model (the same in every run, so checkpoints and model files agree). */
export const FASTTEXT_BLOBS = Object.freeze({
  dictionary: 'fasttext/train/dictionary',
  input: 'fasttext/input_w',
  output: 'fasttext/output_w',
  bias: 'fasttext/output_b',
  iteration: 'optimizer_iteration',
  lossSum: 'fasttext/loss_sum',
});

/** Names of the blobs a model file holds, in order. */
export const FASTTEXT_MODEL_BLOBS: readonly string[] = [FASTTEXT_BLOBS.dictionary, FASTTEXT_BLOBS.input, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias];

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
 * A reader whose task refills the dataset and rewinds the cursor before each
 * run: every epoch reads the file again (as fastText does) and takes a new
 * seeded shuffle.
 */
class EpochReader extends Reader {
  constructor(
    private readonly _inner: Reader,
    private readonly _refill: (initNet: Net) => void,
  ) {
    super(_inner.schema());
  }

  override setupEx(initNet: Net, finishNet: Net): void {
    this._refill(initNet);
    this._inner.setupEx(initNet, finishNet);
    this._inner.reset(initNet);
  }

  override readEx(initNet: Net, exitNet: Net): ReadResult {
    return this._inner.readEx(initNet, exitNet);
  }
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
  });
  const scan = file.info!;
  if (scan.examples === 0) throw new InvalidArgumentError(`Expected at least one labelled line in ${o.input} but it has none`, 'HOGWILD_DATA');
  if (scan.nlabels < 2) throw new InvalidArgumentError(`Expected at least 2 labels in ${o.input} but it has ${scan.nlabels}`, 'HOGWILD_DATA');
  // On several ranks, each takes its own seeded shuffle and 1/shards of the batches of an epoch.
  const batchesPerEpoch = Math.ceil(Math.ceil(scan.examples / o.batchSize) / shards);

  const job = new Job();
  // Reader-building function: the dictionary and a global cursor (both checkpointed).
  // The encoded examples are emptied once the dictionary is built: each epoch
  // reads the file again, so checkpoints stay the size of the model.
  // The epoch's examples live in blobs the init group does not make, so no checkpoint holds them.
  const epochData = new Dataset(fastTextSchema(), { name: 'fasttext/epoch', blobs: ['fasttext/epoch/label', 'fasttext/epoch/tokens:lengths', 'fasttext/epoch/tokens:values'] });
  const reader = job.initGroup.scope(() =>
    new Task({ name: 'fasttext_data' }).scope(() => {
      const net = ops.net();
      const { dataset, dictionary } = file.read(net, { name: 'fasttext/train' });
      if (dictionary.name !== FASTTEXT_BLOBS.dictionary) throw new InvalidArgumentError(`Expected the dictionary blob to be named ${FASTTEXT_BLOBS.dictionary} but it is ${dictionary.name}`, 'HOGWILD_INTERNAL');
      for (const b of dataset.getBlobs()) net.ConstantFill([], [b], { shape: [0], dtype: 'int32', value: 0 });
      return epochData.randomReader({ initNet: net, batchSize: o.batchSize, seed: o.seed + 7919 * shard, cursorName: 'fasttext/cursor' });
    }),
  );
  const refill = (initNet: Net) => {
    initNet.op('ReadFastTextFile', [FASTTEXT_BLOBS.dictionary], epochData.getBlobs(), { path: o.input, index_dtype: 'int32' });
  };

  // Model-building function.
  const model = new ModelHelper({ name: 'fasttext', seed: o.seed });
  const [values, lengths, label] = ['fasttext_in/values', 'fasttext_in/lengths', 'fasttext_in/label'];
  const hidden = model.embeddingBag(values, lengths, 'fasttext/input', scan.inputRows, o.dim, {
    mode: 'mean',
    init: { type: 'uniform', min: -1 / o.dim, max: 1 / o.dim },
  });
  const logits = model.fc(hidden, 'fasttext/output', o.dim, scan.nlabels, { weightInit: { type: 'constant', value: 0 } });
  const [, loss] = model.softmaxWithLoss(logits, label, ['fasttext/probs', 'fasttext/loss']);
  model.addGradientOperators(loss);
  buildSgd(model, { baseLearningRate: o.lr, lrPolicy: { policy: 'poly', maxIter: batchesPerEpoch * o.epoch, power: 1 } });
  // Summed batch losses of this epoch, shared by the threads; a racy add like
  // the Hogwild updates, so under contention it may miss a few terms (display only).
  model.net.Add([FASTTEXT_BLOBS.lossSum, loss], [FASTTEXT_BLOBS.lossSum]);
  // Model averaging across ranks inside the Hogwild loop (w += mean - snapshot).
  const averaged = [FASTTEXT_BLOBS.input, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias];
  if (averageEvery > 0) model.net.ModelAverage(averaged, averaged, { every: averageEvery });
  model.paramInitNet.ConstantFill([], [FASTTEXT_BLOBS.lossSum], { shape: [], value: 0, dtype: 'float32' });
  job.initGroup.scope(() => new Task({ name: 'fasttext_params', step: model.paramInitNet }));

  // Hogwild trainer: every thread runs the model net on its own records, updating the shared parameters.
  const net = new NetProcessor(model.net, { inputs: [label, lengths, values], name: 'fasttext_sgd' });
  const report = {} as Record<'lossSum' | 'iteration', TaskOutput>;
  const progressBlobs = { iteration: 'fasttext/progress_iteration', lossSum: 'fasttext/progress_loss' };
  job.scope(() => {
    const epochReader = new EpochReader(reader, refill);
    pipe(shards > 1 ? new ReaderWithLimit(epochReader, batchesPerEpoch) : epochReader, {
      numThreads: o.thread,
      name: 'fasttext_hogwild',
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
    report,
    progressBlobs,
  };
}
