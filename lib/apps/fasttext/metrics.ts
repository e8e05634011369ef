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

/** fastText's Meter: precision and recall at k over examples with at least one known label. */
export class Meter {
  examples = 0;
  gold = 0;
  predicted = 0;
  predictedGold = 0;

  /** Logs one example: its known gold labels (duplicates count, as in fastText) and its predictions. */
  log(gold: readonly string[], predictions: readonly Prediction[]): void {
    this.examples++;
    this.gold += gold.length;
    this.predicted += predictions.length;
    for (const p of predictions) if (gold.includes(p.label)) this.predictedGold++;
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
