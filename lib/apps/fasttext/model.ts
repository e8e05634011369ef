/**
 * fastText's supervised model (Joulin et al. 2016) from ordinary ops, as a
 * pipe() processor: the mean of the input rows of a line's ids
 * (SparseLengthsMean) → a linear layer without bias (FC, bias fixed at 0) → softmax and cross-entropy
 * (SoftmaxWithLoss), or one of fastText's other heads on the output rows
 * (hs, ns, ova: lib/model/losses), gradients from addGradientOperators, plain SGD
 * (ScatterWeightedSum on the touched input rows, WeightedSum on the output
 * layer) with the rate decayed linearly from `lr` to 0 over `totalBatches`.
 * The input rows start uniform in ±1/dim (only the first thread/10 of them
 * with `initThreads`) and the output layer at 0, as in fastText. buildFastTextJob wraps it with fastText's file, dictionary and
 * schedule; it is exported for jobs composed by hand.
 */
import { InvalidArgumentError } from '../../errors/index.js';
import { NetProcessor } from '../../data/processors.js';
import { ModelHelper } from '../../model/ModelHelper.js';
import { buildSgd } from '../../model/optimizers.js';
import { hierarchicalSoftmaxLoss, negativeSamplingLoss, oneVsAllLoss } from '../../model/losses/fastTextLosses.js';
import type { BlobReference } from '../../net/BlobReference.js';
import { FASTTEXT_BLOBS } from './blobs.js';
import type { FastTextLoss } from './options.js';

/** Options of {@link buildFastTextModel}. */
export interface FastTextModelOptions {
  /** Rows of the input table: the dictionary's words plus n-gram buckets (FastTextScan.inputRows). */
  inputRows: number;
  dim: number;
  /** Number of labels (FastTextScan.nlabels). */
  labels: number;
  /** Learning rate per example (fastText's -lr); the step on a batch-mean loss is lr × batchSize. */
  lr: number;
  /** Examples per record the processor receives (the reader's batch size; default 1). */
  batchSize?: number;
  /** Updates (records, all threads together) over which the rate decays linearly to 0. */
  totalBatches: number;
  /** Seed of the input rows' initialization and of the ns draws (default 0). */
  seed?: number;
  /** fastText's -loss (default softmax). */
  loss?: FastTextLoss;
  /** Occurrences of each label (FastTextScan.labelCounts): the hs tree and the ns table. Required for hs and ns. */
  labelCounts?: readonly number[];
  /** Negatives per example for ns (default 5). */
  neg?: number;
  /**
   * fastText's -thread, for its initialization: fastText 0.9.2 draws its input
   * matrix in 10 blocks of elements, one per thread, so only the first
   * min(thread, 10)/10 of it (the most frequent words' rows) starts random and
   * the rest at 0. Matching it matters where training is short (an underfit
   * run at dim 100 trailed fastText by 6 pt with every row random). Default:
   * every row random.
   */
  initThreads?: number;
  /**
   * Records also carry `labelSet:lengths` and `labelSet:values` (every label of
   * each line): softmax, hs and ns train each example on one of its labels
   * drawn at random per pass (SampleLabel), ova on all of them, as fastText
   * trains multi-label lines. Default false (the `label` field is the target).
   */
  multiLabel?: boolean;
}

/** A built fastText model: parameters, the training processor and what to replicate per thread. */
export interface FastTextModelParts {
  /** `model.paramInitNet` creates the parameters (run it in the init group). */
  readonly model: ModelHelper;
  /** The training processor over records (`label`, `tokens:lengths`, `tokens:values`[, `labelSet:lengths`, `labelSet:values`]). */
  readonly processor: NetProcessor;
  /**
   * Parameters every example writes (the output layer with softmax and ova):
   * pipe()'s `replicate.params` for several threads. Empty for hs and ns,
   * whose examples write a few output rows each, shared in place as fastText does.
   */
  readonly denseParams: readonly string[];
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`Expected an integer >= 1 for ${name} but received ${String(v)}`);
  return v;
}

/**
 * Builds fastText's supervised model.
 *
 * @example
 * const ft = buildFastTextModel({ inputRows: info.inputRows, dim: 16, labels: info.nlabels, lr: 0.5, totalBatches: 5 * info.examples });
 * job.initGroup.scope(() => new Task({ name: 'params', step: ft.model.paramInitNet }));
 * job.scope(() => pipe(reader, { processor: ft.processor, numThreads: 2, replicate: { params: ft.denseParams } }));
 */
