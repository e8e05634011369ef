/**
 * One training job of the example server: a fastText model trained by the
 * Job API on Hogwild threads, a checkpoint after every epoch, events for
 * Server-Sent Events, cancellation through an AbortSignal, and predictions
 * from the newest checkpoint while it trains.
 *
 * Nothing here blocks the event loop: the epochs run on native threads,
 * checkpoints are written and read off the JS thread, and JS only sees a few
 * events per second. A loss that turns NaN or infinite fails the job.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import {
  buildFastTextJob,
  CheckpointManager,
  FastTextModel,
  JobRunner,
  LocalSession,
  type FastTextJob,
  type FastTextTrainOptions,
} from 'hogwild';

import { redactPaths } from './redact.js';
import { SharedModel, type ModelLease } from './SharedModel.js';

export type JobState = 'starting' | 'training' | 'done' | 'cancelled' | 'failed';

/** What SSE clients receive: `id: <n>` (history events only), `event: <type>` and `data: <JSON>`. */
export interface JobEvent {
  type: 'state' | 'progress' | 'epoch' | 'checkpoint' | 'warning' | 'done' | 'cancelled' | 'failed';
  data: Record<string, unknown>;
  /** 1-based position in the history; progress events are not kept and have none. */
  id?: number;
}

export const FINAL_STATES: readonly JobState[] = ['done', 'cancelled', 'failed'];

export interface TrainingJobOptions extends Omit<FastTextTrainOptions, 'input'> {
  /** Directory of this job: its training file is `train.txt`, checkpoints go to `checkpoints/`. */
  dir: string;
}

export class TrainingJob extends EventEmitter<{ event: [JobEvent] }> {
  state: JobState = 'starting';
  epoch = 0;
  loss: number | undefined;
  error: string | undefined;
  /** Every event so far, replayed to late subscribers. */
  readonly history: JobEvent[] = [];
  readonly finished: Promise<void>;
  private readonly _abort = new AbortController();
  private _ft: FastTextJob | undefined;
  private _checkpoint: { epoch: number; path: string } | undefined;
  private _model: SharedModel | undefined;
  private _diverged: string | undefined;
  private _disposed = false;

  constructor(
    readonly id: string,
    readonly options: TrainingJobOptions,
  ) {
    super();
    // One listener per SSE client: no limit (the default warns past 10).
    this.setMaxListeners(0);
    this.finished = this._run();
  }

  get ended(): boolean {
    return FINAL_STATES.includes(this.state);
  }

  /** Stops training: the running epoch is cancelled and the job ends as 'cancelled'. */
  cancel(): void {
    this._abort.abort(new Error(`job ${this.id} cancelled`));
  }

  /** A plain snapshot for JSON. */
  status(): Record<string, unknown> {
    return {
      id: this.id,
      state: this.state,
      epoch: this.epoch,
      epochs: this._ft?.options.epoch ?? this.options.epoch,
      loss: finiteOrNull(this.loss),
      checkpointEpoch: this._checkpoint?.epoch ?? null,
      labels: this._ft?.scan.labels ?? null,
      error: this.error ?? null,
    };
  }

  /**
   * The model of the newest checkpoint, for one prediction (undefined before
   * the first checkpoint). Loaded once per checkpoint, off the JS thread; the
   * caller must `release()` it, and it is freed after its last user.
   */
  async acquireModel(): Promise<ModelLease | undefined> {
    for (let attempt = 0; ; attempt++) {
      const ckpt = this._checkpoint;
      if (!ckpt || this._disposed) return undefined;
      if (this._model?.epoch !== ckpt.epoch) {
        void this._model?.retire();
        this._model = new SharedModel(ckpt.epoch, FastTextModel.load(ckpt.path));
      }
      const shared = this._model;
      try {
        return await shared.acquire();
      } catch (err) {
        if (this._model === shared) {
          this._model = undefined;
          void shared.retire();
        }
        // The checkpoint manager may have rotated the file out while a newer one was written: retry that one.
        if (attempt > 0 || this._checkpoint === ckpt) throw err;
      }
    }
  }

