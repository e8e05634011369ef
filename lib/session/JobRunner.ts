import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';

import { ExecutionError, InvalidArgumentError, PlanError } from '../errors/index.js';
import { checkOptions, checkString, expected } from '../runtime/validate.js';
import type { Job } from '../job/Job.js';
import type { StopCondition, StopContext } from '../job/stopCondition.js';
import { scalarOf, TaskOutput, type FetchedTensor } from '../job/TaskOutput.js';
import type { Report } from '../native/coreTypes.js';
import type { CheckpointAction, CheckpointManagerApi, UploadTaskGroupBuilder } from './checkpointApi.js';
import type { Session } from './Session.js';

/** Options of `new JobRunner()`. */
export interface JobRunnerOptions {
  checkpointManager?: CheckpointManagerApi;
  /**
   * Resume from this epoch's checkpoint (the manager's metadata handler may change it). 'latest': the
   * newest checkpoint that validates, or a fresh start when there is none (needs a checkpointManager).
   */
  resumeFromEpoch?: number | 'latest';
  uploadTaskGroupBuilder?: UploadTaskGroupBuilder;
  /** Outputs fetched after each epoch and passed to 'epochEnd' listeners, by name. */
  report?: Record<string, TaskOutput>;
  /**
   * Save checkpoints asynchronously (when the manager has `saveAsync`): at the epoch boundary the
   * blobs are copied into reused memory and the next epoch starts at once while a native thread
   * writes the file; at most one save in flight (a boundary waits only for an unfinished previous
   * save); `train` settles only after the last save settled. Default false: each epoch waits for
   * its save.
   */
  asyncSave?: boolean;
  /** The `report` entry holding the epoch's loss, checked for NaN/Inf after every epoch (default 'loss'). */
  lossReport?: string;
  /**
   * What a NaN or infinite loss does. 'stop' (default): train rejects with an
   * ExecutionError (code HOGWILD_NON_FINITE_LOSS) before that epoch is
   * checkpointed, so the newest checkpoint is the last good one. 'warn': a
   * 'warning' event, and training goes on.
   */
  nonFiniteLoss?: 'stop' | 'warn';
  /**
   * Checkpoint less often than every epoch: an epoch is saved when it ends the
   * run (a stop condition, maxEpochs) or when at least this many milliseconds
   * passed since the previous save (or since training started), and the
   * initial epoch-0 checkpoint is skipped. For jobs whose epochs are short next
   * to writing their parameters (a few MB of examples, 100s of MB of n-gram
   * rows). A crash then loses at most this long of training. Default 0: every
   * epoch and epoch 0, as Caffe2's JobRunner.
   */
  checkpointIntervalMs?: number;
}

const RUNNER_KEYS = ['checkpointManager', 'resumeFromEpoch', 'uploadTaskGroupBuilder', 'report', 'asyncSave', 'lossReport', 'nonFiniteLoss', 'checkpointIntervalMs'];
const TRAIN_KEYS = ['signal', 'maxEpochs', 'onReport'];

/** Options of `runner.train()`. */
export interface TrainOptions {
  /** Aborting cancels the running plan; `train` rejects with `signal.reason` (the session stays usable). */
  signal?: AbortSignal;
  /** Stop after this epoch number at the latest (absolute: a resumed run counts from its resume epoch). */
  maxEpochs?: number;
  /** Values of the epoch group's report steps (ops.taskReporter / localReporter) while an epoch runs. */
  onReport?: (report: Report) => void;
}

/** A reported value: a one-element tensor as a number/boolean, else the tensor. */
export type ReportedValue = number | boolean | FetchedTensor | FetchedTensor[];

export interface EpochStartEvent {
  epoch: number;
}

export interface EpochEndEvent {
  epoch: number;
  /** Time running the epoch group. */
  runMs: number;
  /** Time evaluating stop conditions. */
  stopCheckMs: number;
  /** Whether a stop condition held (or maxEpochs was reached). */
  stop: boolean;
  /** Values of the runner's `report` outputs after this epoch. */
  reports: Record<string, ReportedValue>;
}

export interface CheckpointEvent {
  epoch: number;
  /** From the start of the save (its snapshot) to the committed file. */
  durationMs: number;
}

export interface CheckpointErrorEvent {
  epoch: number;
  error: Error;
}

