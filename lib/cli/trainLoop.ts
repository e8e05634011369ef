/**
 * The training loop every training command shares (supervised, run, demo):
 * JobRunner with a CheckpointManager (a checkpoint after every epoch), resume
 * from the newest valid checkpoint, the progress display, and signals: the
 * first Ctrl-C (or SIGTERM) lets the running epoch finish, checkpoints it and
 * stops; a second one stops at once, keeping the previous checkpoint.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { CheckpointManager } from '../checkpoint/CheckpointManager.js';
import { listCheckpointEpochs, removeCheckpointFiles } from '../checkpoint/files.js';
import type { Job } from '../job/Job.js';
import type { TaskOutput } from '../job/TaskOutput.js';
import type { Report } from '../native/coreTypes.js';
import { JobRunner, type ReportedValue } from '../session/JobRunner.js';
import type { LocalSession } from '../session/LocalSession.js';
import type { EpochPoint } from './charts.js';
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
  /** Checkpoints kept (default 2). */
  maxToKeep?: number;
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
    progress.note('Stopping now; the last finished epoch stays checkpointed');
    immediate.abort(new Error(`interrupted by ${sig}`));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  let manager: CheckpointManager | undefined;
  let resumeFrom: number | undefined;
  const node = r.checkpointNode ?? 'trainer';
  if (r.checkpointDir) {
    mkdirSync(r.checkpointDir, { recursive: true });
    manager = new CheckpointManager(r.checkpointDir, node, undefined, undefined, { maxToKeep: r.maxToKeep ?? 2 });
    if (typeof r.resume === 'number') {
      resumeFrom = r.resume;
      progress.note(`Resuming from the checkpoint of epoch ${resumeFrom} in ${r.checkpointDir}`);
    } else if (r.resume) {
      resumeFrom = await manager.latestValidEpoch();
      if (resumeFrom === undefined) progress.note(`No valid checkpoint in ${r.checkpointDir}: starting from scratch`);
      else progress.note(`Resuming from the checkpoint of epoch ${resumeFrom} in ${r.checkpointDir}`);
    } else {
      const old = listCheckpointEpochs(r.checkpointDir, node);
      if (old.length > 0) {
        removeCheckpointFiles(old.map((e) => manager!.dbName(e)));
        progress.note(`Removed ${old.length} checkpoint(s) of an earlier run in ${r.checkpointDir} (resume instead with -resume)`);
      }
    }
  }

  const runner = new JobRunner(job, {
    ...(manager ? { checkpointManager: manager } : {}),
    ...(resumeFrom !== undefined ? { resumeFromEpoch: resumeFrom } : {}),
    ...(r.report ? { report: r.report } : {}),
  });
  // The loss and throughput of earlier epochs live next to the checkpoints, so
  // the charts of a resumed run show the whole run.
  const historyFile = r.checkpointDir ? join(r.checkpointDir, `${node}.history.json`) : undefined;
  const points: EpochPoint[] = resumeFrom !== undefined && historyFile ? readHistory(historyFile).filter((p) => p.epoch <= resumeFrom!) : [];
  if (historyFile && resumeFrom === undefined) rmSync(historyFile, { force: true });
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
    if (historyFile) writeFileSync(historyFile, `${JSON.stringify(points)}\n`);
    progress.epochEnd({ epoch: e.epoch, seconds, ...(loss !== undefined ? { loss } : {}), ...(rate !== undefined ? { rate } : {}) }, r.maxEpochs ? e.epoch / r.maxEpochs : undefined);
  });
  runner.on('checkpoint', (c) => progress.event('checkpoint', { epoch: c.epoch, seconds: c.durationMs / 1000, path: manager?.dbName(c.epoch) }));
  runner.on('warning', (w) => progress.note(`warning: ${w.message}${w.cause instanceof Error ? `: ${w.cause.message}` : ''}`));
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
