/**
 * One training job of the example server: a fastText model trained by the
 * Job API on Hogwild threads, a checkpoint after every epoch, events for
 * Server-Sent Events, cancellation through an AbortSignal, and predictions
 * from the newest checkpoint while it trains.
 *
 * Nothing here blocks the event loop: the epochs run on native threads,
 * checkpoints are written and read off the JS thread, and JS only sees a few
 * events per second.
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
  type Prediction,
} from 'hogwild';

export type JobState = 'starting' | 'training' | 'done' | 'cancelled' | 'failed';

/** What SSE clients receive: `event: <type>` and `data: <JSON>`. */
export interface JobEvent {
  type: 'state' | 'progress' | 'epoch' | 'checkpoint' | 'warning' | 'done' | 'cancelled' | 'failed';
  data: Record<string, unknown>;
}

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
  private _model: { epoch: number; model: Promise<FastTextModel> } | undefined;

  constructor(
    readonly id: string,
    readonly options: TrainingJobOptions,
  ) {
    super();
    this.finished = this._run();
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
      loss: this.loss ?? null,
      checkpointEpoch: this._checkpoint?.epoch ?? null,
      labels: this._ft?.scan.labels ?? null,
      error: this.error ?? null,
    };
  }

  /**
   * Predicts with the newest checkpoint (undefined before the first one).
   * The model is loaded once per checkpoint, off the JS thread.
   */
  async predict(lines: string[], k: number): Promise<{ epoch: number; predictions: Prediction[][] } | undefined> {
    const ckpt = this._checkpoint;
    if (!ckpt) return undefined;
    if (this._model?.epoch !== ckpt.epoch) {
      const old = this._model;
      this._model = { epoch: ckpt.epoch, model: FastTextModel.load(ckpt.path) };
      // Frees the previous model once its predictions in flight are done.
      void old?.model.then((m) => m.dispose(), () => undefined);
    }
    const model = await this._model.model;
    return { epoch: ckpt.epoch, predictions: await model.predict(lines, k) };
  }

  /** Frees the loaded model. */
  async dispose(): Promise<void> {
    this.cancel();
    await this.finished;
    const m = this._model;
    this._model = undefined;
    await m?.model.then((x) => x.dispose(), () => undefined);
  }

  private _emit(type: JobEvent['type'], data: Record<string, unknown>): void {
    const e = { type, data };
    if (type !== 'progress') this.history.push(e);
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
      const manager = new CheckpointManager(ckptDir, 'fasttext', undefined, undefined, { maxToKeep: 3 });
      const runner = new JobRunner(ft.job, { checkpointManager: manager, report: ft.report });
      runner.on('epochEnd', (e) => {
        this.epoch = e.epoch;
        this.loss = typeof e.reports.lossSum === 'number' ? e.reports.lossSum / ft.batchesPerEpoch : undefined;
        this._emit('epoch', { epoch: e.epoch, loss: this.loss, seconds: e.runMs / 1000, tokensPerSecond: ft.tokensPerEpoch / (e.runMs / 1000) });
      });
      runner.on('warning', (w) => this._emit('warning', { message: w.message, cause: (w.cause as Error | undefined)?.message ?? null }));
      runner.on('checkpoint', (c) => {
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
      this.state = 'done';
      this._emit('done', this.status());
    } catch (err) {
      if (signal.aborted) {
        this.state = 'cancelled';
        this._emit('cancelled', this.status());
      } else {
        this.state = 'failed';
        this.error = (err as Error).message;
        this._emit('failed', this.status());
      }
    }
  }
}
