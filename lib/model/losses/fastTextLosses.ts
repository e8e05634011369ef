/**
 * fastText's losses as layers of any ModelHelper model. hs and ns are on the
 * BinaryLogisticLoss op (a sum of logistic losses of H[b]·W[row] over the
 * rows each example names, with a sparse gradient for W):
 *
 * - `hierarchicalSoftmaxLoss` (`-loss hs`): rows = the inner nodes on the
 *   label's path in fastText's Huffman tree over the label counts, targets =
 *   its code bits. W has one row per label (fastText's shape; the last is unused).
 * - `negativeSamplingLoss` (`-loss ns`): rows = the label then `neg` labels
 *   drawn from the unigram^0.5 distribution of the counts (a table of
 *   `tableSize` entries, as fastText's), targets 1, 0, …, 0. A drawn negative
 *   equal to the label is skipped (fastText redraws it).
 * - `oneVsAllLoss` (`-loss ova`): every label, so a dense layer (FC, no bias)
 *   and SigmoidCrossEntropyWithLogits summed over the labels, targets from
 *   MultiHot: one-hot, or every label of the example's label set. Twice as
 *   fast as the per-row BinaryLogisticLoss form with 5 000 labels, 1.3× with 50.
 *
 * Each returns the batch's mean loss (a 0-D blob for addGradientOperators)
 * and the per-example losses. The lookup tables are made by the param init
 * net, beside the parameters.
 */
import { InvalidArgumentError } from '../../errors/index.js';
import type { BlobLike, BlobReference } from '../../net/BlobReference.js';
import type { ModelHelper } from '../ModelHelper.js';
import { buildHuffmanTree } from './huffmanTree.js';

export interface LossHead {
  /** Mean over the batch (0-D). */
  loss: BlobReference;
  /** One loss per example [B]. */
  perExample: BlobReference;
  /** The output weights [rows, dim]. */
  weights: BlobReference;
}

interface HeadOptions {
  /** Prefix of the blob names (default 'loss'). */
  name?: string;
  dim: number;
  /** Name of the output weights parameter (default `<name>/w`; fastText's Job names it as its model files do). */
  weights?: string;
}

function checkCounts(counts: readonly (number | bigint)[], what: string): number[] {
  if (counts.length < 1) throw new InvalidArgumentError(`Expected at least one label count for ${what} but received none`);
  return counts.map((c, i) => {
    const v = Number(c);
    if (!Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`Expected a count >= 0 for label ${i} of ${what} but received ${String(c)}`);
    return v;
  });
}

/** The sum of logistic losses of H[b]·W[ROWS[b, k]] against TARGETS[b, k] (-1 rows pad); [B]. */
export function binaryLogisticLoss(model: ModelHelper, hidden: BlobLike, weights: BlobLike, rows: BlobLike, targets: BlobLike, output: string, options: { skipRepeats?: boolean } = {}): BlobReference {
  return model.net.BinaryLogisticLoss([hidden, weights, rows, targets], [output], options.skipRepeats ? { skip_repeats: 1 } : {});
}

function finish(model: ModelHelper, name: string, perExample: BlobReference, weights: BlobReference): LossHead {
  return { loss: model.net.AveragedLoss([perExample], [`${name}/loss`]), perExample, weights };
}

/** `-loss hs`: hierarchical softmax over fastText's Huffman tree of `counts` (labels by decreasing count). */
export function hierarchicalSoftmaxLoss(model: ModelHelper, hidden: BlobLike, labels: BlobLike, options: HeadOptions & { counts: readonly (number | bigint)[] }): LossHead {
  const name = options.name ?? 'loss';
  const tree = buildHuffmanTree(checkCounts(options.counts, 'hierarchicalSoftmaxLoss'));
  const n = tree.leaves;
  const depth = Math.max(1, ...tree.paths.map((p) => p.length));
  const rows = new Int32Array(n * depth).fill(-1);
  const codes = new Float32Array(n * depth);
  tree.paths.forEach((p, i) => {
    rows.set(p, i * depth);
    codes.set(tree.codes[i]!, i * depth);
  });
  const init = model.paramInitNet;
  const rowTable = init.GivenTensorIntFill([], [`${name}/path_rows`], { shape: [n, depth], values: Array.from(rows) });
  const codeTable = init.GivenTensorFill([], [`${name}/path_codes`], { shape: [n, depth], values: Array.from(codes) });
  const w = model.createParam(options.weights ?? `${name}/w`, [n, options.dim], { type: 'constant', value: 0 });
  const r = model.net.Gather([rowTable, labels], [`${name}/rows`]);
  const t = model.net.Gather([codeTable, labels], [`${name}/targets`]);
  return finish(model, name, binaryLogisticLoss(model, hidden, w, r, t, `${name}/per_example`), w);
}