  get disposed(): boolean {
    return this._disposed;
  }

  /**
   * Cancels training and waits for it to stop. The model is freed when the
   * predictions using it end, which is not awaited: a slow client must not
   * hold up a deletion.
   */
  async dispose(): Promise<void> {
    this._disposed = true;
    this.cancel();
    await this.finished;
    const m = this._model;
    this._model = undefined;
    void m?.retire();
  }

  private _emit(type: JobEvent['type'], data: Record<string, unknown>): void {
    const e: JobEvent = { type, data };
    if (type !== 'progress') {
      e.id = this.history.length + 1;
      this.history.push(e);
    }
    this.emit('event', e);
  }

  private _setState(state: JobState): void {
    this.state = state;
    this._emit('state', { state });
  }

  private async _run(): Promise<void> {
    const signal = this._abort.signal;
    const { dir, ...train } = this.options;
    await using session = new LocalSession();
    try {
      const ft = (this._ft = await buildFastTextJob({ ...train, input: join(dir, 'train.txt') }));
      signal.throwIfAborted();
      const ckptDir = join(dir, 'checkpoints');
      mkdirSync(ckptDir, { recursive: true });
      const manager = new CheckpointManager(ckptDir, 'fasttext', undefined, undefined, { maxToKeep: 2 });
      const runner = new JobRunner(ft.job, { checkpointManager: manager, report: ft.report });
      runner.on('epochEnd', (e) => {
        this.epoch = e.epoch;
        this.loss = typeof e.reports.lossSum === 'number' ? e.reports.lossSum / ft.batchesPerEpoch : undefined;
        this._emit('epoch', { epoch: e.epoch, loss: finiteOrNull(this.loss), seconds: e.runMs / 1000, tokensPerSecond: ft.tokensPerEpoch / (e.runMs / 1000) });
        if (this.loss !== undefined && !Number.isFinite(this.loss)) {
          // Diverged: the weights are garbage from here on, so stop and fail rather than report 'done'.
          this._diverged = `training diverged: the loss is ${this.loss} at epoch ${e.epoch} (try a smaller lr than ${train.lr ?? 'the default'})`;
          this._abort.abort(new Error(this._diverged));
        }
      });
      runner.on('warning', (w) => this._emit('warning', { message: redactPaths(w.message), cause: redactPaths((w.cause as Error | undefined)?.message ?? '') || null }));
      runner.on('checkpoint', (c) => {
        if (this._diverged) return; // never predict with diverged weights
        this._checkpoint = { epoch: c.epoch, path: manager.dbName(c.epoch) };
        this._emit('checkpoint', { epoch: c.epoch });
      });
      let lastProgress = 0;
      this._setState('training');
      await runner.train(session, {
        signal,
        maxEpochs: ft.options.epoch,
        onReport: ({ values }) => {
          const now = performance.now();
          if (now - lastProgress < 250) return;
          lastProgress = now;
          const iter = values[ft.progressBlobs.iteration] ?? 0;
          this._emit('progress', { fraction: Math.min(1, iter / (ft.batchesPerEpoch * ft.options.epoch)) });
        },
      });
      if (this._diverged) throw new Error(this._diverged); // diverged in the last epoch
      this.state = 'done';
      this._emit('done', this.status());
    } catch (err) {
      if (this._diverged) {
        this.state = 'failed';
        this.error = this._diverged;
        this._emit('failed', this.status());
      } else if (signal.aborted) {
        this.state = 'cancelled';
        this._emit('cancelled', this.status());
      } else {
        this.state = 'failed';
        this.error = redactPaths((err as Error).message);
        this._emit('failed', this.status());
      }
    }
  }
}

/** JSON has no NaN or Infinity: they would silently become null. */
function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}
