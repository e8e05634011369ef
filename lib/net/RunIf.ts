import { ContextError } from '../errors/index.js';
import type { BlobLike, BlobReference } from './BlobReference.js';
import { NetBuilder } from './NetBuilder.js';
import { RunOnce } from './RunOnce.js';

/**
 * `ops.If(cond)` and its `.Elif(cond)` / `.Else()` branches (docs/caffe2.md §5.2),
 * lowered to plain steps: each branch starts with `stopIf(skip)` and then
 * marks `alreadyRan`, so later branches see that an earlier one ran.
 *
 * @example
 * const c = ops.If(ops.GE([val, ops.Const(80)]));
 * c.scope(() => ops.Add([large, val], [large]));
 * const d = c.Elif(ops.GE([val, ops.Const(50)]));
 * d.scope(() => ops.Add([small, val], [small]));
 * d.Else().scope(() => ops.Add([tiny, val], [tiny]));
 */
export class RunIf extends RunOnce {
  private readonly _isElse: boolean;
  private readonly _alreadyRan: BlobReference;
  private readonly _skip: BlobReference;

  /** @internal use ops.If */
  constructor(cond: BlobLike | undefined, name?: string, alreadyRan?: BlobReference, fullName?: string) {
    super(fullName !== undefined && name === undefined ? { fullName } : { name });
    if (cond === undefined && alreadyRan === undefined) {
      throw new ContextError('HOGWILD_INVALID_ARGUMENT', 'Expected a condition blob for ops.If but received none');
    }
    this._isElse = cond === undefined;
    const parent = NetBuilder.current().currentNet();
    if (alreadyRan === undefined) {
      this._skip = parent.Not(cond!);
      this._alreadyRan = parent.Const(false);
    } else {
      this._alreadyRan = alreadyRan;
      this._skip = cond === undefined ? alreadyRan : parent.Or([alreadyRan, parent.Not(cond)]);
    }
  }

  /** Runs `fn(branch)` inside the branch body. */
  override scope<R>(fn: (branch: this) => R): R {
    return super.scope(() => fn(this));
  }

  /** A branch run when no earlier branch ran and `cond` is true. */
  Elif(cond: BlobLike, name?: string): RunIf {
    this._assertNotElse('Elif');
    return NetBuilder.current().add(this._next(cond, name));
  }

  /** A branch run when no earlier branch ran. */
  Else(name?: string): RunIf {
    this._assertNotElse('Else');
    return NetBuilder.current().add(this._next(undefined, name));
  }

  /** @internal */
  protected _next(cond: BlobLike | undefined, name: string | undefined): RunIf {
    return new RunIf(cond, name, this._alreadyRan, this.name);
  }

  /** @internal */
  get alreadyRan(): BlobReference {
    return this._alreadyRan;
  }

  private _assertNotElse(what: string): void {
    if (this._isElse) {
      throw new ContextError('HOGWILD_CONTEXT_ORDER', `Expected ${what} after an If or Elif branch but received it after an Else`);
    }
  }

  /** @internal */
  override _onEnter(): void {
    this.stopIf(this._skip);
    this.currentNet().Const(true, { blobOut: this._alreadyRan });
  }
}
