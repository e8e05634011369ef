/**
 * RESULTS.md from a BenchReport: machine, then per suite one side-by-side table per
 * primary metric (implementations as columns, with hogwild's ratio to each peer), the
 * chart, every metric in a details block, and why anything did not run.
 */
import { type BenchReport, type BenchRow, OURS, type SuiteResult } from './types.js';

export interface MetricGroup {
  metric: string;
  lowerIsBetter: boolean;
  cases: string[];
  impls: string[];
  /** value[case][impl] */
  values: Map<string, Map<string, number>>;
}

export function primaryOf(row: BenchRow): string | undefined {
  return row.primary ?? Object.keys(row.metrics)[0];
}

/** The measured rows of a suite, grouped by primary metric, cases and impls in first-seen order (ours first). */
export function metricGroups(rows: BenchRow[]): MetricGroup[] {
  const groups = new Map<string, MetricGroup>();
  for (const row of rows) {
    const metric = primaryOf(row);
    const value = metric === undefined ? undefined : row.metrics[metric];
    if (row.skipped || metric === undefined || value === undefined || !Number.isFinite(value)) continue;
    let g = groups.get(metric);
    if (!g) {
      g = { metric, lowerIsBetter: row.lowerIsBetter ?? false, cases: [], impls: [], values: new Map() };
      groups.set(metric, g);
    }
    if (!g.cases.includes(row.case)) g.cases.push(row.case);
    if (!g.impls.includes(row.impl)) g.impls.push(row.impl);
    if (!g.values.has(row.case)) g.values.set(row.case, new Map());
    g.values.get(row.case)!.set(row.impl, value);
  }
  for (const g of groups.values()) g.impls.sort((a, b) => Number(b === OURS) - Number(a === OURS));
  return [...groups.values()];
}

/** How many times better ours is than a peer: > 1 means hogwild wins, whichever way the metric goes. */
export function ratio(ours: number, peer: number, lowerIsBetter: boolean): number {
  return lowerIsBetter ? peer / ours : ours / peer;
}

const SI: [number, string][] = [[1e9, ' G'], [1e6, ' M'], [1e3, ' k']];

/** A value as people read it: rates with SI prefixes, fractions with 3 decimals, else 3 significant digits. */
export function formatValue(metric: string, v: number): string {
  if (!Number.isFinite(v)) return String(v);
  // Counts per second get SI prefixes; units that carry their own (MB/s, GFLOP/s) do not.
  if (/\/s\b|\/s$|per s/.test(metric) && !/^[kKMGT]i?(B|FLOP)/.test(metric)) {
    for (const [scale, suffix] of SI) if (Math.abs(v) >= scale) return `${(v / scale).toPrecision(3)}${suffix}`;
  }
  if (/P@1|accuracy|loss/i.test(metric)) return v.toFixed(3);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v.toPrecision(3);
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function sideBySide(g: MetricGroup): string {
  const peers = g.impls.filter((i) => i !== OURS);
  const hasOurs = g.impls.includes(OURS);
  const header = ['Case', ...g.impls, ...(hasOurs ? peers.map((p) => `hogwild vs ${p}`) : [])];
  const rows = g.cases.map((c) => {
    const v = g.values.get(c)!;
    const cells = g.impls.map((i) => (v.has(i) ? formatValue(g.metric, v.get(i)!) : '—'));
    const ratios = hasOurs
      ? peers.map((p) => (v.has(OURS) && v.has(p) ? `${ratio(v.get(OURS)!, v.get(p)!, g.lowerIsBetter).toFixed(2)}×` : '—'))
      : [];
    return [c, ...cells, ...ratios];
  });
  const dir = g.lowerIsBetter ? 'lower is better' : 'higher is better';
  return `**${g.metric}** (${dir})\n\n${table(header, rows)}`;
}

function details(rows: BenchRow[]): string {
  const measured = rows.filter((r) => !r.skipped);
  const metrics = [...new Set(measured.flatMap((r) => Object.keys(r.metrics)))];
  const hasNote = measured.some((r) => r.note);
  const hasPools = measured.some((r) => r.threadpools);
  const hasCommand = measured.some((r) => r.command);
  const body = measured.map((r) => [
    r.case, r.impl,
    ...metrics.map((m) => (r.metrics[m] === undefined ? '—' : formatValue(m, r.metrics[m]!))),
    ...(hasNote ? [r.note ?? ''] : []),
    ...(hasPools ? [r.threadpools ?? ''] : []),
    ...(hasCommand ? [r.command ? `\`${r.command}\`` : ''] : []),
  ]);
  return table(['Case', 'Impl', ...metrics, ...(hasNote ? ['Note'] : []), ...(hasPools ? ['Thread pools'] : []), ...(hasCommand ? ['Command'] : [])], body);
}

function notRun(rows: BenchRow[]): string[] {
  const byImpl = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!r.skipped) continue;
    if (!byImpl.has(r.impl)) byImpl.set(r.impl, new Set());
    byImpl.get(r.impl)!.add(r.skipped);
  }
  return [...byImpl].flatMap(([impl, reasons]) => [...reasons].map((why) => `- ${impl}: ${why}`));
}

