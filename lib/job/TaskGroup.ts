import { inspect } from 'node:util';

import { ContextError, InvalidArgumentError } from '../errors/index.js';
import { executionStep, ExecutionStep, toExecutionStep, type StepsOrNets } from '../net/ExecutionStep.js';
import { NameRegistry } from '../net/NameRegistry.js';
import { currentOf, ManagedContext, registerContext, type CurrentOptions } from '../context/ManagedContext.js';
import { Node } from './Node.js';
import { SetupKey } from '../context/setupKeys.js';
import { taskGroupSlot } from '../context/slots.js';
import { getSetupNets } from './setupSteps.js';
import { Task } from './Task.js';
import type { TaskOutput } from './TaskOutput.js';
import { WorkspaceType } from './WorkspaceType.js';

/** Options of `new TaskGroup()`. */
export interface TaskGroupOptions {
  workspaceType?: WorkspaceType;
}

/**
 * Tasks that run concurrently, possibly on several nodes (docs/caffe2.md §3.4).
 * Tasks on one node share that node's workspace; the group finishes when its
 * last task does. Tasks made while the group is active join it. A group is
 * "used" once a session lowers it; adding a task after that throws
 * HOGWILD_TASK_GROUP_USED.
 *
 * @example
 * const tg = new TaskGroup();
 * tg.scope(() => {
 *   new Task({ step: readNet });
 *   new Node('n2').scope(() => new Task({ step: trainNet }));
 * });
 * await session.run(tg);
 */
export class TaskGroup extends ManagedContext {
  static readonly LOCAL_SETUP = SetupKey.LOCAL_SETUP;
  /** @internal The Job this group belongs to (for name counters). */
  _job: { names: NameRegistry } | undefined;
  private readonly _tasks: Task[] = [];
  private _pending: Task[] = [];
  private _used = false;
  private readonly _reportSteps: [string, ExecutionStep][] = [];
  private _workspaceType: WorkspaceType | undefined;
  private _byNode: { group: TaskGroup; map: Map<string, string> } | undefined;

  constructor(options: TaskGroupOptions | WorkspaceType = {}) {
    super();
    const type = typeof options === 'string' ? options : options.workspaceType;
    if (type !== undefined && type !== WorkspaceType.GLOBAL && type !== WorkspaceType.PRIVATE) {
      throw new InvalidArgumentError(`Expected 'private' or 'global' for workspaceType but received ${inspect(type)}`);
    }
    this._workspaceType = type;
  }

  /** The innermost active TaskGroup. */
  static current(value?: TaskGroup | null, options?: CurrentOptions & { required?: true }): TaskGroup;
  static current(value: TaskGroup | null | undefined, options: CurrentOptions): TaskGroup | undefined;
  static current(value?: TaskGroup | null, options?: CurrentOptions): TaskGroup | undefined {
    return currentOf(TaskGroup, value, options);
  }

  /** Runs `fn(group)` with this group active. */
  override scope<R>(fn: (group: this) => R): R {
    return super.scope(() => fn(this));
  }

  /** True once a session lowered the group: it takes no more tasks. */
  get used(): boolean {
    return this._used;
  }

  /** Adds a task now (types must agree; an untyped side takes the other's type). */
  add(task: Task): void {
    this._assertNotUsed(task);
    const tt = task.workspaceType();
    if (this._workspaceType !== undefined && tt !== undefined && this._workspaceType !== tt) {
      throw new InvalidArgumentError(
        `Expected workspace type '${this._workspaceType}' for task '${task.name}' of this TaskGroup but received '${tt}'`,
      );
    }
    if (tt === undefined) task._setWorkspaceType(this._workspaceType ?? WorkspaceType.PRIVATE);
    this._workspaceType ??= task.workspaceType();
    task._notifyUsed();
    this._tasks.push(task);
  }

  /** Adds the registered tasks, marks the group used, and returns its tasks. */
  tasks(): Task[] {
    const pending = this._pending;
    this._pending = [];
    for (const t of pending) this.add(t);
    this._used = true;
    return [...this._tasks];
  }

  numRegisteredTasks(): number {
    return this._tasks.length + this._pending.length;
  }

  /** Distinct node names of its tasks, in order of first appearance. */
  usedNodes(): string[] {
    const out: string[] = [];
    for (const t of [...this._tasks, ...this._pending]) if (!out.includes(t.node)) out.push(t.node);
    return out;
  }

  workspaceType(): WorkspaceType | undefined {
    return this._workspaceType;
  }

  /** Types an untyped group; a typed one must match (sessions call this). @internal */
  _requireWorkspaceType(type: WorkspaceType): void {
    if (this._workspaceType !== undefined && this._workspaceType !== type) {
      throw new InvalidArgumentError(`Expected a TaskGroup of workspace type '${type}' but this one is '${this._workspaceType}'`);
    }
    this._workspaceType = type;
  }

