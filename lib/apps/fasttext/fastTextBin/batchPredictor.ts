/**
 * The streaming predictor's batch interface over a model read from
 * fastText's own .bin: lines are scored by the fastText-exact scorer (its
 * float32 arithmetic, sigmoid table and tie order), so `hogwild predict`
 * streams fastText models with fastText's answers. Runs on the JS thread in
 * batches of at most DEFAULT_CHUNK_BYTES (~1000 lines), like the CLI's reads.
 */
import { DataError } from '../../../errors/index.js';
import { PREDICT_OUTPUT, type FastTextPredictResult, type PredictBatchOptions } from '../FastTextPredictor.js';
import { formatPredictions, type Meter } from '../metrics.js';
import type { FastTextBinScorer } from './scorer.js';

/** fastText reads lines of any length; this bounds one line's bytes as the native predictor does. */
const MAX_LINE_BYTES = 1 << 30;
const decoder = new TextDecoder('utf-8', { fatal: true });

export class FastTextBinBatchPredictor {
  private readonly _labelIndex: Map<string, number>;

  constructor(
    private readonly _scorer: FastTextBinScorer,
    labels: readonly string[],
  ) {
    this._labelIndex = new Map(labels.map((l, i) => [l, i]));
  }

  get maxLineBytes(): number {
    return MAX_LINE_BYTES;
  }

  /** The meter's per-label counts as arrays by label index (what the native predictor returns). */
  private _perLabel(m: Meter): Pick<FastTextPredictResult, 'labelGold' | 'labelPredicted' | 'labelPredictedGold'> {
    const n = this._labelIndex.size;
    const out = { labelGold: new Float64Array(n), labelPredicted: new Float64Array(n), labelPredictedGold: new Float64Array(n) };
    for (const [label, c] of m.labels ?? []) {
      const i = this._labelIndex.get(label);
      if (i === undefined) continue;
      out.labelGold[i] = c.gold;
      out.labelPredicted[i] = c.predicted;
      out.labelPredictedGold[i] = c.predictedGold;
    }
    return out;
  }

  async predict(bytes: Uint8Array, options: PredictBatchOptions, firstLine = 1): Promise<FastTextPredictResult> {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new DataError('HOGWILD_DATA', `line ${firstLine}: not valid UTF-8`);
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (options.output === PREDICT_OUTPUT.test) {
      const m = this._scorer.meter(lines, options.k, options.threshold, options.perLabel === true);
      const counts = { lines: lines.length, examples: m.examples, gold: m.gold, predicted: m.predicted, predictedGold: m.predictedGold };
      return options.perLabel ? { ...counts, ...this._perLabel(m) } : counts;
    }
    const predictions = this._scorer.predict(lines, options.k, options.threshold);
    if (options.output === PREDICT_OUTPUT.arrays) {
      const total = predictions.reduce((n, p) => n + p.length, 0);
      const counts = new Int32Array(predictions.length);
      const labels = new Int32Array(total);
      const probs = new Float32Array(total);
      let at = 0;
      predictions.forEach((row, i) => {
        counts[i] = row.length;
        for (const p of row) {
          labels[at] = this._labelIndex.get(p.label) ?? -1;
          probs[at++] = p.prob;
        }
      });
      return { lines: lines.length, counts, labels, probs };
    }
    const withProb = options.output === PREDICT_OUTPUT.labelsProb;
    const out = predictions.map((row) => `${formatPredictions(row, withProb)}\n`).join('');
    return { lines: lines.length, text: Buffer.from(out) };
  }
}
