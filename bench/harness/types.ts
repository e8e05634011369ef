/**
 * The contract between the harness (bench/main.ts) and the suite modules that plug
 * into bench/suites.ts. A suite module exports
 *
 *   export async function run(opts: SuiteOptions): Promise<BenchRow[]>
 *
 * and returns one row per (case, implementation). Rows with the same `case` are shown
 * side by side in RESULTS.md, with the ratio of "hogwild" to each other implementation
 * on the primary metric, and charted.
 */

export interface SuiteOptions {
  /** Smoke run (CI): small data, one repetition, a few seconds per suite. */
  quick: boolean;
  /** Scratch folder for this run (bench/out/…), created by the harness. */
  outDir: string;
  /** Cache folder shared across runs, e.g. for generated corpora (bench/out/cache). */
  cacheDir: string;
  /**
   * Runs per measurement (--repeat, default 1): keep the best, since other work on a shared
   * machine only ever slows a run down.
   */
  repeat: number;
  /** Progress output (stderr); rows are the results. */
  log(message: string): void;
}

export interface BenchRow {
  /** What is compared, identical across implementations: "dim 16 · 1 thread", "sgemm 256³". */
  case: string;
  /** Who ran it: "hogwild" for us, else the peer ("fasttext", "pytorch", "numpy", "dd"…). */
  impl: string;
  /** Named values with their units in the name: { 'tokens/s': 9.8e6, 'wall s': 3.1, 'peak RSS MB': 210, 'P@1': 0.806 }. */
  metrics: Record<string, number>;
  /** The metric charted and used for ratios; defaults to the first key of `metrics`. */
  primary?: string;
  /** True when smaller is better for the primary metric (latencies, seconds). */
  lowerIsBetter?: boolean;
  /** Set instead of metrics when the implementation did not run: "not installed: …". */
  skipped?: string;
  /** One short remark shown in the details table ("2 processes (Hogwild)"). */
  note?: string;
  /** The command line a user runs to get this figure (shown in RESULTS.md and the README table). */
  command?: string;
  /** The peer's native thread pools as it ran (threadpoolctl), to show they were pinned. */
  threadpools?: string;
}

export interface Suite {
  name: string;
  title: string;
  run(opts: SuiteOptions): Promise<BenchRow[]>;
}

export interface SuiteResult {
  name: string;
  title: string;
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped or how it failed. */
  reason?: string;
  seconds: number;
  /** 1-minute load average when the suite started (other work on the machine skews timings). */
  loadAverage: number;
  rows: BenchRow[];
}

export interface MachineInfo {
  cpuModel: string;
  logicalCores: number;
  /** Physical cores from /proc/cpuinfo (core id × physical id), when known. */
  physicalCores?: number;
  memoryGiB: number;
  os: string;
  node: string;
  npm?: string;
  /** simdInfo() from the addon: the ISA chosen and those supported; or why it is unknown. */
  simd?: unknown;
  simdError?: string;
  /** Versions of the peers as installed (Debian package versions, python modules). */
  peers: Record<string, string>;
}

export interface BenchReport {
  date: string;
  command: string;
  quick: boolean;
  /** Runs per peer measurement, best kept (--repeat). */
  repeat: number;
  machine: MachineInfo;
  suites: SuiteResult[];
}

/** The implementation whose ratios RESULTS.md reports against the others. */
export const OURS = 'hogwild';

/** How a row's `skipped` starts when the implementation threw; for ours, the suite counts as failed. */
export const FAILED_PREFIX = 'failed: ';

/** A row for an implementation that did not run. */
export function skippedRow(kase: string, impl: string, reason: string): BenchRow {
  return { case: kase, impl, metrics: {}, skipped: reason };
}

/** Thrown by a suite that cannot run here ("not available yet", no addon): skipped, not failed. */
export class SuiteUnavailable extends Error {
  override name = 'SuiteUnavailable';
}
