import type { BlobLike } from './BlobReference.js';
import { RunIf } from './RunIf.js';
import type { ExecutionStep } from './ExecutionStep.js';

/**
 * `ops.IfNet(cond)` / `ops.Else()`: Caffe2's control-op conditional. Lowered to
 * the same steps as `ops.If`, each branch in its own child workspace, so blobs
 * first created inside a branch stay local to it (lexical scope) while writes
 * to outer blobs land outside.
 *
 * @example
 * ops.IfNet(ops.LT([x0, x1])).scope(() => ops.Add([ops.Const(100), local], [y0]));
 * ops.Else().scope(() => {});
 */
export class IfNet extends RunIf {
  /** @internal */
  _hasElse = false;

  /** @internal use ops.IfNet */
  constructor(cond: BlobLike | undefined, name?: string, alreadyRan?: RunIf['alreadyRan'], fullName?: string) {
    super(cond, name, alreadyRan, fullName);
  }

  /** @internal */
  override _toExecutionStep(): ExecutionStep {
    return super._toExecutionStep().setCreateWorkspace(true);
  }

  /** @internal */
  protected override _next(cond: BlobLike | undefined, name: string | undefined): RunIf {
    return new IfNet(cond, name, this.alreadyRan, this.name);
  }
}
