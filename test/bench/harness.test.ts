import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { main } from '../../bench/harness/cli.js';
import { peerRow, summarize } from '../../bench/harness/peerRow.js';
import { README_END, README_START, renderReadmeTable, updateReadme } from '../../bench/harness/readme.js';
import { formatValue, metricGroups, ratio } from '../../bench/harness/report.js';
import { runBench } from '../../bench/harness/runner.js';
import { type BenchReport, type Suite, SuiteUnavailable } from '../../bench/harness/types.js';
import { SUITES } from '../../bench/suites.js';

const scratch = mkdtempSync(join(tmpdir(), 'harness-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const quiet = () => {};

const fakeSuites: Suite[] = [
  {
    name: 'fake',
    title: 'Fake suite',
    async run() {
      return [
        { case: 'small', impl: 'hogwild', metrics: { 'items/s': 3e6, 'wall s': 1 } },
        { case: 'small', impl: 'peer', metrics: { 'items/s': 1.5e6, 'wall s': 2 } },
        { case: 'large', impl: 'peer', metrics: {}, skipped: 'not installed: peer (apt-get install peer)' },
        { case: 'latency', impl: 'hogwild', metrics: { 'ms': 2 }, lowerIsBetter: true },
        { case: 'latency', impl: 'peer', metrics: { 'ms': 5 }, lowerIsBetter: true },
      ];
    },
  },
  { name: 'later', title: 'Not written yet', async run() { throw new SuiteUnavailable('not available yet: bench/later.ts is not written'); } },
  { name: 'broken', title: 'Broken', async run() { throw new Error('boom'); } },
];

describe('runner', () => {
  test('writes JSON with machine info, RESULTS.md with ratios, and SVG charts', async () => {
    const out = join(scratch, 'fake');
    const outcome = await runBench({ quick: true, outDir: out, resultsPath: join(out, 'RESULTS.md'), suites: fakeSuites, log: quiet });
    expect(outcome.failed).toBe(1);
    const report = JSON.parse(readFileSync(outcome.jsonPath, 'utf8')) as BenchReport;
    expect(outcome.jsonPath).toMatch(/results-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
    expect(report.machine.logicalCores).toBeGreaterThan(0);
    expect(report.machine.cpuModel).not.toBe('');
    expect(report.machine.node).toBe(process.version);
    expect(report.suites.map((s) => s.status)).toEqual(['ok', 'skipped', 'failed']);
    expect(report.suites[2]!.reason).toMatch(/boom/);

    const md = readFileSync(outcome.resultsPath, 'utf8');
    expect(md).toContain('| Case | hogwild | peer | hogwild vs peer |');
    expect(md).toContain('| small | 3.00 M | 1.50 M | 2.00× |');
    expect(md).toContain('| latency | 2.00 | 5.00 | 2.50× |'); // lower is better: peer ÷ ours
    expect(md).toContain('- peer: not installed: peer (apt-get install peer)');
    expect(md).toContain('Skipped: not available yet: bench/later.ts is not written');
    expect(md).toContain('**Failed**');
    expect(md).toContain('](charts/fake-items-s.svg)');
    const svg = readFileSync(join(out, 'charts', 'fake-items-s.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('hogwild');
  });

  test('rejects unknown suite names', async () => {
    await expect(runBench({ quick: true, outDir: scratch, suites: fakeSuites, only: ['nope'], log: quiet }))
      .rejects.toThrow(/Unknown suite nope; the suites are fake, later, broken/);
  });
});

describe('peer rows', () => {
  const opts = { quick: true, repeat: 3, outDir: scratch, cacheDir: scratch, log: quiet };
  const metrics = (r: { rate: number }) => ({ 'items/s': r.rate });

  test('keep the best of --repeat runs', async () => {
    const rates = [2, 5, 3];
    const row = await peerRow(opts, { kase: 'c', impl: 'peer', metrics, run: async () => ({ name: 'peer', available: true, rate: rates.shift()! }) });
    expect(row).toEqual({ case: 'c', impl: 'peer', metrics: { 'items/s': 5 }, primary: 'items/s', note: 'best of 3' });
  });

  test('with >= 3 runs: the median run, the best and the spread; command and thread pools kept', async () => {
    const walls = [5, 3, 4.5];
    const row = await peerRow(opts, {
      kase: 'c', impl: 'peer', runs: 3, lowerIsBetter: true, command: 'peer -x', threadpools: (r: { wall: number }) => `pools ${r.wall}`,
      metrics: (r: { wall: number }) => ({ 'wall s': r.wall, other: r.wall * 10 }),
      run: async () => ({ name: 'peer', available: true, wall: walls.shift()! }),
    });
    expect(row).toEqual({
      case: 'c', impl: 'peer', primary: 'wall s', lowerIsBetter: true, note: 'median of 3 runs', command: 'peer -x', threadpools: 'pools 4.5',
      metrics: { 'wall s': 4.5, other: 45, 'wall s best': 3, 'wall s spread': 2 },
    });
    expect(summarize([1, 4, 2, 8], false)).toEqual({ median: 3, best: 8, spread: 7 });
  });

  test('turn "not installed" and errors into skipped rows', async () => {
    const missing = await peerRow(opts, { kase: 'c', impl: 'peer', metrics, run: async () => ({ name: 'peer', available: false, reason: 'not installed: x' }) });
    expect(missing.skipped).toBe('not installed: x');
    const broken = await peerRow(opts, { kase: 'c', impl: 'peer', metrics, run: async () => { throw new Error('exit 2\nstack'); } });
    expect(broken.skipped).toBe('failed: exit 2');
  });
});

describe('report formatting', () => {
  test('values, ratios, groups', () => {
    expect(formatValue('tokens/s', 9_812_345)).toBe('9.81 M');
    expect(formatValue('P@1', 0.80612)).toBe('0.806');
    expect(formatValue('MB/s', 1234.5)).toBe('1235');
    expect(formatValue('GFLOP/s', 87.25)).toBe('87.3');
    expect(formatValue('wall s', 123.4)).toBe('123');
    expect(ratio(2, 4, true)).toBe(2);
    expect(ratio(2, 4, false)).toBe(0.5);
    const [g] = metricGroups([
      { case: 'a', impl: 'peer', metrics: { x: 1 } },
      { case: 'a', impl: 'hogwild', metrics: { x: 2 } },
    ]);
    expect(g!.impls).toEqual(['hogwild', 'peer']);
  });
});

describe('README table', () => {
  const report: BenchReport = {
    date: '2026-12-06T05:00:00.000Z', command: 'npm run bench', quick: false, repeat: 1,
    machine: { cpuModel: 'Test CPU', logicalCores: 2, memoryGiB: 8, os: 'linux', node: 'v22', peers: {} },
    suites: [{
      name: 'text', title: 'Text', status: 'ok', seconds: 1, loadAverage: 0,
      rows: [
        { case: 'dim 16 · 2 threads', impl: 'hogwild', metrics: { 'wall s': 2, 'in-loop s': 1.5, 'P@1': 0.81 }, lowerIsBetter: true, command: 'hogwild supervised -dim 16' },
        { case: 'dim 16 · 2 threads', impl: 'fasttext', metrics: { 'wall s': 4, 'P@1': 0.8 }, lowerIsBetter: true, command: 'fasttext supervised -dim 16' },
        { case: 'dim 16 · 2 threads', impl: 'pytorch', metrics: { 'wall s': 9 }, lowerIsBetter: true },
        // Our own variant of the case (faster here): never the "best peer".
        { case: 'dim 16 · 2 threads', impl: 'hogwild replicas', metrics: { 'wall s': 1 }, lowerIsBetter: true },
        { case: 'bench-only kernel', impl: 'hogwild', metrics: { 'GFLOP/s': 100 } },
        { case: 'bench-only kernel', impl: 'numpy', metrics: { 'GFLOP/s': 90 } },
      ],
    }],
  };

  test('only rows with a user command, against the best peer, with both commands', () => {
    const table = renderReadmeTable(report, 'bench/RESULTS.md');
    const lines = table.split('\n').filter((l) => l.startsWith('| text'));
    expect(lines).toEqual([
      '| text · dim 16 · 2 threads, wall s (lower is better) | 2.00 (in loop 1.50 s, P@1 0.810) | fasttext 4.00 (P@1 0.800) | 2.00× | `hogwild supervised -dim 16`<br>`fasttext supervised -dim 16` |',
    ]);
    expect(table).toContain('Produced by `npm run bench` on 2026-12-06');
  });

  test('the accuracy matrix is one row: worst and mean gap to fastText in points', () => {
    const cell = (c: string, ours: number, ft: number) => [
      { case: c, impl: 'hogwild', metrics: { 'P@1': ours }, command: `hogwild supervised ${c}` },
      { case: c, impl: 'fasttext', metrics: { 'P@1': ft }, command: `fasttext supervised ${c}` },
    ];
    const matrix: BenchReport = { ...report, suites: [{ name: 'parity_matrix', title: 'Parity', status: 'ok', seconds: 1, loadAverage: 0, rows: [...cell('a', 0.9, 0.904), ...cell('b', 0.81, 0.8)] }] };
    const lines = renderReadmeTable(matrix, 'bench/RESULTS.md').split('\n').filter((l) => l.startsWith('| parity_matrix'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('| parity_matrix · 2 cells');
    expect(lines[0]).toContain('| worst -0.4, mean +0.3 |');
  });

  test('replaces what is between the markers of the README, nothing else', () => {
    const readme = join(scratch, 'README.md');
    writeFileSync(readme, `# X\n\n${README_START}\nold table\n${README_END}\n\nmore\n`);
    expect(updateReadme(readme, report)).toBe(true);
    const text = readFileSync(readme, 'utf8');
    expect(text).not.toContain('old table');
    expect(text).toMatch(/^# X\n\n<!-- bench-table:start[^\n]*\n\| Benchmark \|[\s\S]*\n<!-- bench-table:end -->\n\nmore\n$/);
    writeFileSync(readme, 'no markers\n');
    expect(updateReadme(readme, report)).toBe(false);
  });
});

test('`--quick` runs every registered suite end to end; missing peers are reported, not failed', async () => {
  // Hide every peer the way a machine without them looks: nothing on PATH, no Debian python.
  process.env.PATH = mkdtempSync(join(scratch, 'bin-'));
  process.env.HOGWILD_BENCH_PYTHON = 'python3';
  const out = join(scratch, 'quick');
  const code = await main(['--quick', '--out', out]);
  expect(readdirSync(out)).toContain('RESULTS.md');
  const json = readdirSync(out).find((f) => f.startsWith('results-'))!;
  const report = JSON.parse(readFileSync(join(out, json), 'utf8')) as BenchReport;
  expect(report.quick).toBe(true);
  expect(report.suites.map((s) => s.name)).toEqual(SUITES.map((s) => s.name));
  // Whether the other suites pass is the CI smoke step's business (scripts/ci-bench-smoke.sh);
  // here: the exit code says whether one failed, and missing peers never count as failing.
  expect(code).toBe(report.suites.some((s) => s.status === 'failed') ? 1 : 0);
  for (const [name, peers] of [['text', ['fasttext', 'pytorch']], ['mlp', ['pytorch', 'pytorch hogwild']]] as const) {
    const suite = report.suites.find((s) => s.name === name)!;
    // Only our own side can fail these suites; the peers are all "not installed" here.
    if (suite.status !== 'ok') expect(suite.reason).toMatch(/^hogwild /);
    for (const peer of peers) {
      const rows = suite.rows.filter((r) => r.impl === peer);
      if (peer !== 'pytorch hogwild') expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.skipped).toMatch(/^not installed: /);
    }
  }
  expect(readFileSync(join(out, 'RESULTS.md'), 'utf8')).toContain('- fasttext: not installed: no fasttext on PATH');
  expect(existsSync(join(out, 'tmp'))).toBe(false);
}, 180_000); // every suite's quick mode, one after the other: ~60 s on a loaded 2-core machine
