import { ContextError } from '../errors/index.js';
import { BlobReference } from './BlobReference.js';
import { NetBuilder } from './NetBuilder.js';

/**
 * `ops.loop(iters?)`: a child builder run repeatedly (docs/caffe2.md §5.2). With
 * `iters` (a number or a blob) the body runs that many times and `iter()`
 * reads 0..iters-1; the counter resets each time the parent runs the loop.
 * Without `iters`, the body must call `ops.stopIf`.
 *
 * @example
 * ops.loop(10).scope((loop) => ops.Add([total, loop.iter()], [total]));
 */
export class Loop extends NetBuilder {
  private readonly _inc: BlobReference | undefined;
  private readonly _iter: BlobReference | undefined;
  private readonly _numIters: BlobReference | undefined;

  constructor(iters?: number | BlobReference, name?: string) {
    super({ name, stopBlobRequired: true });
    if (iters !== undefined) {
      const parent = NetBuilder.current().currentNet();
      this._inc = parent.Const(1);
      this._iter = parent.Const(0);
      this._numIters = iters instanceof BlobReference ? iters : parent.Const(iters);
    }
  }

  /** The iteration counter blob (int64 scalar, 0-based). */
  iter(): BlobReference {
    if (this._iter === undefined) {
      throw new ContextError('HOGWILD_INVALID_ARGUMENT', `Expected a loop with a number of iterations for iter() but '${this.name}' has none`);
    }
    return this._iter;
  }

  /** Runs `fn(loop)` inside the loop body. */
  override scope<R>(fn: (loop: this) => R): R {
    return super.scope(() => fn(this));
  }

  /** @internal */
  override _onEnter(): void {
    if (this._numIters !== undefined) this.stopIf(this.currentNet().GE([this._iter!, this._numIters]));
  }

  /** @internal */
  override _onExit(failed: boolean): void {
    if (!failed && this._numIters !== undefined) this.currentNet().Add([this._iter!, this._inc!], [this._iter!]);
    super._onExit(failed);
  }
}
