/**
 * fastText's evaluation (src/meter.cc) and its number formatting, so `test`
 * and `predict-prob` print what `fasttext` prints for the same predictions.
 */

/** One predicted label and its probability. */
export interface Prediction {
  label: string;
  prob: number;
}

/**
 * Formats like a C++ ostream with `setprecision(p)` and default float flags
 * (printf's `%.{p}g`): `0.873`, `1`, `0.00608512`, `1e-05`.
 */
export function formatG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = Math.max(1, precision);
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < p && exp >= -4) return strip(x.toFixed(p - 1 - exp));
  const [mant, e] = x.toExponential(p - 1).split('e') as [string, string];
  const sign = e.startsWith('-') ? '-' : '+';
  const digits = e.replace(/^[+-]/, '').padStart(2, '0');
  return `${strip(mant)}e${sign}${digits}`;
}

/** One label's counts: lines where it is gold, predictions of it, and those that were gold. */
export interface LabelCounts {
  gold: number;
  predicted: number;
  predictedGold: number;
}

/** fastText's Meter: precision and recall at k over examples with at least one known label, overall and per label. */
export class Meter {
  examples = 0;
  gold = 0;
  predicted = 0;
  predictedGold = 0;
  /** Per label (`test-label`), by label string; undefined unless asked for (plain `test` skips the bookkeeping). */
  readonly labels: Map<string, LabelCounts> | undefined;

  constructor(options: { perLabel?: boolean } = {}) {
    this.labels = options.perLabel ? new Map() : undefined;
  }

  /** Logs one example: its known gold labels (duplicates count, as in fastText) and its predictions. */
  log(gold: readonly string[], predictions: readonly Prediction[]): void {
    this.examples++;
    this.gold += gold.length;
    this.predicted += predictions.length;
    for (const p of predictions) {
      const hit = gold.includes(p.label);
      if (hit) this.predictedGold++;
      if (this.labels) {
        const c = this._label(p.label);
        c.predicted++;
        if (hit) c.predictedGold++;
      }
    }
    if (this.labels) for (const g of gold) this._label(g).gold++;
  }

  /** Adds per-label counts given by label index (a native batch's). */
  addLabelCounts(labels: readonly string[], gold: ArrayLike<number>, predicted: ArrayLike<number>, predictedGold: ArrayLike<number>): void {
    for (let i = 0; i < labels.length; i++) {
      if (gold[i] === 0 && predicted[i] === 0) continue;
      const c = this._label(labels[i]!);
      c.gold += gold[i]!;
      c.predicted += predicted[i]!;
      c.predictedGold += predictedGold[i]!;
    }
  }

  private _label(label: string): LabelCounts {
    const labels = this.labels!;
    let c = labels.get(label);
    if (!c) labels.set(label, (c = { gold: 0, predicted: 0, predictedGold: 0 }));
    return c;
  }

  precision(): number {
    return this.predictedGold / this.predicted;
  }

  recall(): number {
    return this.predictedGold / this.gold;
  }

  /** `N\t<n>\nP@k\t<p>\nR@k\t<r>\n`, numbers as fastText prints them (3 significant digits). */
  format(k: number): string {
    return `N\t${this.examples}\nP@${k}\t${formatG(this.precision(), 3)}\nR@${k}\t${formatG(this.recall(), 3)}\n`;
  }

  /**
   * fastText's `test-label` lines, one per label of `labels` (the model's order):
   * `F1-Score : x  Precision : x  Recall : x   <label>` with 6 decimals and
   * `--------` where a ratio is 0/0, then N, P@k and R@k with 3 decimals.
   */
  formatPerLabel(labels: readonly string[], k: number): string {
    const metric = (name: string, num: number, den: number) => `${name} : ${den > 0 ? (num / den).toFixed(6) : '--------'}  `;
    let out = '';
    for (const label of labels) {
      const c = this.labels?.get(label) ?? { gold: 0, predicted: 0, predictedGold: 0 };
      out += `${metric('F1-Score', 2 * c.predictedGold, c.predicted + c.gold)}${metric('Precision', c.predictedGold, c.predicted)}${metric('Recall', c.predictedGold, c.gold)} ${label}\n`;
    }
    const fixed3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : formatG(x));
    return `${out}N\t${this.examples}\nP@${k}\t${fixed3(this.precision())}\nR@${k}\t${fixed3(this.recall())}\n`;
  }
}

/** One line of `predict` (labels) or `predict-prob` (label and probability pairs). */
export function formatPredictions(predictions: readonly Prediction[], withProb: boolean): string {
  return predictions.map((p) => (withProb ? `${p.label} ${formatG(p.prob, 6)}` : p.label)).join(' ');
}

/** The `k` most probable labels with probability >= threshold, best first (ties: lower index first). */
export function topK(probs: Float32Array, offset: number, n: number, labels: readonly string[], k: number, threshold: number): Prediction[] {
  const best: number[] = [];
  for (let j = 0; j < n; j++) {
    const p = probs[offset + j]!;
    if (p < threshold) continue;
    if (best.length === k && p <= probs[offset + best[k - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && probs[offset + best[at - 1]!]! < p) at--;
    best.splice(at, 0, j);
    if (best.length > k) best.pop();
  }
  return best.map((j) => ({ label: labels[j]!, prob: probs[offset + j]! }));
}
