/**
 * Job overhead: what the Job API costs around the native plan runs.
 *
 * - An epoch that does nothing, 10 000 epochs, one stop condition
 *   (epochLimiter: a CountDown op and its output fetched after every epoch):
 *   µs per epoch of `JobRunner.train`, stop-condition fetch included. Target
 *   <= 100 µs. The same with a JS predicate as the stop condition.
 * - The same epoch plan run by hand (`Workspace.run` + `fetch` in a loop):
 *   the floor the Job layer adds to.
 * - Building and compiling a job of 100 tasks.
 *
 *   npx tsc -p bench/tsconfig.json
 *   HOGWILD_NATIVE_PATH=$PWD/build/Release/hogwild.node node dist-bench/bench/job_overhead.js [--quick]
 */
import { fileURLToPath } from 'node:url';

import { epochLimiter, Job, JobRunner, LocalSession, Net, ops, Task } from '../lib/index.js';
import { compilePlan, Workspace } from '../lib/runtime/index.js';
import type { BenchRow, SuiteOptions } from './harness/types.js';

const round = (x: number) => Math.round(x * 100) / 100;

function emptyJob(epochs: number, predicate: boolean): Job {
  const job = new Job();
  job.scope(() => new Task({ name: 'idle', step: new Net('idle') }));
  if (predicate) {
    let n = 0;
    job.addStopCondition(() => ++n >= epochs);
  } else epochLimiter(job, epochs);
  return job;
}

async function perEpoch(epochs: number, predicate: boolean): Promise<number> {
  const session = new LocalSession();
  await new JobRunner(emptyJob(200, predicate)).train(session); // warm up: threads, JIT, caches
  const job = emptyJob(epochs, predicate);
  const runner = new JobRunner(job);
  let t0 = 0;
  runner.once('epochStart', () => (t0 = performance.now()));
  const last = await runner.train(session);
  const t1 = performance.now();
  await session.close();
  if (last !== epochs) throw new Error(`Expected ${epochs} epochs but train returned ${last}`);
  return ((t1 - t0) * 1000) / epochs;
}

async function byHand(epochs: number): Promise<number> {
  const ws = new Workspace();
  const init = compilePlan({
    name: 'init',
    nets: [{ name: 'init', ops: [{ type: 'CreateCounter', inputs: [], outputs: ['c'], args: { init_count: 1e9 } }] }],
    steps: [{ name: 'init', nets: ['init'] }],
  });
  const epoch = compilePlan({
    name: 'epoch',
    nets: [
      { name: 'idle', ops: [] },
      { name: 'countdown', ops: [{ type: 'CountDown', inputs: ['c'], outputs: ['done'] }] },
    ],
    steps: [{ name: 'epoch', concurrentSubsteps: true, substeps: [{ name: 'idle', nets: ['idle'] }, { name: 'countdown', nets: ['countdown'] }] }],
  });
  await ws.run(init);
  for (let i = 0; i < 200; i++) await ws.run(epoch);
  const t0 = performance.now();
  for (let i = 0; i < epochs; i++) {
    await ws.run(epoch);
    if (ws.fetch('done').data[0]) break;
  }
  const t1 = performance.now();
  ws.dispose();
  return ((t1 - t0) * 1000) / epochs;
}

function buildAndCompile(tasks: number): number {
  const t0 = performance.now();
  const job = new Job();
  job.scope(() => {
    job.initGroup.scope(() => new Task().scope(() => ops.ConstantFill([], ['w'], { shape: [4], value: 1 })));
    for (let i = 0; i < tasks; i++) {
      new Task({ name: `t${i}` }).scope(() => {
        ops.loop(10).scope(() => ops.Add(['w', ops.Const(1.5)], [`out${i}`]));
      });
    }
  });
  epochLimiter(job, 1);
  job.compile(LocalSession);
  return performance.now() - t0;
}

export async function run(opts: Pick<SuiteOptions, 'quick' | 'log'>): Promise<BenchRow[]> {
  const epochs = opts.quick ? 1_000 : 10_000;
  const rows: BenchRow[] = [];
  const add = (c: string, impl: string, us: number, note: string) => {
    opts.log(`${c} · ${impl}: ${round(us)} µs/epoch (${note})`);
    rows.push({ case: c, impl, metrics: { 'µs/epoch': round(us), epochs }, lowerIsBetter: true, note });
  };
  add('empty epoch + stop condition', 'hogwild', await perEpoch(epochs, false), 'JobRunner.train + epochLimiter (CountDown fetched per epoch)');
  add('empty epoch + stop condition', 'hand-written loop', await byHand(epochs), 'Workspace.run + fetch, same native work');
  add('empty epoch + JS predicate', 'hogwild', await perEpoch(epochs, true), 'JobRunner.train, predicate stop condition');
  const ms = buildAndCompile(100);
  opts.log(`build + compile a 100-task job: ${round(ms)} ms`);
  rows.push({ case: 'build + compile, 100 tasks', impl: 'hogwild', metrics: { ms: round(ms) }, lowerIsBetter: true });
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
