/**
 * `predict` and `test` on a model read from a fastText model file, line by
 * line exactly as fastText does them: a line without any input row gets no
 * prediction, and `test` skips lines without a known label or without rows.
 */
import { Meter, type Prediction } from '../metrics.js';
import { FastTextBinDictionary } from './dictionary.js';
import type { FastTextBin } from './format.js';
import { FastTextBinPredictor } from './predict.js';

export class FastTextBinScorer {
  private readonly _dict: FastTextBinDictionary;
  private readonly _predictor: FastTextBinPredictor;

  constructor(private readonly _bin: FastTextBin) {
    this._dict = new FastTextBinDictionary(_bin);
    this._predictor = new FastTextBinPredictor(_bin);
  }

  predict(lines: readonly string[], k: number, threshold: number): Prediction[][] {
    return lines.map((line) => this._predictor.predict(this._dict.getLine(line).words, k, threshold));
  }

  test(lines: readonly string[], k: number, threshold: number): { examples: number; precision: number; recall: number; text: string } {
    const meter = this.meter(lines, k, threshold);
    return { examples: meter.examples, precision: meter.precision(), recall: meter.recall(), text: meter.format(k) };
  }

  /** fastText's test counts over `lines` (lines without a known label or word are skipped, as fastText does). */
  meter(lines: readonly string[], k: number, threshold: number, perLabel = false): Meter {
    const meter = new Meter({ perLabel });
    const label = (i: number) => this._bin.entries[this._bin.nwords + i]!.word;
    for (const line of lines) {
      const { words, labels } = this._dict.getLine(line);
      if (labels.length === 0 || words.length === 0) continue;
      meter.log(labels.map(label), this._predictor.predict(words, k, threshold));
    }
    return meter;
  }
}
