/**
 * The training loop every training command shares (supervised, run, demo):
 * JobRunner with a CheckpointManager (a checkpoint after every epoch), resume
 * from the newest valid checkpoint, the progress display, and signals: the
 * first Ctrl-C (or SIGTERM) lets the running epoch finish, checkpoints it and
 * stops; a second one stops at once, keeping the previous checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { writeFileAtomic } from '../checkpoint/atomicWrite.js';
import type { CheckpointManager } from '../checkpoint/CheckpointManager.js';
import { PlanError } from '../errors/index.js';
import type { Job } from '../job/Job.js';
import type { TaskOutput } from '../job/TaskOutput.js';
import type { Report } from '../native/coreTypes.js';
import { JobRunner, type ReportedValue } from '../session/JobRunner.js';
import type { LocalSession } from '../session/LocalSession.js';
import type { EpochPoint } from './charts.js';
import { openCheckpointDir, stopOnFailedSave, type CheckpointDir } from './checkpointDir.js';
import { EXIT } from './exitCodes.js';
import type { ProgressDisplay, ProgressUpdate } from './progress.js';

export interface TrainingRun {
  job: Job;
  session: LocalSession;
  progress: ProgressDisplay;
  /** Outputs fetched after each epoch (JobRunner's `report`). */
  report?: Record<string, TaskOutput>;
  /** Last epoch number (absolute). */
  maxEpochs?: number;
  /** Save a checkpoint per epoch under this directory. */
  checkpointDir?: string;
  /** Checkpoint file names are `<node>.<epoch>` (default 'trainer'). */
  checkpointNode?: string;
  /** Resume from the newest valid checkpoint in checkpointDir (true; a fresh start when there is none) or from this epoch's. */
  resume?: boolean | number;
  /** Save an epoch only when this long passed since the previous save, or it is the last (JobRunner's checkpointIntervalMs; default 0: every epoch). */
  checkpointIntervalMs?: number;
  /** Checkpoints kept (default 2). */
  maxToKeep?: number;
  /** How the user resumes, for messages (default '-resume'). */
  resumeHint?: string;
  /** The `report` entry checked for NaN/Inf after every epoch (default 'loss'). */
  lossReport?: string;
  /** Units per epoch (tokens, examples) for the throughput; none: epochs/s is not shown. */
  perEpoch?: number;
  /** Mean loss of an epoch from its reports (default: a numeric `loss` report). */
  lossOf?: (reports: Record<string, ReportedValue>) => number | undefined;
  /** Live progress from a report step's values, inside epoch `epoch` (none: no live updates). */
  live?: (values: Record<string, number>, epoch: number) => Omit<ProgressUpdate, 'epoch' | 'rate'> & { units?: number };
}

export interface TrainingResult {
  /** Number of the last epoch run (or resumed to). */
  lastEpoch: number;
  /** The epoch training resumed from (undefined: fresh start). */
  resumedFrom: number | undefined;
  /** Epochs run by this process. */
  epochsRun: number;
  /** The signal that stopped training early, if any. */
  stoppedBy: 'SIGINT' | 'SIGTERM' | undefined;
  /** Exit status the signal calls for (0 without one). */
  exitCode: number;
  /** Every finished epoch, those of the run resumed from included (kept next to the checkpoints). */
  points: EpochPoint[];
  seconds: number;
  /** Units processed by this process (perEpoch × epochsRun). */
  units: number | undefined;
}

