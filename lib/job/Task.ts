import { inspect } from 'node:util';

import { ContextError, InvalidArgumentError } from '../errors/index.js';
import type { BlobLike } from '../net/BlobReference.js';
import { executionStep, ExecutionStep, toExecutionStep, type StepsOrNets } from '../net/ExecutionStep.js';
import { NameRegistry } from '../net/NameRegistry.js';
import { Net } from '../net/Net.js';
import { NetBuilder } from '../net/NetBuilder.js';
import { currentOf, ManagedContext, registerContext, type CurrentOptions } from '../context/ManagedContext.js';
import { Node } from './Node.js';
import { SetupKey } from '../context/setupKeys.js';
import { taskGroupSlot } from '../context/slots.js';
import { addSetupSteps, getSetupNets } from './setupSteps.js';
import type { TaskGroup } from './TaskGroup.js';
import { TaskOutput, TaskOutputList, type FetchedTensor } from './TaskOutput.js';
import type { WorkspaceType } from './WorkspaceType.js';

/** What a task output can be given as. */
export type OutputLike = BlobLike | readonly BlobLike[] | TaskOutput;

/** Options of `new Task()` (docs/caffe2.md §3.5). */
export interface TaskOptions {
  /** The body: a net, a step, a builder or a list of them (or build it with `task.scope`). */
  step?: StepsOrNets;
  /** Blobs returned to the client (one output per list element). */
  outputs?: OutputLike | readonly OutputLike[];
  workspaceType?: WorkspaceType;
  /** The group to join (default: the active TaskGroup, if any; null: none). */
  group?: TaskGroup | null;
  /** The node to run on (default: the active Node, `'local'`). */
  node?: string | Node;
  /** Default: the step's name, else `'task'`. The full name is `<node>/<name>`. */
  name?: string;
  /** Run N concurrent instances of the body, each in its own child workspace. */
  numInstances?: number;
}

/**
 * A step plus outputs, run on one node as part of a TaskGroup (docs/caffe2.md §3.5).
 * A task made inside an active TaskGroup joins it. `task.scope(fn)` opens a
 * NetBuilder for the body, so `fn` uses `ops.*`. With `numInstances: N`,
 * task-init runs once, then N threads each run instance-init → body →
 * instance-exit in their own child workspace, then task-exit runs once.
 *
 * @example
 * const task = new Task({ name: 'count', numInstances: 4 });
 * task.scope(() => {
 *   const total = ops.taskInit().scope(() => ops.CreateCounter([], ['total']));
 *   ops.loop(100).scope(() => ops.CountUp(total));
 * });
 */
export class Task extends ManagedContext {
  /** Hooks run once per task, before all instances start / after they all finish. */
  static readonly TASK_SETUP = SetupKey.TASK_SETUP;
  /** Hooks run once per task instance. */
  static readonly TASK_INSTANCE_SETUP = SetupKey.TASK_INSTANCE_SETUP;
  /** Periodic steps of a task. */
  static readonly REPORT_STEP = SetupKey.REPORT_STEP;
  readonly node: string;
  readonly group: TaskGroup | undefined;
  readonly name: string;
  private _step: ExecutionStep | undefined;
  private _stepWithSetup: ExecutionStep | undefined;
  private readonly _outputs: TaskOutput[] = [];
  private _used = false;
  private _workspaceType: WorkspaceType | undefined;
  private readonly _numInstances: number | undefined;
  private _builder: NetBuilder | undefined;

