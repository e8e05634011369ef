import { inspect } from 'node:util';

import { ContextError, InvalidArgumentError } from '../errors/index.js';
import { BlobReference } from '../net/BlobReference.js';
import { NameRegistry, setNameRegistryProvider } from '../net/NameRegistry.js';
import { currentOf, ManagedContext, registerContext, type CurrentOptions } from '../context/ManagedContext.js';
import type { StopCondition } from './stopCondition.js';
import { Task } from './Task.js';
import { TaskGroup } from './TaskGroup.js';
import { TaskOutput } from './TaskOutput.js';
import { WorkspaceType } from './WorkspaceType.js';

/** Options of `new Job()` (docs/caffe2.md §6.1). */
export interface JobOptions {
  /** Runs once on a fresh start (GLOBAL by default): weights, cursors, counters. */
  initGroup?: TaskGroup;
  /** Runs once per epoch until a stop condition holds. */
  epochGroup?: TaskGroup;
  /** Runs once after the epoch loop. */
  downloadGroup?: TaskGroup;
  /** Runs once at the very end. */
  exitGroup?: TaskGroup;
  stopConditions?: readonly (StopCondition | BlobReference)[];
  /** Nodes whose state is checkpointed (default: the init group's nodes). */
  nodesToCheckpoint?: readonly string[];
}

/** A Session class or instance (both have `compileJob`). */
export interface JobCompiler {
  compileJob(job: Job, options: { externalInputs?: readonly string[] }): void;
}

/**
 * A training job: four TaskGroups and its stop conditions (docs/caffe2.md §6.1).
 * Entering a Job also enters its epoch group, so Tasks made inside land there;
 * `job.initGroup.scope(…)` (or `exitGroup`, `downloadGroup`) targets another.
 * Net and blob names made while the job is active come from the job's own
 * counters, so they are the same in every process.
 *
 * @example
 * const job = new Job();
 * job.scope(() => {
 *   job.initGroup.scope(() => new Task({ step: model.paramInitNet }));
 *   new Task({ name: 'train' }).scope(() => ops.net(model.net));
 * });
 * epochLimiter(job, 10);
 * await new JobRunner(job).train(session);
 */
export class Job extends ManagedContext {
  readonly initGroup: TaskGroup;
  readonly epochGroup: TaskGroup;
  readonly downloadGroup: TaskGroup;
  readonly exitGroup: TaskGroup;
  /** The job's net-name counters. */
  readonly names = new NameRegistry();
  private readonly _stopConditions: StopCondition[] = [];
  private _nodesToCheckpoint: string[] | undefined;
  private _compiled = false;

  constructor(options: JobOptions = {}) {
    super();
    this.initGroup = options.initGroup ?? new TaskGroup(WorkspaceType.GLOBAL);
    this.epochGroup = options.epochGroup ?? new TaskGroup();
    this.downloadGroup = options.downloadGroup ?? new TaskGroup();
    this.exitGroup = options.exitGroup ?? new TaskGroup();
    for (const g of this.groups()) g._job ??= this;
    this._nodesToCheckpoint = options.nodesToCheckpoint && options.nodesToCheckpoint.length > 0 ? [...options.nodesToCheckpoint] : undefined;
    for (const c of options.stopConditions ?? []) this.addStopCondition(c);
  }

  /** The innermost active Job; throws HOGWILD_NO_ACTIVE_CONTEXT when none. */
  static current(value?: Job | null, options?: CurrentOptions & { required?: true }): Job;
  static current(value: Job | null | undefined, options: CurrentOptions): Job | undefined;
  static current(value?: Job | null, options?: CurrentOptions): Job | undefined {
    return currentOf(Job, value, options);
  }

  /** Runs `fn(job)` with the job (and its epoch group) active. */
  override scope<R>(fn: (job: this) => R): R {
    return super.scope(() => fn(this));
  }

  /** The four groups in run order: init, epoch, download, exit. */
  groups(): [TaskGroup, TaskGroup, TaskGroup, TaskGroup] {
    return [this.initGroup, this.epochGroup, this.downloadGroup, this.exitGroup];
  }

  get stopConditions(): readonly StopCondition[] {
    return this._stopConditions;
  }

  /** True once compiled. */
  get compiled(): boolean {
    return this._compiled;
  }

  /**
   * Adds a way to stop. A blob becomes the output of a new step-less task of
   * the epoch group; a TaskOutput must hold a scalar bool; a function is a JS
   * predicate; an AbortSignal stops cleanly after the epoch in which it fired.
   * Must be called before `compile`.
   */
  addStopCondition(condition: StopCondition | BlobReference): StopCondition {
    if (this._compiled) {
      throw new ContextError('HOGWILD_JOB_COMPILED', 'Expected stop conditions to be added before job.compile() but the job is compiled');
    }
    let c: StopCondition;
    if (condition instanceof BlobReference) {
      const task = new Task({ outputs: [condition], group: this.epochGroup });
      c = task.outputs()[0]!;
    } else if (condition instanceof TaskOutput) {
      if (!condition.isScalar) {
        throw new InvalidArgumentError(
          `Expected a single-blob TaskOutput as a stop condition but received one of ${condition.names.length} blobs`,
          'HOGWILD_INVALID_STOP_CONDITION',
        );
      }
      c = condition;
    } else if (typeof condition === 'function' || condition instanceof AbortSignal) {
      c = condition;
    } else {
      throw new InvalidArgumentError(
        `Expected a BlobReference, TaskOutput, predicate function or AbortSignal as a stop condition but received ${inspect(condition)}`,
        'HOGWILD_INVALID_STOP_CONDITION',
      );
    }
    this._stopConditions.push(c);
    return c;
  }

  /** The explicit list, else the init group's nodes. */
  nodesToCheckpoint(): string[] {
    return this._nodesToCheckpoint ? [...this._nodesToCheckpoint] : this.initGroup.usedNodes();
  }

  /**
   * Lowers the four groups for `session` (a Session class or instance) and
   * checks the data flow: every blob an op reads must be written by some group
   * of the job, exist in the session's workspace (instance given), or be listed
   * in `externalInputs`; otherwise HOGWILD_MISSING_BLOB names it. The groups
   * can no longer take tasks.
   */
  compile(session: JobCompiler, options: { externalInputs?: readonly string[] } = {}): void {
    this._nodesToCheckpoint = this.nodesToCheckpoint();
    session.compileJob(this, options);
    this._compiled = true;
  }

  /** @internal */
  override _onEnter(): ManagedContext[] {
    return [this.epochGroup];
  }

  override toString(): string {
    return 'Job';
  }
}

registerContext(Job);

setNameRegistryProvider(
  () =>
    Job.current(undefined, { required: false })?.names ??
    TaskGroup.current(undefined, { required: false })?._job?.names ??
    Task.current(undefined, { required: false })?.group?._job?.names,
);
