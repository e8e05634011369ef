import { ContextError } from '../errors/index.js';
import { BlobReference } from './BlobReference.js';
import type { ExecutionStep } from './ExecutionStep.js';
import { NetBuilder } from './NetBuilder.js';

/**
 * `ops.WhileNet()`: Caffe2's control-op loop. Its first child must be an
 * `ops.Condition()` block whose last op outputs the scalar bool condition; the
 * body runs while it is true. Lowered to a loop step in its own child
 * workspace (blobs created inside stay local).
 *
 * @example
 * ops.WhileNet().scope(() => {
 *   ops.Condition().scope(() => { ops.Add([x, ops.Const(1)], [x]); ops.LT([x, ops.Const(7)]); });
 *   ops.Add([x, y], [y]);
 * });
 */
export class WhileNet extends NetBuilder {
  /** @internal */
  _condition: WhileCondition | undefined;

  constructor(name?: string) {
    super({ name });
  }

  /** @internal */
  override _toExecutionStep(): ExecutionStep {
    return super._toExecutionStep().setCreateWorkspace(true);
  }

  /** @internal */
  override _onExit(failed: boolean): void {
    if (!failed && this._condition === undefined) {
      throw new ContextError('HOGWILD_CONTEXT_ORDER', `Expected an ops.Condition() block in WhileNet '${this.name}' but none was given`);
    }
    super._onExit(failed);
  }

  /** @internal called by the condition block when it exits */
  _conditionDone(cond: BlobReference): void {
    this.stopIf(this.currentNet().Not(cond));
  }

  /** @internal */
  get childCount(): number {
    return this._children.length;
  }
}

/**
 * `ops.Condition()`: the condition block of a WhileNet; its last op's single
 * output is the loop condition.
 *
 * @example
 * ops.Condition().scope(() => ops.LT([x, ops.Const(7)]));
 */
export class WhileCondition extends NetBuilder {
  private readonly _loop: WhileNet;

  constructor(name?: string) {
    const parent = NetBuilder.current(undefined, { required: false });
    if (!(parent instanceof WhileNet)) {
      throw new ContextError('HOGWILD_CONTEXT_ORDER', 'Expected ops.Condition() directly inside ops.WhileNet() but it is not');
    }
    if (parent._condition) throw new ContextError('HOGWILD_CONTEXT_ORDER', 'Expected one ops.Condition() per WhileNet but received several');
    if (parent.childCount > 0) {
      throw new ContextError('HOGWILD_CONTEXT_ORDER', "Expected ops.Condition() before the loop's body but it came after");
    }
    super({ name });
    this._loop = parent;
    parent._condition = this;
  }

  /** @internal */
  override _onExit(failed: boolean): void {
    if (!failed) {
      const nets = this._children.filter((c) => !(c instanceof NetBuilder));
      const last = nets.at(-1) as { ops: readonly { outputs: string[] }[] } | undefined;
      const op = last?.ops.at(-1);
      if (!op || op.outputs.length !== 1) {
        throw new ContextError('HOGWILD_INVALID_ARGUMENT', 'Expected the last op of ops.Condition() to have a single output but it does not');
      }
      super._onExit(failed);
      this._loop._conditionDone(new BlobReference(op.outputs[0]!));
      return;
    }
    super._onExit(failed);
  }
}
