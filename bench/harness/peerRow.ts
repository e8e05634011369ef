/**
 * One peer measurement as a row: the best of opts.repeat runs on the primary metric (a rate:
 * higher is better); a missing or broken peer gives a skipped row.
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
}

/** Never throws: a peer that is not installed or fails is a skipped row, not a failed suite. */
export async function peerRow<T>(opts: SuiteOptions, c: PeerCase<T>): Promise<BenchRow> {
  opts.log(`${c.impl} ${c.kase}`);
  let best: Record<string, number> | undefined;
  try {
    for (let i = 0; i < Math.max(1, opts.repeat); i++) {
      const outcome = await c.run();
      if (!outcome.available) return skippedRow(c.kase, c.impl, outcome.reason);
      const metrics = c.metrics(outcome);
      const primary = Object.keys(metrics)[0]!;
      if (!best || metrics[primary]! > best[primary]!) best = metrics;
    }
  } catch (err) {
    opts.log(`${c.impl} ${c.kase} failed: ${(err as Error).message}`);
    return skippedRow(c.kase, c.impl, `${FAILED_PREFIX}${(err as Error).message.split('\n')[0]}`);
  }
  const note = [c.note, opts.repeat > 1 ? `best of ${opts.repeat}` : undefined].filter(Boolean).join(', ');
  return { case: c.kase, impl: c.impl, metrics: best!, primary: Object.keys(best!)[0]!, ...(note ? { note } : {}) };
}
