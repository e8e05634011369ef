/**
 * `hogwild run job.js`: trains the Job a user's module builds, with the CLI's
 * progress display, checkpoints, signal handling, charts and summary.
 *
 * The module's default export (or its `buildJob` export) is a function that
 * returns (or resolves to) a Job, or `{ job, … }` with extras:
 *
 *   export default function build({ args, checkpointDir }) {
 *     const job = new Job(); …
 *     return { job, report: { loss: lossOutput }, maxEpochs: 10, unit: 'examples', perEpoch: 60_000 };
 *   }
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { Job } from '../../job/Job.js';
import type { TaskOutput } from '../../job/TaskOutput.js';
import { LocalSession } from '../../session/LocalSession.js';
import { intOption, type OptionSpecs, type ParsedArgs } from '../args.js';
import { writeTrainingCharts, type ChartResult } from '../charts.js';
import type { Command, CommandContext } from '../command.js';
import { ensureDirectory } from '../../checkpoint/atomicWrite.js';
import { EXIT, InputError, outputError, UsageError } from '../exitCodes.js';
import { acquireLock } from '../outputLock.js';
import { syntaxErrorLocation } from '../syntaxLocation.js';
import { ProgressDisplay, progressMode, si } from '../progress.js';
import { runTraining } from '../trainLoop.js';

/** What the module's function gets. */
export interface RunJobContext {
  /** Arguments after the module path (and after `--`). */
  args: string[];
  checkpointDir: string | undefined;
  resume: boolean;
}

/** What the module's function may return instead of a bare Job. */
export interface RunJobSpec {
  job: Job;
  /** Outputs fetched after each epoch; a numeric `loss` is shown, charted and summarized. */
  report?: Record<string, TaskOutput>;
  /** Last epoch (absolute); --max-epochs overrides it. */
  maxEpochs?: number;
  /** What throughput counts (default 'examples'). */
  unit?: string;
  /** Units per epoch, for the throughput. */
  perEpoch?: number;
  /** Called after training ends normally, with the session (evaluate, export…). */
  onDone?: (session: LocalSession) => unknown;
}

const OPTIONS: OptionSpecs = {
  'checkpoint-dir': { type: 'string', value: 'dir', description: 'save a checkpoint after every epoch in this directory' },
  resume: { type: 'string', value: 'latest|epoch', description: 'resume from the newest valid checkpoint (latest) or from an epoch\'s (needs --checkpoint-dir)' },
  'max-epochs': { type: 'string', value: 'n', description: 'stop after this epoch number at the latest' },
  chart: { type: 'string', value: 'prefix', description: 'write loss and throughput charts to <prefix>.svg (and .png)' },
  json: { type: 'boolean', description: 'machine-readable events, one JSON object per line on stdout' },
  'no-progress': { type: 'boolean', description: 'no live progress line: one line per epoch on stderr' },
};