  /**
   * A step run every `intervalMs` on `node` while the group runs, and at least
   * once after the node's tasks finish.
   */
  reportStep(step: StepsOrNets, options: { node?: string | Node; intervalMs?: number } = {}): void {
    const s = toExecutionStep(step as Parameters<typeof toExecutionStep>[0]);
    s.runEveryMillis(options.intervalMs ?? 1000);
    this._reportSteps.push([String(options.node ?? Node.current()), s]);
  }

  /**
   * Lowering (docs/caffe2.md §3.4): a new group with one task per (remapped) node,
   * holding node init/exit (LOCAL_SETUP hooks), report steps and the tasks'
   * steps run concurrently.
   */
  tasksByNode(nodeRemap?: (node: string) => string): TaskGroup {
    const map = new Map<string, string>();
    for (const t of this.tasks()) map.set(t.node, nodeRemap ? nodeRemap(t.node) : t.node);
    if (this._byNode) {
      const prev = this._byNode.map;
      const same = prev.size === map.size && [...map].every(([k, v]) => prev.get(k) === v);
      if (!same) throw new ContextError('HOGWILD_INVALID_ARGUMENT', 'Expected one node mapping for tasksByNode but it was called again with another');
      return this._byNode.group;
    }
    const tasksByNode = new Map<string, Task[]>();
    for (const t of this.tasks()) {
      const node = map.get(t.node)!;
      let list = tasksByNode.get(node);
      if (!list) tasksByNode.set(node, (list = []));
      list.push(t);
    }
    const reportsByNode = new Map<string, ExecutionStep[]>();
    for (const [node, step] of this._reportSteps) {
      const mapped = map.get(node) ?? node;
      let list = reportsByNode.get(mapped);
      if (!list) reportsByNode.set(mapped, (list = []));
      list.push(step);
    }
    const grouped = new TaskGroup();
    grouped._job = this._job;
    for (const [node, tasks] of tasksByNode) {
      const reports = reportsByNode.get(node) ?? [];
      const setup = getSetupNets(SetupKey.LOCAL_SETUP, [...tasks.map((t) => t.getStep()), ...reports], this, this._job?.names ?? NameRegistry.processDefault);
      const steps: ExecutionStep[] = [...reports];
      const outputs: TaskOutput[] = [];
      let type: WorkspaceType = WorkspaceType.PRIVATE;
      for (const t of tasks) {
        const step = t.getStep();
        step.setCreateWorkspace(t.workspaceType() === WorkspaceType.PRIVATE);
        steps.push(step);
        outputs.push(...t.outputs());
        if (t.workspaceType() === WorkspaceType.GLOBAL) type = WorkspaceType.GLOBAL;
      }
      if (steps.length === 0) steps.push(executionStep('empty', []));
      let step = steps.length === 1 ? steps[0]! : executionStep(`${node}:body`, steps, { concurrentSubsteps: true });
      if (setup.init.length > 0 || setup.exit.length > 0) {
        const wrapped: ExecutionStep[] = [];
        if (setup.init.length > 0) wrapped.push(executionStep(`${node}:init`, setup.init));
        wrapped.push(step);
        if (setup.exit.length > 0) wrapped.push(executionStep(`${node}:exit`, setup.exit));
        step = executionStep(node, wrapped);
      }
      new Task({ node, step, outputs, name: 'grouped_by_node', group: grouped, workspaceType: type });
    }
    this._byNode = { group: grouped, map };
    return grouped;
  }

  /** Every task remapped onto one node (default: the current Node), as one task. */
  toTask(node?: string | Node): Task {
    const name = String(node === undefined ? Node.current() : node);
    const tasks = this.tasksByNode(() => name).tasks();
    return tasks[0] ?? new Task({ group: null });
  }

  /** @internal called by the Task constructor */
  _register(task: Task): void {
    this._assertNotUsed(task);
    this._pending.push(task);
  }

  /** @internal */
  _unregister(task: Task): void {
    this._pending = this._pending.filter((t) => t !== task);
  }

  /** @internal */
  _pendingNames(): string[] {
    return this._pending.map((t) => t.name);
  }

  private _assertNotUsed(task: Task): void {
    if (this._used) {
      throw new ContextError(
        'HOGWILD_TASK_GROUP_USED',
        `Expected a TaskGroup not yet run for task '${task.name}' but this group was already used; make a new TaskGroup`,
      );
    }
  }

  [inspect.custom](): string {
    const tasks = [...this._tasks, ...this._pending].map((t) => inspect(t)).join(', ');
    return `TaskGroup(tasks=[${tasks}], workspace_type=${this._workspaceType ?? 'None'}, remote_nets=[])`;
  }
}

registerContext(TaskGroup);
taskGroupSlot.bind(TaskGroup);