/** Events of a JobRunner (a typed Node EventEmitter). */
export interface JobRunnerEvents {
  init: [{ fromScratch: boolean; resumeFromEpoch: number | undefined; durationMs: number }];
  epochStart: [EpochStartEvent];
  epochEnd: [EpochEndEvent];
  /** A checkpoint save begins (async: its snapshot is taken). */
  checkpointStart: [{ epoch: number; async: boolean }];
  /** A checkpoint save ended: the file is committed and its metadata written. */
  checkpoint: [CheckpointEvent];
  /** A checkpoint save failed (also reported through 'warning'; training goes on). */
  checkpointError: [CheckpointErrorEvent];
  /** A swallowed problem (a failed checkpoint save); without listeners it goes to process.emitWarning. */
  warning: [Error];
  done: [{ epoch: number }];
}

/**
 * Runs a Job (docs/caffe2.md §6.7): init (or checkpoint load), checkpoint epoch 0,
 * epochs until a stop condition holds (stop flags are read after each epoch
 * and before its checkpoint, which is saved anyway), upload, download, exit.
 * `checkpointIntervalMs` saves fewer epochs (always the last one).
 * `train` returns the number of the last epoch run.
 *
 * Progress is reported through Node's EventEmitter (typed): `epochStart`,
 * `epochEnd` (durations, stop flag, reported outputs), `checkpoint`,
 * `warning`, `done`.
 *
 * @example
 * const runner = new JobRunner(job, { report: { loss: lossOutput } });
 * runner.on('epochEnd', (e) => console.log(e.epoch, e.reports.loss, e.runMs));
 * const last = await runner.train(session, { signal: AbortSignal.timeout(60_000) });
 */
export class JobRunner extends EventEmitter<JobRunnerEvents> {
  readonly job: Job;
  readonly checkpointManager: CheckpointManagerApi | undefined;
  readonly resumeFromEpoch: number | 'latest' | undefined;
  readonly uploadTaskGroupBuilder: UploadTaskGroupBuilder | undefined;
  readonly asyncSave: boolean;
  readonly checkpointIntervalMs: number;
  private readonly _report: [string, TaskOutput][];
  /** The asynchronous save in flight (never rejects: failures are reported as they happen). */
  private _pendingSave: Promise<void> | undefined;
  private readonly _lossReport: string;
  private readonly _nonFiniteLoss: 'stop' | 'warn';

