/**
 * SVG bar charts for RESULTS.md, drawn by vega-lite + vega headless (renderer 'none',
 * no browser, no canvas): one grouped horizontal bar chart per suite and primary
 * metric, cases down the side, one coloured bar per implementation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { chartKey, formatValue, metricGroups, type MetricGroup } from './report.js';
import { type BenchReport, OURS } from './types.js';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');

const PALETTE = ['#1b9e77', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'metric';
}

function spec(title: string, g: MetricGroup): Record<string, unknown> {
  const values = g.cases.flatMap((c) => g.impls.flatMap((impl) => {
    const v = g.values.get(c)?.get(impl);
    return v === undefined ? [] : [{ case: c, impl, value: v, label: formatValue(g.metric, v) }];
  }));
  // Room on the right for the value labels.
  const max = Math.max(0, ...values.map((v) => v.value));
  const y = { field: 'case', type: 'nominal', sort: g.cases, title: null };
  const yOffset = { field: 'impl', sort: g.impls };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: `${g.metric}, ${g.lowerIsBetter ? 'lower' : 'higher'} is better` },
    width: 480,
    data: { values },
    encoding: { y, yOffset },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x: {
            field: 'value', type: 'quantitative', title: g.metric, axis: { format: '~s' },
            scale: { domain: [0, max > 0 ? max * 1.15 : 1], nice: false },
          },
          color: {
            field: 'impl', type: 'nominal', sort: g.impls, title: null,
            // Ours always in the same colour; peers from the default palette.
            scale: { domain: g.impls, range: g.impls.map((i, k) => (i === OURS ? '#d95f02' : PALETTE[k % PALETTE.length])) },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 },
        encoding: { x: { field: 'value', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
    config: { font: 'sans-serif', view: { stroke: null } },
  };
}

async function loadVega(): Promise<{ vega: Vega; vl: VegaLite } | undefined> {
  try {
    return { vega: await import('vega'), vl: await import('vega-lite') };
  } catch {
    return undefined;
  }
}

/**
 * Writes `<dir>/<suite>-<metric>.svg` for every measured group and returns the map
 * RESULTS.md uses (chartKey → `<relDir>/<file>`). Without vega installed it draws nothing.
 */
export async function writeCharts(report: BenchReport, dir: string, relDir: string, log: (m: string) => void): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const lib = await loadVega();
  if (!lib) {
    log('charts: vega / vega-lite not installed (npm install), RESULTS.md will have tables only');
    return out;
  }
  mkdirSync(dir, { recursive: true });
  for (const suite of report.suites) {
    for (const g of metricGroups(suite.rows)) {
      const file = `${slug(suite.name)}-${slug(g.metric)}.svg`;
      const compiled = lib.vl.compile(spec(suite.title, g) as never).spec;
      const view = new lib.vega.View(lib.vega.parse(compiled), { renderer: 'none' });
      writeFileSync(join(dir, file), await view.toSVG());
      view.finalize();
      out.set(chartKey(suite.name, g.metric), `${relDir}/${file}`);
    }
  }
  return out;
}