export function buildFastTextModel(o: FastTextModelOptions): FastTextModelParts {
  const inputRows = positiveInt(o.inputRows, 'inputRows');
  const dim = positiveInt(o.dim, 'dim');
  const labels = positiveInt(o.labels, 'labels');
  const batchSize = positiveInt(o.batchSize ?? 1, 'batchSize');
  const totalBatches = positiveInt(o.totalBatches, 'totalBatches');
  if (typeof o.lr !== 'number' || !Number.isFinite(o.lr) || o.lr <= 0) throw new InvalidArgumentError(`Expected a number > 0 for lr but received ${String(o.lr)}`);

  const model = new ModelHelper({ name: 'fasttext', seed: o.seed ?? 0 });
  const [values, lengths, firstLabel] = ['fasttext_in/values', 'fasttext_in/lengths', 'fasttext_in/label'];
  const labelSet = o.multiLabel ? { lengths: 'fasttext_in/label_set_lengths', values: 'fasttext_in/label_set_values' } : undefined;
  const lossKind = o.loss ?? 'softmax';
  // fastText: a multi-label line trains on a random one of its labels (ova: on all of them).
  const label = labelSet && lossKind !== 'ova' ? model.net.SampleLabel([labelSet.lengths, labelSet.values], ['fasttext_in/sampled_label'], { seed: o.seed ?? 0 }).name : firstLabel;
  const elements = inputRows * dim;
  const initThreads = o.initThreads === undefined ? undefined : positiveInt(o.initThreads, 'initThreads');
  const hidden = model.embeddingBag(values, lengths, 'fasttext/input', inputRows, dim, {
    mode: 'mean',
    init: { type: 'uniform', min: -1 / dim, max: 1 / dim, ...(initThreads === undefined ? {} : { count: Math.min(elements, initThreads * Math.floor(elements / 10)) }) },
  });
  // fastText's output layer has no bias. The blob exists (model files hold it,
  // predictors add it) but stays 0: it is not a parameter, so SGD never moves it.
  // A trained bias learns the label prior before the weights learn anything and
  // makes an underfit model predict one label everywhere, unlike fastText.
  model.paramInitNet.ConstantFill([], [FASTTEXT_BLOBS.bias], { shape: [labels], value: 0, dtype: 'float32' });
  const loss = outputHead(model, lossKind, hidden, label, { ...o, labels, dim }, labelSet);
  model.addGradientOperators(loss);
  // The loss is the batch mean, so a step of lr × batchSize keeps -lr per example (fastText's meaning).
  buildSgd(model, { baseLearningRate: o.lr * batchSize, lrPolicy: { policy: 'poly', maxIter: totalBatches, power: 1 } });
  // Summed batch losses, shared by the threads; a racy add like the Hogwild
  // updates, so under contention it may miss a few terms (display only).
  model.net.Add([FASTTEXT_BLOBS.lossSum, loss], [FASTTEXT_BLOBS.lossSum]);
  model.paramInitNet.ConstantFill([], [FASTTEXT_BLOBS.lossSum], { shape: [], value: 0, dtype: 'float32' });
  const inputs = [firstLabel, lengths, values, ...(labelSet ? [labelSet.lengths, labelSet.values] : [])];
  const processor = new NetProcessor(model.net, { inputs, name: 'fasttext_sgd' });
  const sparseOutput = lossKind === 'hs' || lossKind === 'ns';
  return { model, processor, denseParams: sparseOutput ? [] : [FASTTEXT_BLOBS.output] };
}

function labelCountsOf(o: FastTextModelOptions, labels: number): readonly number[] {
  const counts = o.labelCounts;
  if (!counts || counts.length !== labels) {
    throw new InvalidArgumentError(`Expected ${labels} label counts for loss ${String(o.loss)} but received ${counts ? counts.length : 'none'}`);
  }
  return counts;
}

/** The output layer [labels, dim] (FASTTEXT_BLOBS.output) and the batch-mean loss of `lossKind`. */
function outputHead(
  model: ModelHelper,
  lossKind: FastTextLoss,
  hidden: BlobReference,
  label: string,
  o: FastTextModelOptions & { labels: number; dim: number },
  labelSet?: { lengths: string; values: string },
): BlobReference {
  const head = { name: 'fasttext/head', dim: o.dim, weights: FASTTEXT_BLOBS.output };
  switch (lossKind) {
    case 'softmax': {
      const w = model.createParam(FASTTEXT_BLOBS.output, [o.labels, o.dim], { type: 'constant', value: 0 });
      const logits = model.net.FC([hidden, w, FASTTEXT_BLOBS.bias], ['fasttext/output']);
      return model.softmaxWithLoss(logits, label, ['fasttext/probs', 'fasttext/loss'])[1];
    }
    case 'hs':
      return hierarchicalSoftmaxLoss(model, hidden, label, { ...head, counts: labelCountsOf(o, o.labels) }).loss;
    case 'ns':
      return negativeSamplingLoss(model, hidden, label, { ...head, counts: labelCountsOf(o, o.labels), neg: o.neg ?? 5, seed: o.seed ?? 0 }).loss;
    case 'ova':
      return oneVsAllLoss(model, hidden, label, { ...head, labels: o.labels, ...(labelSet ? { labelSet } : {}) }).loss;
    default:
      throw new InvalidArgumentError(`Expected loss softmax, hs, ns or ova but received ${String(lossKind)}`);
  }
}
