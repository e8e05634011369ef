import { ContextError } from '../errors/index.js';
import { BlobReference, type BlobLike } from './BlobReference.js';
import { RunOnce } from './RunOnce.js';

/**
 * `ops.stopGuard()`: runs its body once; `hasStopped()` is a bool blob that is
 * true after the run iff the body was halted by `ops.stop`/`ops.stopIf`.
 *
 * @example
 * const g = ops.stopGuard();
 * g.scope(() => ops.stopIf(ops.LT([x, ops.Const(5)])));
 * final = g.hasStopped();
 */
export class StopGuard extends RunOnce {
  private _stopped: BlobReference | undefined;
  private _ran = false;

  constructor(hasStoppedBlob?: BlobLike, name?: string) {
    super({ name });
    if (hasStoppedBlob !== undefined) {
      this._stopped = typeof hasStoppedBlob === 'string' ? new BlobReference(hasStoppedBlob) : hasStoppedBlob;
    }
  }

  /** Runs `fn(guard)` inside the guarded body. */
  override scope<R>(fn: (guard: this) => R): R {
    return super.scope(() => fn(this));
  }

  /** The "was halted early" blob; valid only after the guard's body was built. */
  hasStopped(): BlobReference {
    if (!this._ran) {
      throw new ContextError('HOGWILD_CONTEXT_ORDER', `Expected stop guard '${this.name}' to have been used before hasStopped() but it was not`);
    }
    return this._stopped!;
  }

  /** @internal */
  override _onEnter(): void {
    this._stopped = this.currentNet().Const(true, { blobOut: this._stopped });
  }

  /** @internal */
  override _onExit(failed: boolean): void {
    if (!failed) {
      this._ran = true;
      this.currentNet().Const(false, { blobOut: this._stopped });
    }
    super._onExit(failed);
  }
}
