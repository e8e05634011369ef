import { ContextError } from '../errors/index.js';
import { SetupKey } from '../context/setupKeys.js';
import { taskGroupSlot } from '../context/slots.js';
import type { BlobLike, BlobReference } from './BlobReference.js';
import type { ConstValue } from './constValue.js';
import { IfNet } from './IfNet.js';
import { Loop } from './Loop.js';
import type { ConstOptions, Net, OpArgs, OpInputs, OpOutputs } from './Net.js';
import { NetBuilder } from './NetBuilder.js';
import type { KnownOps } from './opTypes.js';
import { ReporterBuilder } from './ReporterBuilder.js';
import { RunIf } from './RunIf.js';
import { SetupBuilder } from './SetupBuilder.js';
import { StopGuard } from './StopGuard.js';
import { WhileCondition, WhileNet } from './WhileNet.js';

/** Options of `ops.taskReporter` / `ops.localReporter`. */
export interface ReporterOptions {
  intervalMs?: number;
  name?: string;
  /** Scalar blobs whose values are sent to the run's `onReport` after each report. */
  blobs?: readonly BlobLike[];
}

/**
 * Operations on the active NetBuilder (docs/caffe2.md §5.2). Any op type is a
 * method that appends to the current net of the innermost builder
 * (`ops.Add(...)` is `NetBuilder.current().currentNet().Add(...)`); the rest are
 * control helpers.
 *
 * @example
 * new Task({ name: 'count' }).scope(() => {
 *   const total = ops.Const(0);
 *   ops.loop(10).scope((loop) => ops.Add([total, loop.iter()], [total]));
 *   finalOutput(total);
 * });
 */
export class Operations {
  /** With `net`: adds it to the builder (it becomes current). Else returns (or, with `name`, starts) the current net. */
  net(net?: Net | null, name?: string): Net {
    if (net && name !== undefined) throw new ContextError('HOGWILD_INVALID_ARGUMENT', 'Expected net or name for ops.net() but received both');
    if (net) return NetBuilder.current().add(net);
    return NetBuilder.current().currentNet(name);
  }

  /** Appends an op of any type to the current net. */
  op(type: string, inputs?: OpInputs | null, outputs?: OpOutputs | null, args?: OpArgs): BlobReference | BlobReference[] {
    return this.net().op(type, inputs, outputs, args);
  }

  /** A constant blob in the current net (see Net.Const). */
  Const(value: ConstValue, options?: BlobLike | ConstOptions): BlobReference {
    return this.net().Const(value, options);
  }

  /** Stops the innermost builder's step here: later ops of that builder do not run. */
  stop(): void {
    this.stopIf(this.Const(true));
  }

  /** Stops the innermost builder's step once `blob` (scalar bool) is true. */
  stopIf(blob: BlobLike): void {
    NetBuilder.current().stopIf(blob);
  }

  /** A child builder run `iters` times (a number or a blob), or until `stopIf`. */
  loop(iters?: number | BlobReference, name?: string): Loop {
    return NetBuilder.current().add(new Loop(iters, name));
  }

  /** A child builder run once; `hasStopped()` tells whether it was halted early. */
  stopGuard(hasStoppedBlob?: BlobLike, name?: string): StopGuard {
    return NetBuilder.current().add(new StopGuard(hasStoppedBlob, name));
  }

  /** A branch run once when `cond` is true; chain `.Elif(c)` / `.Else()`. */
  If(cond: BlobLike, name?: string): RunIf {
    return NetBuilder.current().add(new RunIf(cond, name));
  }

  /** Like If, with blobs created inside the branch local to it. */
  IfNet(cond: BlobLike, name?: string): IfNet {
    return NetBuilder.current().add(new IfNet(cond, name));
  }

  /** The else branch of the IfNet just built. */
  Else(name?: string): RunIf {
    const last = NetBuilder.current().children.at(-1);
    if (!(last instanceof IfNet)) throw new ContextError('HOGWILD_CONTEXT_ORDER', 'Expected ops.Else() right after an ops.IfNet() block but it is not');
    if (last._hasElse) throw new ContextError('HOGWILD_CONTEXT_ORDER', 'Expected one ops.Else() per ops.IfNet() but received several');
    last._hasElse = true;
    return last.Else(name);
  }

  /** A loop whose first child is an `ops.Condition()` block. */
  WhileNet(name?: string): WhileNet {
    return NetBuilder.current().add(new WhileNet(name));
  }

  /** The condition block of the enclosing WhileNet. */
  Condition(name?: string): WhileCondition {
    return NetBuilder.current().add(new WhileCondition(name));
  }

  /** Ops run once per task, before all instances start. */
  taskInit(): SetupBuilder {
    return this._setup(SetupKey.TASK_SETUP, SetupBuilder.INIT);
  }

  /** Ops run once per task, after all instances finish. */
  taskExit(): SetupBuilder {
    return this._setup(SetupKey.TASK_SETUP, SetupBuilder.EXIT);
  }

  /** Ops run by each task instance before its body (thread-local). */
  taskInstanceInit(): SetupBuilder {
    return this._setup(SetupKey.TASK_INSTANCE_SETUP, SetupBuilder.INIT);
  }

  /** Ops run by each task instance after its body. */
  taskInstanceExit(): SetupBuilder {
    return this._setup(SetupKey.TASK_INSTANCE_SETUP, SetupBuilder.EXIT);
  }

  /** Ops run once per node per TaskGroup run, before any task of the node starts. */
  localInit(): SetupBuilder {
    return this._setup(SetupKey.LOCAL_SETUP, SetupBuilder.INIT);
  }

  /** Ops run once per node per TaskGroup run, after all its tasks end. */
  localExit(name?: string): SetupBuilder {
    return this._setup(SetupKey.LOCAL_SETUP, SetupBuilder.EXIT, name);
  }

  /** Ops run periodically while the task runs, and once more at its end. */
  taskReporter(options: ReporterOptions | number = {}): ReporterBuilder {
    const o = typeof options === 'number' ? { intervalMs: options } : options;
    return new ReporterBuilder(o.intervalMs ?? 1000, this.net(), o.name, o.blobs, undefined);
  }

  /** Ops run periodically while the current TaskGroup runs on this node, and once at the end. */
  localReporter(options: ReporterOptions | number = {}): ReporterBuilder {
    const o = typeof options === 'number' ? { intervalMs: options } : options;
    return new ReporterBuilder(o.intervalMs ?? 1000, undefined, o.name, o.blobs, (step, intervalMs) =>
      taskGroupSlot.current()!.reportStep(step, { intervalMs }),
    );
  }

  private _setup(key: string, type: 'init' | 'exit', name?: string): SetupBuilder {
    const setup = new SetupBuilder(type, name);
    this.net().addAttribute(key, setup);
    return setup;
  }
}

// Any other capitalized name is an op on the current net (ops.FC, ops.Add, …).
Object.setPrototypeOf(
  Operations.prototype,
  new Proxy(Object.prototype, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^[A-Z]/.test(prop)) {
        return (inputs?: OpInputs | null, outputs?: OpOutputs | null, args?: OpArgs) =>
          NetBuilder.current().currentNet().op(prop, inputs, outputs, args);
      }
      return Reflect.get(target, prop, receiver);
    },
  }),
);

// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Operations extends KnownOps {}

/** The `ops` singleton: op calls and control helpers on the active NetBuilder. */
export const ops = new Operations();
