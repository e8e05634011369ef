/**
 * Loading the suite modules other work adds to bench/ (bench/gemm.ts, bench/text_hogwild.ts…).
 * A module that is not written yet is reported as "not available yet", not as a failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { type BenchRow, FAILED_PREFIX, type SuiteOptions, SuiteUnavailable } from './types.js';

export type SuiteModule<O extends SuiteOptions> =
  | { ok: true; run(opts: O): Promise<BenchRow[]> }
  | { ok: false; reason: string };

/** bench/ in the layout this file runs from: the sources (vitest) or dist-bench/bench (node). */
function suiteDir(): string {
  return dirname(dirname(fileURLToPath(import.meta.url)));
}

/** `export function run`, `export async function run`, `export const run`, or `export { …run… }`. */
const EXPORTS_RUN = /export\s+(?:async\s+function|function|const|let)\s+run\b|export\s*\{[^}]*\brun\b[^}]*\}/;

/**
 * Imports bench/<name>.js (compiled) or bench/<name>.ts (sources) once its text shows an
 * exported run(): a standalone script that runs itself on import is not imported at all.
 */
export async function loadSuiteModule<O extends SuiteOptions = SuiteOptions>(name: string): Promise<SuiteModule<O>> {
  const file = ['.js', '.ts'].map((ext) => join(suiteDir(), `${name}${ext}`)).find((f) => existsSync(f));
  if (!file) return { ok: false, reason: `not available yet: bench/${name}.ts is not written` };
  if (!EXPORTS_RUN.test(readFileSync(file, 'utf8'))) {
    return { ok: false, reason: `not available yet: bench/${name}.ts exports no run(opts)` };
  }
  const mod = (await import(pathToFileURL(file).href)) as { run?: unknown; default?: { run?: unknown } };
  const run = mod.run ?? mod.default?.run;
  if (typeof run !== 'function') return { ok: false, reason: `not available yet: bench/${name}.ts exports no run(opts)` };
  return { ok: true, run: run as (opts: O) => Promise<BenchRow[]> };
}

/**
 * Runs our side of a suite that also has peers. If it throws, its cases become rows marked
 * "failed: …" (the runner then marks the suite failed) and the peers still run.
 */
export async function runOurs(
  opts: SuiteOptions, go: () => Promise<BenchRow[]>, failedRows: (reason: string) => BenchRow[],
): Promise<BenchRow[]> {
  try {
    return await go();
  } catch (err) {
    if (err instanceof SuiteUnavailable) return failedRows(err.message);
    opts.log(`hogwild failed: ${(err as Error).stack ?? String(err)}`);
    return failedRows(`${FAILED_PREFIX}${(err as Error).message.split('\n')[0]}`);
  }
}
