/**
 * Runs the suites one after the other, then writes the results as JSON
 * (<outDir>/results-<date>.json) and as RESULTS.md with SVG charts beside it, and the
 * README's benchmark table (README-table.md beside it; README.md itself for bench/RESULTS.md).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

import { SUITES } from '../suites.js';
import { writeCharts } from './charts.js';
import { machineInfo } from './machine.js';
import { benchDir, repoRoot } from './paths.js';
import { renderReadmeTable, updateReadme } from './readme.js';
import { renderMarkdown } from './report.js';
import { type BenchReport, FAILED_PREFIX, OURS, type Suite, type SuiteResult, SuiteUnavailable } from './types.js';

export interface BenchOptions {
  quick: boolean;
  /** Runs per measurement, best kept (default 1). */
  repeat?: number;
  /** Run only these suites (by name). */
  only?: string[];
  /** Where JSON results, scratch files and caches go (default bench/out). */
  outDir?: string;
  /**
   * Where RESULTS.md goes. Default: bench/RESULTS.md for a full run of every suite,
   * <outDir>/RESULTS.md for quick or partial runs (so they never replace the real one).
   */
  resultsPath?: string;
  suites?: Suite[];
  /** The command line recorded in the results. */
  command?: string;
  log?: (message: string) => void;
}

export interface BenchOutcome {
  report: BenchReport;
  jsonPath: string;
  resultsPath: string;
  failed: number;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

async function runSuite(suite: Suite, opts: BenchOptions, outDir: string, log: (m: string) => void): Promise<SuiteResult> {
  const scratch = join(outDir, 'tmp', suite.name);
  mkdirSync(scratch, { recursive: true });
  const started = performance.now();
  const loadAverage = loadavg()[0] ?? 0;
  const base = { name: suite.name, title: suite.title, loadAverage };
  log(`== ${suite.name}: ${suite.title}`);
  try {
    const rows = await suite.run({
      quick: opts.quick,
      repeat: Math.max(1, opts.repeat ?? 1),
      outDir: scratch,
      cacheDir: join(outDir, 'cache'),
      log: (m) => log(`   ${suite.name}: ${m}`),
    });
    const seconds = (performance.now() - started) / 1e3;
    // Our side threw inside a suite that kept its peers' rows: a failure, with the rows kept.
    const broken = rows.find((r) => r.impl === OURS && r.skipped?.startsWith(FAILED_PREFIX));
    if (broken) return { ...base, status: 'failed', reason: `hogwild ${broken.case}: ${broken.skipped}`, seconds, rows };
    return { ...base, status: 'ok', seconds, rows };
  } catch (err) {
    const skipped = err instanceof SuiteUnavailable;
    const reason = skipped ? (err as Error).message : ((err as Error).stack ?? String(err));
    log(`   ${suite.name}: ${skipped ? 'skipped' : 'FAILED'}: ${reason}`);
    return { ...base, status: skipped ? 'skipped' : 'failed', reason, seconds: (performance.now() - started) / 1e3, rows: [] };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Writes RESULTS.md and its charts (in charts/ next to it) for a report. */
export async function writeResults(report: BenchReport, source: string, resultsPath: string, log: (m: string) => void): Promise<void> {
  const dir = dirname(resultsPath);
  mkdirSync(dir, { recursive: true });
  const charts = await writeCharts(report, join(dir, 'charts'), 'charts', log);
  writeFileSync(resultsPath, renderMarkdown(report, charts, source));
  // The README's table: beside the results always, in README.md itself for bench/RESULTS.md.
  writeFileSync(join(dir, 'README-table.md'), `${renderReadmeTable(report, 'RESULTS.md')}\n`);
  if (resolve(resultsPath) === resolve(benchDir(), 'RESULTS.md')) {
    const readme = join(repoRoot(), 'README.md');
    log(updateReadme(readme, report) ? `README:  ${readme} (benchmark table)` : `README:  no table markers in ${readme}; table in ${join(dir, 'README-table.md')}`);
  }
}

/** Regenerates RESULTS.md from a results JSON written earlier. */
export async function reportFromJson(jsonPath: string, resultsPath: string, log: (m: string) => void): Promise<void> {
  const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchReport;
  await writeResults(report, relative(dirname(resultsPath), jsonPath), resultsPath, log);
}

export async function runBench(opts: BenchOptions): Promise<BenchOutcome> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const outDir = opts.outDir ?? join(benchDir(), 'out');
  mkdirSync(outDir, { recursive: true });
  const all = opts.suites ?? SUITES;
  const unknown = (opts.only ?? []).filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`Unknown suite ${unknown.join(', ')}; the suites are ${all.map((s) => s.name).join(', ')}`);
  const suites = opts.only ? all.filter((s) => opts.only!.includes(s.name)) : all;

  const date = new Date();
  const report: BenchReport = {
    date: date.toISOString(),
    command: opts.command ?? `npm run bench${opts.quick ? ' -- --quick' : ''}`,
    quick: opts.quick,
    repeat: Math.max(1, opts.repeat ?? 1),
    machine: await machineInfo(),
    suites: [],
  };
  for (const suite of suites) report.suites.push(await runSuite(suite, opts, outDir, log));
  rmSync(join(outDir, 'tmp'), { recursive: true, force: true });

  const jsonPath = join(outDir, `results-${stamp(date)}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  const full = !opts.quick && suites.length === all.length;
  const resultsPath = opts.resultsPath ?? (full ? join(benchDir(), 'RESULTS.md') : join(outDir, 'RESULTS.md'));
  const source = full ? `bench/out/${relative(outDir, jsonPath)}` : relative(dirname(resultsPath), jsonPath);
  await writeResults(report, source, resultsPath, log);
  log(`results: ${jsonPath}\nreport:  ${resultsPath}`);
  return { report, jsonPath, resultsPath, failed: report.suites.filter((s) => s.status === 'failed').length };
}
