import type { ExecutionStep } from './ExecutionStep.js';
import { NetBuilder } from './NetBuilder.js';

/**
 * The body of `ops.taskInit()`, `ops.taskExit()`, `ops.taskInstanceInit()`,
 * `ops.taskInstanceExit()`, `ops.localInit()` and `ops.localExit()`: a builder
 * attached as a setup hook to the net that was current when it was made. Its
 * step runs once per task / instance / node run (docs/caffe2.md §3.6).
 *
 * @example
 * const one = ops.taskInit().scope(() => ops.Const(1));
 */
export class SetupBuilder extends NetBuilder {
  static readonly INIT = 'init';
  static readonly EXIT = 'exit';
  /** @internal set once the hook was collected for a target. */
  _setupUsed = false;

  constructor(
    readonly type: 'init' | 'exit',
    name?: string,
  ) {
    super({ name });
  }

  /** The init step (for an init hook). @internal */
  setup(): ExecutionStep | undefined {
    return this.type === SetupBuilder.INIT ? this._toExecutionStep() : undefined;
  }

  /** The exit step (for an exit hook). @internal */
  exit(): ExecutionStep | undefined {
    return this.type === SetupBuilder.EXIT ? this._toExecutionStep() : undefined;
  }
}
