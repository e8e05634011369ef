/**
 * Plan overhead: a no-op plan run from JS and back (one native crossing, a
 * pool thread wakes, runs the empty step, the completion comes back through
 * the thread-safe function, the Promise resolves). Median and p99 latency over
 * 100 000 sequential runs; target <= 50 µs median.
 *
 * References, in the same run: a libuv thread-pool round trip
 * (fs.promises.access, what an AsyncWorker-based addon would pay) and one
 * event-loop turn (setImmediate).
 *
 *   npx tsc -p bench/tsconfig.json
 *   HOGWILD_NATIVE_PATH=$PWD/build/Release/hogwild.node node dist-bench/bench/plan_overhead.js [--quick]
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { native } from '../lib/native/binding.js';
import { compilePlan, Workspace } from '../lib/runtime/index.js';
import type { BenchRow, SuiteOptions } from './harness/types.js';

interface Stats {
  'median µs': number;
  'p99 µs': number;
  'mean µs': number;
  runs: number;
}

async function measure(runs: number, once: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < Math.min(2000, runs); i++) await once(); // warm up: threads, JIT
  const samples = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await once();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const total = samples.reduce((a, b) => a + b, 0);
  samples.sort();
  const at = (q: number) => samples[Math.min(runs - 1, Math.floor(q * runs))]!;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { 'median µs': round(at(0.5)), 'p99 µs': round(at(0.99)), 'mean µs': round(total / runs), runs };
}

const emptyPlan = {
  name: 'noop',
  nets: [{ name: 'noop/net', ops: [] }],
  steps: [{ name: 'noop', nets: ['noop/net'] }],
};

export async function run(opts: Pick<SuiteOptions, 'quick' | 'log'>): Promise<BenchRow[]> {
  const runs = opts.quick ? 5_000 : 100_000;
  const ws = new Workspace();
  const plan = compilePlan(emptyPlan);
  const raw = native();
  const rawWs = raw.createWorkspace();
  const rawPlan = raw.compilePlan(emptyPlan);
  const cancel = raw.createCancel();
  const signal = new AbortController().signal;
  const row = (c: string, impl: string, s: Stats, note?: string): BenchRow => ({
    case: c,
    impl,
    metrics: { ...s },
    primary: 'median µs',
    lowerIsBetter: true,
    ...(note ? { note } : {}),
  });
  const rows: BenchRow[] = [];
  const step = async (c: string, impl: string, once: () => Promise<unknown>, note?: string) => {
    const s = await measure(runs, once);
    opts.log(`${c} · ${impl}: median ${s['median µs']} µs, p99 ${s['p99 µs']} µs over ${runs} runs`);
    rows.push(row(c, impl, s, note));
  };
  await step('no-op plan round trip', 'hogwild', () => ws.run(plan), 'Workspace.run(compiledPlan)');
  await step('no-op plan round trip + AbortSignal', 'hogwild', () => ws.run(plan, { signal }), 'listener added and removed per run');
  await step('no-op plan, raw binding', 'hogwild', () => rawWs.run(rawPlan, cancel, null), 'NativeWorkspace.run, no TS facade');
  await step('no-op plan round trip', 'libuv pool (fs.access)', () => access(fileURLToPath(import.meta.url)), 'what an AsyncWorker pays');
  await step('no-op plan round trip', 'event loop (setImmediate)', () => new Promise((r) => setImmediate(r)), 'one loop turn, no thread');
  ws.dispose();
  rawWs.dispose();
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  run({ quick, log: (m) => process.stderr.write(`${m}\n`) }).then(
    (rows) => console.log(JSON.stringify(rows, null, 1)),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