  constructor(options: TaskOptions = {}) {
    super();
    const n = options.numInstances;
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
      throw new InvalidArgumentError(`Expected an integer >= 1 for numInstances but received ${n}`);
    }
    let name = options.name;
    if (!name && options.step instanceof ExecutionStep) name = options.step.name;
    name ||= 'task';
    this.node = String(Node.current(options.node === undefined ? undefined : new Node(options.node)));
    // The slot is bound to TaskGroup (which imports this file), so what it returns is one.
    this.group = options.group === null ? undefined : (taskGroupSlot.current(options.group, { required: false }) as TaskGroup | undefined);
    this.name = nextTaskName(this.node, this.group, name);
    this.group?._register(this);
    this._workspaceType = options.workspaceType;
    this._numInstances = n;
    if (options.step !== undefined) this.setStep(options.step);
    if (options.outputs !== undefined) this.addOutputs(options.outputs);
  }

  /** The innermost active Task. */
  static current(value?: Task | null, options?: CurrentOptions & { required?: true }): Task;
  static current(value: Task | null | undefined, options: CurrentOptions): Task | undefined;
  static current(value?: Task | null, options?: CurrentOptions): Task | undefined {
    return currentOf(Task, value, options);
  }

  /** Runs `fn(task)` with a NetBuilder open for the task's body. */
  override scope<R>(fn: (task: this) => R): R {
    return super.scope(() => fn(this));
  }

  workspaceType(): WorkspaceType | undefined {
    return this._workspaceType;
  }

  /** @internal set by the group */
  _setWorkspaceType(t: WorkspaceType): void {
    this._workspaceType = t;
  }

  get numInstances(): number {
    return this._numInstances ?? 1;
  }

  /** True once the task's group was used (its step is final). */
  get used(): boolean {
    return this._used;
  }

  /** Adds one output. */
  addOutput(output: BlobLike): TaskOutput<FetchedTensor>;
  addOutput(output: readonly BlobLike[]): TaskOutput<FetchedTensor[]>;
  addOutput<T extends TaskOutput>(output: T): T;
  addOutput(output: OutputLike): TaskOutput;
  addOutput(output: OutputLike): TaskOutput {
    this._assertNotUsed();
    const o = output instanceof TaskOutput ? output : new TaskOutput(output);
    this._outputs.push(o);
    return o;
  }

  /** Adds one output per list element (or one for a single blob). */
  addOutputs(outputs: OutputLike | readonly OutputLike[]): TaskOutput | TaskOutput[] {
    this._assertNotUsed();
    if (Array.isArray(outputs)) return (outputs as readonly OutputLike[]).map((o) => this.addOutput(o));
    return this.addOutput(outputs as OutputLike);
  }

  /** The body (before setup wrapping). */
  setStep(step: StepsOrNets): void {
    this._assertNotUsed();
    this._step = toExecutionStep(step as Parameters<typeof toExecutionStep>[0]);
  }

  outputs(): readonly TaskOutput[] {
    return this._outputs;
  }

  outputList(): TaskOutputList {
    return new TaskOutputList(this._outputs);
  }

  /**
   * The final step (built once): setup hooks, report steps, instances and the
   * dummy output of a task that has none (docs/caffe2.md §3.5).
   */
  getStep(): ExecutionStep {
    if (this._stepWithSetup) return this._stepWithSetup;
    if (!this._step) {
      this._stepWithSetup = executionStep(this.name, []);
      return this._stepWithSetup;
    }
    const reportSteps = (this._step.getAllAttributes(SetupKey.REPORT_STEP) as (ExecutionStep & { _reportStepUsed?: boolean })[]).filter(
      (s) => !s._reportStepUsed,
    );
    for (const s of reportSteps) {
      s._reportStepUsed = true;
      if (!s.options.runEveryMs) s.runEveryMillis(1000);
    }
    const sources = [this._step, ...reportSteps];
    // Nets made here are named by the job owning the group (or the process
    // registry), never by whatever job happens to be active at compile time.
    const names = this.group?._job?.names ?? NameRegistry.processDefault;
    const taskSetup = getSetupNets(SetupKey.TASK_SETUP, sources, this, names);
    const instanceSetup = getSetupNets(SetupKey.TASK_INSTANCE_SETUP, sources, this, names);
    if (this._outputs.length === 0) {
      const outputNet = new Net(`${this.name}:output`, { names, builderPrefix: false });
      this.addOutput(outputNet.ConstantFill([], 1, { dtype: 'int32', value: 0, shape: [1] }));
      taskSetup.exit.push(outputNet);
    }
    const body = reportSteps.length === 0 ? this._step : executionStep(`${this.name}:body`, [...reportSteps, this._step]);
    let instance = addSetupSteps(body, instanceSetup.init, instanceSetup.exit, `${this.name}:instance`);
    if (this.numInstances > 1) {
      instance.setCreateWorkspace(true);
      instance = executionStep(`${this.name}:parallel`, [instance], { numConcurrentInstances: this.numInstances });
    }
    this._stepWithSetup = addSetupSteps(instance, taskSetup.init, taskSetup.exit, this.name);
    return this._stepWithSetup;
  }

  /** Builds the final step and freezes the task (called when its group is used). @internal */
  _notifyUsed(): void {
    this.getStep();
    this._used = true;
  }

  /** @internal */
  override _onEnter(): ManagedContext[] {
    this.group?._unregister(this);
    this._assertNotUsed();
    if (this._step) {
      this.group?._register(this);
      throw new ContextError('HOGWILD_INVALID_ARGUMENT', `Expected a Task without a step to build its body but '${this.name}' already has one`);
    }
    this._builder = new NetBuilder({ fullName: this.name });
    return [this._builder];
  }

  /** @internal */
  override _onExit(failed: boolean): void {
    const builder = this._builder;
    this._builder = undefined;
    if (!failed && builder) this.setStep(builder);
    this.group?._register(this);
  }

  private _assertNotUsed(): void {
    if (this._used) {
      throw new ContextError('HOGWILD_TASK_USED', `Expected a Task not yet used by a run but '${this.name}' already was`);
    }
  }

  [inspect.custom](): string {
    return `Task(name=${this.name}, node=${this.node}, outputs=[${this._outputs.map((o) => inspect(o)).join(', ')}])`;
  }
}

registerContext(Task);

/** `<node>/<name>`, made unique among the group's pending tasks (`:1`, `:2`, …). */
function nextTaskName(node: string, group: TaskGroup | undefined, name: string): string {
  const base = `${node}/${name}`;
  const used = new Set(group ? group._pendingNames() : []);
  let cur = base;
  for (let i = 1; used.has(cur); i++) cur = `${base}:${i}`;
  return cur;
}
