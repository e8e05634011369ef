/**
 * One peer measurement as a row. By default the best of opts.repeat runs is
 * kept (other work on a shared machine only slows a run down); a case that
 * asks for `runs` >= 3 gets the median run's metrics plus the best
 * value and the spread (max − min) of the primary metric, so scaling figures
 * show their noise. A missing or broken peer gives a skipped row.
 */
import type { PeerOutcome } from '../peers/types.js';
import { type BenchRow, FAILED_PREFIX, type SuiteOptions, skippedRow } from './types.js';

export interface PeerCase<T> {
  kase: string;
  impl: string;
  note?: string;
  /** The row's metrics, primary first. */
  metrics(result: T): Record<string, number>;
  run(): Promise<PeerOutcome<T>>;
  /** Smaller primary is better (seconds). */
  lowerIsBetter?: boolean;
  /** Runs to make; given and >= 3, the row reports the median with best and spread (default: best of opts.repeat). */
  runs?: number;
  /** The command a user would type for this measurement. */
  command?: string;
  /** What the thread pools were (threadpoolctl), from a result. */
  threadpools?(result: T): string | undefined;
}

/** Median, best and spread of `values` (lower or higher better). */
export function summarize(values: readonly number[], lowerIsBetter: boolean): { median: number; best: number; spread: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, best: lowerIsBetter ? sorted[0]! : sorted.at(-1)!, spread: sorted.at(-1)! - sorted[0]! };
}

/** Never throws: a peer that is not installed or fails is a skipped row, not a failed suite. */
export async function peerRow<T>(opts: SuiteOptions, c: PeerCase<T>): Promise<BenchRow> {
  opts.log(`${c.impl} ${c.kase}`);
  const runs = Math.max(1, c.runs ?? opts.repeat);
  const lower = c.lowerIsBetter ?? false;
  const results: { metrics: Record<string, number>; result: T }[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const outcome = await c.run();
      if (!outcome.available) return skippedRow(c.kase, c.impl, outcome.reason);
      results.push({ metrics: c.metrics(outcome as T), result: outcome as T });
    }
  } catch (err) {
    opts.log(`${c.impl} ${c.kase} failed: ${(err as Error).message}`);
    return skippedRow(c.kase, c.impl, `${FAILED_PREFIX}${(err as Error).message.split('\n')[0]}`);
  }
  const primary = Object.keys(results[0]!.metrics)[0]!;
  const better = (a: number, b: number) => (lower ? a < b : a > b);
  let chosen = results[0]!;
  let note = c.note;
  let metrics: Record<string, number>;
  if (c.runs !== undefined && runs >= 3) {
    const values = results.map((r) => r.metrics[primary]!);
    const s = summarize(values, lower);
    // The run whose primary is the median (the lower middle one for an even count).
    const order = [...results].sort((a, b) => a.metrics[primary]! - b.metrics[primary]!);
    chosen = order[(order.length - 1) >> 1]!;
    metrics = { ...chosen.metrics, [primary]: s.median, [`${primary} best`]: s.best, [`${primary} spread`]: s.spread };
    note = [note, `median of ${runs} runs`].filter(Boolean).join(', ');
  } else {
    for (const r of results) if (better(r.metrics[primary]!, chosen.metrics[primary]!)) chosen = r;
    metrics = chosen.metrics;
    if (runs > 1) note = [note, `best of ${runs}`].filter(Boolean).join(', ');
  }
  const pools = c.threadpools?.(chosen.result);
  return {
    case: c.kase,
    impl: c.impl,
    metrics,
    primary,
    ...(lower ? { lowerIsBetter: true } : {}),
    ...(note ? { note } : {}),
    ...(c.command ? { command: c.command } : {}),
    ...(pools ? { threadpools: pools } : {}),
  };
}