/**
 * `-loss ova`: one logistic loss per label (summed) against the one-hot label, or, with
 * `labelSet` (a list field: each example's labels), against every label of the
 * example (fastText's multi-label targets; a repeated label counts once).
 */
export function oneVsAllLoss(
  model: ModelHelper,
  hidden: BlobLike,
  labels: BlobLike,
  options: HeadOptions & { labels: number; labelSet?: { lengths: BlobLike; values: BlobLike } },
): LossHead {
  const name = options.name ?? 'loss';
  const n = options.labels;
  if (!Number.isInteger(n) || n < 1 || n > 1 << 24) throw new InvalidArgumentError(`Expected a label count in [1, 2^24] for oneVsAllLoss but received ${String(n)}`);
  // Every example scores every label: a dense layer (no bias) and one logistic loss per label, summed.
  const zeroBias = model.paramInitNet.ConstantFill([], [`${name}/zero_bias`], { shape: [n], value: 0, dtype: 'float32' });
  const w = model.createParam(options.weights ?? `${name}/w`, [n, options.dim], { type: 'constant', value: 0 });
  const logits = model.net.FC([hidden, w, zeroBias], [`${name}/logits`]);
  // Targets: 1 for the example's label (or every label of its set), 0 elsewhere.
  const set = options.labelSet ?? { lengths: model.net.ConstantFill([labels], [`${name}/ones`], { value: 1, dtype: 'int32' }), values: labels };
  const t = model.net.MultiHot([set.lengths, set.values], [`${name}/targets`], { num_labels: n });
  const meanPerLabel = model.net.SigmoidCrossEntropyWithLogits([logits, t], [`${name}/mean_per_label`]);
  return finish(model, name, model.net.Scale([meanPerLabel], [`${name}/per_example`], { scale: n }), w);
}

/** fastText's negative table: label i appears in proportion to counts[i]^0.5 (at least once when its count is > 0). */
export function negativeTable(counts: readonly (number | bigint)[], size: number): Int32Array {
  const c = checkCounts(counts, 'negativeTable').map((x) => Math.sqrt(x));
  const z = c.reduce((a, b) => a + b, 0);
  if (!(z > 0)) throw new InvalidArgumentError('Expected at least one label count > 0 for negative sampling but all are 0');
  const out: number[] = [];
  c.forEach((ci, i) => {
    for (let j = 0; j < (ci * size) / z; j++) out.push(i);
  });
  return Int32Array.from(out);
}

/** `-loss ns`: the label against `neg` labels drawn from the unigram^0.5 table of `counts`. */
export function negativeSamplingLoss(
  model: ModelHelper,
  hidden: BlobLike,
  labels: BlobLike,
  options: HeadOptions & { counts: readonly (number | bigint)[]; neg?: number; seed?: number; tableSize?: number },
): LossHead {
  const name = options.name ?? 'loss';
  const neg = options.neg ?? 5;
  if (!Number.isInteger(neg) || neg < 1 || neg > 1024) throw new InvalidArgumentError(`Expected neg in [1, 1024] but received ${String(neg)}`);
  const table = negativeTable(options.counts, options.tableSize ?? 100_000);
  const n = options.counts.length;
  const init = model.paramInitNet;
  const tableBlob = init.GivenTensorIntFill([], [`${name}/negatives`], { shape: [table.length], values: Array.from(table) });
  const targetRow = init.GivenTensorFill([], [`${name}/target_row`], { shape: [1, 1 + neg], values: [1, ...new Array<number>(neg).fill(0)] });
  const w = model.createParam(options.weights ?? `${name}/w`, [n, options.dim], { type: 'constant', value: 0 });
  const net = model.net;
  // neg uniform draws per example → table positions → labels.
  const u = net.UniformFill([labels], [`${name}/draws`], { extra_shape: [neg], min: 0, max: table.length - 0.5, seed: options.seed ?? 0 });
  const at = net.Cast([u], [`${name}/draw_at`], { to: 'int32' });
  const negatives = net.Gather([tableBlob, at], [`${name}/negative_rows`]);
  const [pos] = net.Reshape([net.Cast([labels], [`${name}/label_i32`], { to: 'int32' })], [`${name}/label_col`, `${name}/label_old_shape`], { shape: [-1, 1] });
  const [rows] = net.Concat([pos!, negatives], [`${name}/rows`, `${name}/rows_split`], { axis: 1 });
  const zeros = net.Cast([net.ZerosLike([labels], [`${name}/zeros`])], [`${name}/zeros_i32`], { to: 'int32' });
  const t = net.Gather([targetRow, zeros], [`${name}/targets`]);
  return finish(model, name, binaryLogisticLoss(model, hidden, w, rows!, t, `${name}/per_example`, { skipRepeats: true }), w);
}