function suiteSection(s: SuiteResult, charts: Map<string, string>): string {
  const out = [`## ${s.title}`, ''];
  if (s.status !== 'ok') {
    const [first, ...rest] = (s.reason ?? '').split('\n');
    out.push(`${s.status === 'skipped' ? 'Skipped' : '**Failed**'}: ${first}`, '');
    if (rest.length > 0) out.push('<details><summary>Stack</summary>', '', '```', ...rest, '```', '', '</details>', '');
    if (s.rows.length === 0) return out.join('\n');
  }
  for (const g of metricGroups(s.rows)) {
    out.push(sideBySide(g), '');
    const chart = charts.get(chartKey(s.name, g.metric));
    if (chart) out.push(`![${s.title}: ${g.metric}](${chart})`, '');
  }
  if (s.rows.some((r) => !r.skipped)) {
    out.push('<details><summary>All measurements</summary>', '', details(s.rows), '', '</details>', '');
  }
  const missing = notRun(s.rows);
  if (missing.length > 0) out.push('Not run:', '', ...missing, '');
  return out.join('\n');
}

export function chartKey(suite: string, metric: string): string {
  return `${suite}\u0000${metric}`;
}

function describeSimd(report: BenchReport): string {
  const { simd, simdError } = report.machine;
  if (simd === undefined) return `unknown (${simdError ?? 'no addon'})`;
  const info = simd as { active?: unknown; supported?: unknown };
  if (typeof info.active === 'string' && Array.isArray(info.supported)) {
    return `${info.active} (supported: ${info.supported.join(', ')})`;
  }
  return typeof simd === 'string' ? simd : `\`${JSON.stringify(simd)}\``;
}

/** The whole RESULTS.md. `charts` maps chartKey(suite, metric) to a path relative to the file. */
export function renderMarkdown(report: BenchReport, charts: Map<string, string>, source: string): string {
  const m = report.machine;
  const peers = Object.entries(m.peers).map(([k, v]) => `${k} ${v}`).join(', ') || 'none found';
  const cores = `${m.logicalCores} logical${m.physicalCores ? `, ${m.physicalCores} physical` : ''}`;
  const head = [
    '# Benchmark results',
    '',
    `<!-- Generated by bench/harness (npm run bench) from ${source}. Do not edit by hand. -->`,
    '',
    `Produced by \`${report.command}\` on ${report.date}${report.quick ? ' (quick smoke run: small data, not representative)' : ''}.`,
    '',
    table(['Machine', ''], [
      ['CPU', `${m.cpuModel} (${cores} cores)`],
      ['SIMD', describeSimd(report)],
      ['Memory', `${m.memoryGiB} GiB`],
      ['OS', m.os],
      ['Node / npm', `${m.node} / ${m.npm ?? '?'}`],
      ['Peers', peers],
    ]),
    '',
    'Ratios are hogwild ÷ peer on the table\'s metric (peer ÷ hogwild when lower is better): above 1× hogwild is ahead.',
    `Every peer number is ${(report.repeat ?? 1) > 1 ? `the best of ${report.repeat} runs` : 'from one run'} on the machine above; the load column says how busy it was when the suite started.`,
    '',
    table(['Suite', 'Status', 'Seconds', 'Load (1 min)'], report.suites.map((s) => [
      s.title, s.status === 'ok' ? 'ok' : `${s.status}: ${(s.reason ?? '').split('\n')[0]}`, s.seconds.toFixed(1), s.loadAverage.toFixed(2),
    ])),
    '',
  ];
  return [...head, ...report.suites.map((s) => suiteSection(s, charts))].join('\n').replace(/\n{3,}/g, '\n\n');
}