/** Runs the job to its end (or a signal); never leaves a signal handler behind. */
export async function runTraining(r: TrainingRun): Promise<TrainingResult> {
  const { job, session, progress } = r;
  // JobRunner refuses a job with no way to stop; the Ctrl-C signal added below must not defeat that check.
  if (job.stopConditions.length === 0 && r.maxEpochs === undefined) {
    throw new PlanError(
      'HOGWILD_NO_STOP_CONDITION',
      'Expected a stop condition (job.addStopCondition, epochLimiter) or a maximum epoch (maxEpochs, --max-epochs) but the job has no way to stop',
    );
  }
  const graceful = new AbortController();
  const immediate = new AbortController();
  let stoppedBy: TrainingResult['stoppedBy'];
  // A compiled job takes no new stop condition: signals then stop it at once.
  const cooperative = !job.compiled;
  if (cooperative) job.addStopCondition(graceful.signal);
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
    if (!stoppedBy && cooperative) {
      stoppedBy = sig;
      graceful.abort();
      progress.note(`${sig === 'SIGINT' ? 'Ctrl-C' : sig}: finishing this epoch and saving a checkpoint (press Ctrl-C again to stop now)`);
      return;
    }
    stoppedBy ??= sig;
    progress.note(`Stopping now; the last checkpoint${r.checkpointIntervalMs ? '' : ' (the last finished epoch)'} stays`);
    immediate.abort(new Error(`interrupted by ${sig}`));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  let manager: CheckpointManager | undefined;
  let ckpt: CheckpointDir | undefined;
  let resumeFrom: number | undefined;
  const node = r.checkpointNode ?? 'trainer';
  const resumeHint = r.resumeHint ?? '-resume';
  if (r.checkpointDir) {
    ckpt = await openCheckpointDir(r.checkpointDir, node, r.resume ?? false, (m) => progress.note(m));
    manager = ckpt.manager;
    resumeFrom = ckpt.resumeFrom;
  }

  const runner = new JobRunner(job, {
    ...(manager ? { checkpointManager: manager } : {}),
    ...(resumeFrom !== undefined ? { resumeFromEpoch: resumeFrom } : {}),
    ...(r.report ? { report: r.report } : {}),
    ...(r.lossReport ? { lossReport: r.lossReport } : {}),
    ...(r.checkpointIntervalMs ? { checkpointIntervalMs: r.checkpointIntervalMs } : {}),
  });
  const saveFailure = ckpt ? stopOnFailedSave(runner, ckpt, immediate, r.maxToKeep ?? 2) : undefined;
  // The loss and throughput of earlier epochs live next to the checkpoints, so
  // the charts of a resumed run show the whole run.
  const historyFile = r.checkpointDir ? join(r.checkpointDir, `${node}.history.json`) : undefined;
  const points: EpochPoint[] = resumeFrom !== undefined && historyFile ? readHistory(historyFile).filter((p) => p.epoch <= resumeFrom!) : [];
  let epochStart = 0;
  let current = (resumeFrom ?? 0) + 1;
  let epochsRun = 0;
  const lossOf = r.lossOf ?? ((reports) => (typeof reports.loss === 'number' ? reports.loss : undefined));
  runner.on('epochStart', ({ epoch }) => {
    current = epoch;
    epochStart = performance.now();
  });
  runner.on('epochEnd', (e) => {
    epochsRun++;
    const seconds = e.runMs / 1000;
    const loss = lossOf(e.reports);
    const rate = r.perEpoch !== undefined && seconds > 0 ? r.perEpoch / seconds : undefined;
    points.push({ epoch: e.epoch, ...(loss !== undefined ? { loss } : {}), ...(rate !== undefined ? { rate } : {}) });
    if (historyFile) {
      try {
        writeFileAtomic(historyFile, `${JSON.stringify(points)}\n`);
      } catch (err) {
        progress.note(`warning: ${(err as Error).message}`);
      }
    }
    progress.epochEnd({ epoch: e.epoch, seconds, ...(loss !== undefined ? { loss } : {}), ...(rate !== undefined ? { rate } : {}) }, r.maxEpochs ? e.epoch / r.maxEpochs : undefined);
  });
  runner.on('warning', (w) => progress.note(`warning: ${w.message}${w.cause instanceof Error ? `: ${w.cause.message}` : ''}`));
  runner.on('checkpoint', (c) => progress.event('checkpoint', { epoch: c.epoch, seconds: c.durationMs / 1000, path: manager?.dbName(c.epoch) }));
  const onReport = r.live
    ? (rep: Report) => {
        const u = r.live!(rep.values, current);
        const secs = (performance.now() - epochStart) / 1000;
        progress.update({ ...u, epoch: current, ...(u.units !== undefined && secs > 0.05 ? { rate: u.units / secs } : {}) });
      }
    : undefined;

  progress.start();
  let lastEpoch: number;
  try {
    lastEpoch = await runner.train(session, {
      signal: immediate.signal,
      ...(r.maxEpochs !== undefined ? { maxEpochs: r.maxEpochs } : {}),
      ...(onReport ? { onReport } : {}),
    });
  } catch (err) {
    if (saveFailure?.error) throw await ckpt!.failedSaveError(saveFailure.error, resumeHint);
    if (ckpt && (err as { code?: unknown }).code === 'HOGWILD_NON_FINITE_LOSS') throw await ckpt.divergedError(err as Error, resumeHint);
    if (immediate.signal.aborted) {
      lastEpoch = (resumeFrom ?? 0) + epochsRun;
    } else {
      throw err;
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  const exitCode = stoppedBy === 'SIGINT' ? EXIT.INTERRUPTED : stoppedBy === 'SIGTERM' ? EXIT.TERMINATED : EXIT.OK;
  return {
    lastEpoch,
    resumedFrom: resumeFrom,
    epochsRun,
    stoppedBy,
    exitCode,
    points,
    seconds: progress.elapsed(),
    units: r.perEpoch !== undefined ? r.perEpoch * epochsRun : undefined,
  };
}

function readHistory(file: string): EpochPoint[] {
  if (!existsSync(file)) return [];
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(v) ? v.filter((p): p is EpochPoint => typeof (p as EpochPoint)?.epoch === 'number') : [];
  } catch {
    return [];
  }
}
