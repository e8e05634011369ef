import type { BlobLike } from './BlobReference.js';
import type { ExecutionStep } from './ExecutionStep.js';
import type { Net } from './Net.js';
import { NetBuilder } from './NetBuilder.js';
import { SetupKey } from '../context/setupKeys.js';

/** Where a finished reporter step goes. */
export type ReportSink = (step: ExecutionStep, intervalMs: number) => void;

/**
 * The body of `ops.taskReporter()` / `ops.localReporter()`: ops run every
 * `intervalMs` while the task (or the node's tasks) run, and once more at the
 * end. `blobs` are scalar blobs whose values reach the session's `onReport`.
 *
 * @example
 * ops.taskReporter({ intervalMs: 500, blobs: [loss] }).scope(() => ops.Copy(avgLoss, loss));
 */
export class ReporterBuilder extends NetBuilder {
  constructor(
    private readonly _intervalMs: number,
    private readonly _net: Net | undefined,
    name: string | undefined,
    private readonly _blobs: readonly BlobLike[] | undefined,
    private readonly _sink: ReportSink | undefined,
  ) {
    super({ name });
  }

  /** @internal */
  override _onExit(failed: boolean): void {
    if (!failed) {
      const step = this._toExecutionStep();
      step.set({ runEveryMs: this._intervalMs, ...(this._blobs ? { reportBlobs: this._blobs } : {}) });
      if (this._net) this._net.addAttribute(SetupKey.REPORT_STEP, step);
      else this._sink?.(step, this._intervalMs);
    }
    super._onExit(failed);
  }
}
