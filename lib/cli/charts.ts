/**
 * Training charts: loss and throughput per epoch, one SVG drawn by vega-lite +
 * vega headless (no browser, no canvas), and a PNG of it when @resvg/resvg-js
 * is installed. All three are optional dependencies: without them the CLI
 * says so once and writes no chart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One finished epoch, as the charts plot it. */
export interface EpochPoint {
  epoch: number;
  /** Mean training loss of the epoch (absent when the job reports none). */
  loss?: number;
  /** Units per second over the epoch's run time. */
  rate?: number;
}

/** What was written, or why nothing was. */
export interface ChartResult {
  files: string[];
  skipped?: string;
}

// The little of each optional library used here, typed locally so the build
// does not need them installed.
interface Vega {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: 'none' }) => { toSVG(): Promise<string>; finalize(): void };
}
interface VegaLite {
  compile(spec: unknown): { spec: unknown };
}
interface Resvg {
  Resvg: new (svg: string, options: Record<string, unknown>) => { render(): { asPng(): Uint8Array } };
}

async function optional<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch {
    return undefined;
  }
}

function spec(points: readonly EpochPoint[], unit: string, title: string): Record<string, unknown> {
  const panel = (field: 'loss' | 'rate', label: string, color: string) => ({
    width: 420,
    height: 160,
    title: label,
    data: { values: points.filter((p) => typeof p[field] === 'number' && Number.isFinite(p[field])) },
    mark: { type: 'line', point: { filled: true, color }, color },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field, type: 'quantitative', title: field === 'loss' ? 'mean training loss' : `${unit}/s`, axis: { format: field === 'loss' ? '.3~f' : '~s' }, scale: { zero: field === 'rate' } },
    },
  });
  const panels = [];
  if (points.some((p) => p.loss !== undefined)) panels.push(panel('loss', 'Training loss per epoch', '#d95f02'));
  if (points.some((p) => p.rate !== undefined)) panels.push(panel('rate', `Throughput per epoch (${unit}/s)`, '#1b9e77'));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    vconcat: panels,
    config: { font: 'Helvetica, Arial, DejaVu Sans, sans-serif', background: 'white' },
  };
}

/**
 * Writes `<base>.svg` (and `<base>.png` when a renderer is installed) with
 * the loss and throughput of every epoch. Never throws for a missing library.
 */
export async function writeTrainingCharts(base: string, points: readonly EpochPoint[], options: { unit: string; title: string }): Promise<ChartResult> {
  if (points.length === 0) return { files: [], skipped: 'no finished epoch to plot' };
  const vega = await optional<Vega>('vega');
  const vl = await optional<VegaLite>('vega-lite');
  if (!vega || !vl) return { files: [], skipped: 'vega and vega-lite are not installed (they are optional dependencies)' };
  const compiled = vl.compile(spec(points, options.unit, options.title)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  mkdirSync(dirname(base), { recursive: true });
  const files = [`${base}.svg`];
  writeFileSync(files[0]!, svg);
  const resvg = await optional<Resvg>('@resvg/resvg-js');
  if (resvg) {
    const png = new resvg.Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true } }).render().asPng();
    writeFileSync(`${base}.png`, png);
    files.push(`${base}.png`);
  }
  return { files };
}