  constructor(job: Job, options: JobRunnerOptions = {}) {
    super();
    checkOptions(options, 'JobRunner options', RUNNER_KEYS);
    const r = options.resumeFromEpoch;
    if (r === 'latest' && !options.checkpointManager) {
      throw new InvalidArgumentError("Expected a checkpointManager with resumeFromEpoch 'latest' but the runner has none");
    }
    if (r !== undefined && r !== 'latest' && (!Number.isInteger(r) || r < 0)) {
      throw new InvalidArgumentError(`Expected an integer >= 0 for resumeFromEpoch but received ${r}`);
    }
    for (const [name, o] of Object.entries(options.report ?? {})) {
      if (!(o instanceof TaskOutput)) throw new InvalidArgumentError(`Expected a TaskOutput for report.${name} but received ${String(o)}`);
    }
    this.job = job;
    this.checkpointManager = options.checkpointManager;
    this.resumeFromEpoch = r;
    this.uploadTaskGroupBuilder = options.uploadTaskGroupBuilder;
    this._report = Object.entries(options.report ?? {});
    if (options.asyncSave !== undefined && typeof options.asyncSave !== 'boolean') {
      throw new InvalidArgumentError(`Expected a boolean for asyncSave but received ${String(options.asyncSave)}`);
    }
    this.asyncSave = options.asyncSave ?? false;
    const interval = options.checkpointIntervalMs ?? 0;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
      throw new InvalidArgumentError(`Expected a number >= 0 for checkpointIntervalMs but received ${String(interval)}`);
    }
    this.checkpointIntervalMs = interval;
    this._lossReport = options.lossReport === undefined ? 'loss' : checkString(options.lossReport, 'options.lossReport', { nonEmpty: true });
    const nf = options.nonFiniteLoss ?? 'stop';
    if (nf !== 'stop' && nf !== 'warn') throw expected("'stop' or 'warn'", 'options.nonFiniteLoss', nf);
    this._nonFiniteLoss = nf;
  }

  /** Trains the job; resolves with the number of the last epoch run. */
  async train(session: Session, options: TrainOptions = {}): Promise<number> {
    checkOptions(options, 'train options', TRAIN_KEYS);
    try {
      return await this._train(session, options);
    } finally {
      // Exit waits for the last save, whatever ended the run.
      await this.checkpointsSettled();
    }
  }

  /** Resolves when no asynchronous checkpoint save is in flight. */
  async checkpointsSettled(): Promise<void> {
    while (this._pendingSave) await this._pendingSave;
  }

  private async _train(session: Session, options: TrainOptions): Promise<number> {
    const { signal, maxEpochs } = options;
    if (maxEpochs !== undefined && (!Number.isInteger(maxEpochs) || maxEpochs < 0)) {
      throw new InvalidArgumentError(`Expected an integer >= 0 for maxEpochs but received ${maxEpochs}`);
    }
    if (this.job.stopConditions.length === 0 && maxEpochs === undefined) {
      throw new PlanError(
        'HOGWILD_NO_STOP_CONDITION',
        'Expected a stop condition (job.addStopCondition, epochLimiter) or maxEpochs for train but the job has no way to stop',
      );
    }
    signal?.throwIfAborted();
    const job = this.job;
    const cm = this.checkpointManager;
    const t0 = performance.now();
    let resume = this.resumeFromEpoch === 'latest' ? undefined : this.resumeFromEpoch;
    if (cm) {
      await cm.setParams(job.nodesToCheckpoint());
      resume = (await cm.getResumeFromEpochId(this.resumeFromEpoch)) ?? undefined;
    }
    const fromScratch = resume === undefined;
    if (fromScratch) await session.run(job.initGroup, { signal });
    if (cm) {
      await this._runAction(session, await cm.init(job.nodesToCheckpoint(), resume === undefined ? {} : { retrieveFromEpoch: resume }), signal);
      if (fromScratch) {
        if (this.checkpointIntervalMs === 0) await this.saveCheckpoints(0, session, signal);
      } else {
        await this._runAction(session, await cm.load(resume!), signal);
        await cm.reportCheckpointStats('checkpoint_load');
      }
    }
    this.emit('init', { fromScratch, resumeFromEpoch: resume, durationMs: performance.now() - t0 });

    let last = fromScratch ? 0 : resume!;
    let lastSave = performance.now();
    for (let epoch = last + 1; maxEpochs === undefined || epoch <= maxEpochs; epoch++) {
      signal?.throwIfAborted();
      this.emit('epochStart', { epoch });
      const t1 = performance.now();
      await session.run(job.epochGroup, { signal, ...(options.onReport ? { onReport: options.onReport } : {}) });
      const t2 = performance.now();
      const stopFlag = await this._shouldStop(epoch, session);
      const stop = stopFlag || (maxEpochs !== undefined && epoch >= maxEpochs);
      const t3 = performance.now();
      last = epoch;
      const watchLoss = this._report.some(([name]) => name === this._lossReport);
      if (this.listenerCount('epochEnd') > 0 || watchLoss) {
        const reports = this._fetchReports();
        if (this.listenerCount('epochEnd') > 0) this.emit('epochEnd', { epoch, runMs: t2 - t1, stopCheckMs: t3 - t2, stop, reports });
        // After the listeners saw the epoch, before its checkpoint: a diverged epoch is never saved.
        if (watchLoss) this._checkLoss(epoch, reports[this._lossReport]);
      }
      if (cm && (stop || performance.now() - lastSave >= this.checkpointIntervalMs)) {
        await this.saveCheckpoints(epoch, session, signal);
        lastSave = performance.now();
      }
      if (stop) break;
    }

    await this.checkpointsSettled(); // the upload copies the last checkpoint
    if (this.uploadTaskGroupBuilder) await this._runAction(session, await this.uploadTaskGroupBuilder.build(last, cm), signal);
    await session.run(job.downloadGroup, { signal });
    await session.run(job.exitGroup, { signal });
    this.emit('done', { epoch: last });
    return last;
  }

  /**
   * Saves the checkpoint of `epoch`; a failure is only a warning (training
   * goes on), as in Caffe2. An abort is not swallowed.
   */
  async saveCheckpoints(epoch: number, session: Session, signal?: AbortSignal): Promise<void> {
    const cm = this.checkpointManager;
    if (!cm) throw new InvalidArgumentError('Expected a checkpoint manager for saveCheckpoints but the runner has none');
    await this.checkpointsSettled(); // at most one save in flight
    const t0 = performance.now();
    const failed = (err: unknown) => {
      const error = new Error(`Unable to write checkpoint for epoch ${epoch}`, { cause: err });
      this.emit('checkpointError', { epoch, error });
      this._warn(error);
    };
    const committed = async () => {
      await cm.writeCheckpointMetadata(epoch);
      await cm.reportCheckpointStats('checkpoint_save');
      this.emit('checkpoint', { epoch, durationMs: performance.now() - t0 });
    };
    try {
      if (await cm.cpAccessible()) {
        const useAsync = this.asyncSave && typeof cm.saveAsync === 'function';
        this.emit('checkpointStart', { epoch, async: useAsync });
        if (useAsync) {
          const { written } = await (await cm.saveAsync!(epoch))(session, { signal });
          const pending: Promise<void> = written.then(committed).catch(failed).finally(() => {
            if (this._pendingSave === pending) this._pendingSave = undefined;
          });
          this._pendingSave = pending;
          return;
        }
        await this._runAction(session, await cm.save(epoch), signal);
        await committed();
      } else {
        this._warn(new Error(`Checkpoint files cannot be accessed! (epoch ${epoch} not saved)`));
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      failed(err);
    }
  }

  /** Loads `blobNames` from each node's checkpoint of `epoch` (multi-node managers only). */
  async loadBlobsFromCheckpoints(blobNames: readonly string[], epoch: number, session: Session): Promise<boolean> {
    const cm = this.checkpointManager;
    if (!cm) throw new InvalidArgumentError('Expected a checkpoint manager for loadBlobsFromCheckpoints but the runner has none');
    if (typeof cm.loadBlobsLocally !== 'function') {
      throw new InvalidArgumentError('Expected a checkpoint manager with loadBlobsLocally (a multi-node manager) but this one has none');
    }
    const ok = await cm.loadBlobsLocally(this.job.nodesToCheckpoint(), blobNames, epoch, session);
    await cm.reportCheckpointStats('checkpoint_partial_load');
    return ok;
  }

  private async _runAction(session: Session, action: CheckpointAction, signal: AbortSignal | undefined): Promise<void> {
    await session.run(action, { signal });
  }

  /** Evaluates every stop condition (all of them, so a bad one always surfaces). Multi-node runners extend it. */
  protected async _shouldStop(epoch: number, session: Session): Promise<boolean> {
    let stop = false;
    let ctx: StopContext | undefined;
    for (const c of this._stopConditions()) {
      let flag: boolean;
      if (c instanceof TaskOutput) flag = stopFlagOf(c);
      else if (c instanceof AbortSignal) continue;
      else {
        ctx ??= { epoch, job: this.job, session };
        const v: unknown = await c(ctx);
        if (typeof v !== 'boolean') {
          throw new InvalidArgumentError(
            `Expected a boolean from a stop predicate after epoch ${epoch} but received ${String(v)} of type ${typeof v}`,
            'HOGWILD_INVALID_STOP_CONDITION',
          );
        }
        flag = v;
      }
      stop ||= flag;
    }
    // Signals last, so one aborted by a predicate above counts for this epoch.
    for (const c of this.job.stopConditions) if (c instanceof AbortSignal && c.aborted) stop = true;
    return stop;
  }

  /** The stop conditions this runner evaluates (a rank evaluates only its own node's outputs). */
  protected _stopConditions(): readonly StopCondition[] {
    return this.job.stopConditions;
  }

  private _checkLoss(epoch: number, loss: ReportedValue | undefined): void {
    if (typeof loss !== 'number' || Number.isFinite(loss)) return;
    const err = new ExecutionError(
      'HOGWILD_NON_FINITE_LOSS',
      `Training diverged: the loss${this._lossReport === 'loss' ? '' : ` ('${this._lossReport}')`} is ${loss} after epoch ${epoch} (try a lower learning rate); epoch ${epoch} is not checkpointed`,
    );
    if (this._nonFiniteLoss === 'stop') throw err;
    this._warn(err);
  }

  private _fetchReports(): Record<string, ReportedValue> {
    const out: Record<string, ReportedValue> = {};
    for (const [name, o] of this._report) {
      const v = o.fetch();
      out[name] = !Array.isArray(v) && v.data.length === 1 ? scalarOf(v, o.names[0]!) : v;
    }
    return out;
  }

  private _warn(err: Error): void {
    if (this.listenerCount('warning') > 0) this.emit('warning', err);
    else process.emitWarning(err.message + (err.cause instanceof Error ? `: ${err.cause.message}` : ''), 'HogwildWarning');
  }
}

/** A stop flag must be a one-element bool (or numeric) tensor. */
function stopFlagOf(o: TaskOutput): boolean {
  const v = o.fetch();
  const t = Array.isArray(v) ? (v.length === 1 ? v[0]! : undefined) : v;
  if (!t || t.data.length !== 1) {
    const shape = t ? `shape [${t.shape.join(', ')}]` : `${(v as FetchedTensor[]).length} blobs`;
    throw new InvalidArgumentError(
      `Expected a one-element bool tensor for stop condition '${o.names.join(', ')}' but received ${shape}`,
      'HOGWILD_INVALID_STOP_CONDITION',
    );
  }
  const x = t.data[0]!;
  return typeof x === 'bigint' ? x !== 0n : x !== 0;
}