async function importModule(path: string): Promise<Record<string, unknown>> {
  try {
    if (statSync(path).isDirectory()) throw new InputError(`cannot run ${path}: it is a directory`);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot run ${path}: no such file`);
  }
  try {
    return (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[mc]?ts$/.test(path)) {
      throw new UsageError(
        `cannot import ${path}: Node ${process.version} cannot load TypeScript by itself; compile it (npx tsc) and run the .js, or start hogwild with a loader (node --import tsx ./node_modules/.bin/hogwild run ${path})`,
      );
    }
    const where = err instanceof SyntaxError ? syntaxErrorLocation(path) : undefined;
    throw new InputError(`cannot import ${where ?? path}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

async function buildSpec(path: string, ctx: RunJobContext): Promise<RunJobSpec> {
  const mod = await importModule(path);
  const entry = mod.default ?? mod.buildJob;
  let value: unknown = entry;
  if (typeof entry === 'function') value = await (entry as (c: RunJobContext) => unknown)(ctx);
  if (value instanceof Job) return { job: value };
  if (value && typeof value === 'object' && (value as RunJobSpec).job instanceof Job) return value as RunJobSpec;
  throw new InputError(
    `cannot run ${path}: expected its default export (or buildJob) to be a function returning a Job or { job }, but got ${value === undefined ? 'nothing' : typeof value}` +
      ' (is the Job from the same hogwild package as this command?)',
  );
}

function resumeOption(v: ParsedArgs['values'], dir: string | undefined): boolean | number {
  const r = v.resume;
  if (r === undefined) return false;
  if (!dir) throw new UsageError('--resume needs --checkpoint-dir <dir> (where the checkpoints are)');
  if (r === 'latest') return true;
  if (typeof r === 'string' && /^\d+$/.test(r)) return Number(r);
  throw new UsageError(`expected 'latest' or an epoch number for --resume but received '${String(r)}'`);
}

async function run(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const v = args.values;
  const [path, ...rest] = args.positionals;
  if (path === undefined) throw new UsageError('usage: hogwild run <job.js> [options] [-- args for the job] (see hogwild run --help)');
  const dir = typeof v['checkpoint-dir'] === 'string' ? v['checkpoint-dir'] : undefined;
  const resume = resumeOption(v, dir);
  const maxFlag = intOption(v, 'max-epochs', 1);
  // A second run on the same directory would interleave saves with this one: exit 5 instead (released at exit).
  if (dir) {
    try {
      ensureDirectory(dir);
    } catch (err) {
      throw outputError(`the checkpoint directory ${dir}`, err);
    }
    acquireLock(join(dir, 'hogwild.lock'), `the checkpoint directory ${dir}`, 'hogwild run');
  }
  const spec = await buildSpec(path, { args: rest, checkpointDir: dir, resume: resume !== false });
  const maxEpochs = maxFlag ?? spec.maxEpochs;
  const unit = spec.unit ?? 'examples';
  const mode = progressMode({ json: v.json === true, noProgress: v['no-progress'] === true }, ctx.err);
  const progress = new ProgressDisplay({ mode, unit, ...(maxEpochs !== undefined ? { totalEpochs: maxEpochs } : {}), err: ctx.err, out: ctx.out });
  progress.event('start', { command: 'run', module: path, maxEpochs: maxEpochs ?? null, checkpointDir: dir ?? null });

  await using session = new LocalSession();
  const result = await runTraining({
    job: spec.job,
    session,
    progress,
    ...(spec.report ? { report: spec.report } : {}),
    ...(maxEpochs !== undefined ? { maxEpochs } : {}),
    ...(dir ? { checkpointDir: dir } : {}),
    resume,
    resumeHint: '--resume latest',
    ...(spec.perEpoch !== undefined ? { perEpoch: spec.perEpoch } : {}),
  });
  let charts: ChartResult = { files: [] };
  if (typeof v.chart === 'string') charts = await writeTrainingCharts(v.chart, result.points, { unit, title: `hogwild run ${path}` });
  if (!result.stoppedBy) await spec.onDone?.(session);

  const loss = result.points.at(-1)?.loss;
  const rate = result.units !== undefined && result.seconds > 0 ? result.units / result.seconds : undefined;
  if (mode === 'json') {
    progress.event(result.stoppedBy ? 'stopped' : 'done', {
      ...(result.stoppedBy ? { signal: result.stoppedBy } : {}),
      epoch: result.lastEpoch,
      epochsRun: result.epochsRun,
      resumedFrom: result.resumedFrom ?? null,
      seconds: result.seconds,
      loss,
      rate,
      unit,
      charts: charts.files,
      checkpointDir: dir ?? null,
    });
  } else {
    const lines = [
      `${result.stoppedBy ? `Stopped (${result.stoppedBy}) after` : 'Finished'} epoch ${result.lastEpoch}${maxEpochs !== undefined ? ` of ${maxEpochs}` : ''}: ` +
        `${result.epochsRun} epoch${result.epochsRun === 1 ? '' : 's'} run in ${result.seconds.toFixed(1)} s` +
        `${result.resumedFrom !== undefined ? ` (resumed from epoch ${result.resumedFrom})` : ''}${rate !== undefined ? `, ${si(rate)} ${unit}/s` : ''}`,
    ];
    if (loss !== undefined) lines.push(`Final loss: ${loss.toFixed(4)}`);
    if (charts.files.length > 0) lines.push(`Charts: ${charts.files.join(', ')}`);
    else if (charts.skipped && typeof v.chart === 'string') lines.push(`Charts: none (${charts.skipped})`);
    if (dir) lines.push(`Checkpoints: ${dir}${result.stoppedBy ? ` (continue with --resume latest)` : ''}`);
    (result.stoppedBy ? ctx.err : ctx.out).write(`${lines.join('\n')}\n`);
  }
  return result.stoppedBy ? result.exitCode : EXIT.OK;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'train the Job a module builds (progress, checkpoints, Ctrl-C, summary)',
  usage: ['hogwild run <job.js|job.mjs> [options] [-- args for the job]'],
  options: OPTIONS,
  details: `The module's default export (or its export buildJob) is a function, maybe
async, called with { args, checkpointDir, resume }. It returns a Job, or
{ job, report?, maxEpochs?, unit?, perEpoch?, onDone? }: report outputs are
fetched after every epoch (a numeric 'loss' is shown and charted), perEpoch
units per epoch give the throughput, onDone(session) runs after training.
The job needs a stop condition (epochLimiter, job.addStopCondition) or a
maximum epoch (maxEpochs or --max-epochs).

Modules must be JavaScript (.js, .mjs). Node 20 cannot import TypeScript: compile
job.ts with tsc first, or start hogwild through a loader that handles .ts
(node --import tsx ./node_modules/.bin/hogwild run job.ts); Node 23.6+ strips
types by itself.

The first Ctrl-C finishes the running epoch, checkpoints it (with
--checkpoint-dir) and exits with status 130; a second one stops at once.
Run again with --resume latest to continue.`,
  run,
};
