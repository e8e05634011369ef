import { inspect } from 'node:util';

import { DisposedError, InvalidArgumentError } from '../errors/index.js';
import type { Job } from '../job/Job.js';
import { Task } from '../job/Task.js';
import { TaskGroup } from '../job/TaskGroup.js';
import type { TaskOutput } from '../job/TaskOutput.js';
import { WorkspaceType } from '../job/WorkspaceType.js';
import type { Report } from '../native/coreTypes.js';
import { executionStep, ExecutionStep } from '../net/ExecutionStep.js';
import { Net } from '../net/Net.js';
import { NetBuilder } from '../net/NetBuilder.js';
import { Plan } from '../net/Plan.js';
import { CompiledRunnable } from './CompiledRunnable.js';
import { checkOptions } from '../runtime/validate.js';
import type { Runnable, SessionAction } from './runnable.js';

/** Options of `session.run()`. */
export interface SessionRunOptions {
  /** Aborting cancels the run between nets; `run` then rejects with `signal.reason`. The session stays usable. */
  signal?: AbortSignal;
  /** Type given to an untyped runnable (default GLOBAL for anything but a TaskGroup). */
  workspaceType?: WorkspaceType;
  /** Values of report steps' `reportBlobs`, as they are produced. */
  onReport?: (report: Report) => void;
}

/** Options of `compileJob`. */
export interface CompileJobOptions {
  /** Blobs the job reads that no group writes (fed by you before running). */
  externalInputs?: readonly string[];
}

// One cache for every session class, keyed weakly by the runnable object
// (Caffe2's cache was a never-emptied dict: a leak with one-off groups).
const cache = new WeakMap<object, CompiledRunnable[]>();

type SessionClass = abstract new (...args: never[]) => Session;

/**
 * Runs runnables (TaskGroups, Tasks, steps, plans, nets) and lets their
 * outputs be fetched (docs/caffe2.md §4.1). Compiling is cached per runnable
 * object, so an epoch group is lowered once and run every epoch.
 *
 * @example
 * await using session = new LocalSession();
 * await session.run(job.initGroup);
 */
export abstract class Session {
  private _closed = false;
  private readonly _inFlight = new Set<Promise<unknown>>();

  /**
   * Lowers `runnable` for this session class (cached). A non-group runnable
   * is wrapped in a new TaskGroup of `workspaceType` (default GLOBAL).
   */
  static compile(this: SessionClass & typeof Session, runnable: Exclude<Runnable, SessionAction>, workspaceType?: WorkspaceType): CompiledRunnable {
    if (runnable instanceof CompiledRunnable) {
      if (runnable.sessionClass !== this) {
        throw new InvalidArgumentError(
          `Expected a runnable compiled for ${this.name} but received one compiled for ${runnable.sessionClass.name}`,
        );
      }
      return runnable;
    }
    if (runnable === null || typeof runnable !== 'object') {
      throw new InvalidArgumentError(`Expected a TaskGroup, Task, step, plan, net or NetBuilder to run but received ${inspect(runnable)}`);
    }
    const hit = cache.get(runnable)?.find((c) => c.sessionClass === this);
    if (hit) return hit;
    let tg: TaskGroup;
    if (runnable instanceof TaskGroup) {
      if (workspaceType !== undefined) runnable._requireWorkspaceType(workspaceType);
      tg = runnable;
    } else {
      tg = new TaskGroup(workspaceType ?? WorkspaceType.GLOBAL);
      if (runnable instanceof Task) tg.add(runnable);
      else if (runnable instanceof ExecutionStep || runnable instanceof NetBuilder) new Task({ step: runnable, group: tg });
      else if (runnable instanceof Plan) {
        const steps = runnable.steps();
        if (steps.length === 0) throw new InvalidArgumentError(`Expected a plan with at least one step but '${runnable.name}' has none`);
        new Task({ step: steps.length === 1 ? steps[0]! : [...steps], group: tg, name: runnable.name });
      } else if (runnable instanceof Net || (Array.isArray(runnable) && runnable.every((n) => n instanceof Net))) {
        new Task({ step: executionStep('runnable', runnable as Net | Net[]), group: tg });
      } else {
        throw new InvalidArgumentError(`Expected a TaskGroup, Task, step, plan, net or NetBuilder to run but received ${inspect(runnable)}`);
      }
    }
    const compiled = new CompiledRunnable(this._compileTaskGroup(tg), this);
    const list = cache.get(runnable) ?? [];
    list.push(compiled);
    cache.set(runnable, list);
    return compiled;
  }

  /** Session-specific lowering of a TaskGroup. @internal */
  protected static _compileTaskGroup(_tg: TaskGroup): unknown {
    throw new InvalidArgumentError(`Expected a concrete Session class for compile but received ${this.name}`);
  }

  /** Compiles the four groups of `job` and checks its data flow (see Job.compile). */
  static compileJob(this: SessionClass & typeof Session, job: Job, _options: CompileJobOptions = {}): void {
    for (const g of job.groups()) this.compile(g);
  }

  /** Compiles `job` for this session, checking reads against its workspace too. */
  compileJob(job: Job, options: CompileJobOptions = {}): void {
    (this.constructor as typeof Session).compileJob(job, options);
  }

  /**
   * Compiles (cached) and runs `runnable`; a function (a checkpoint manager's
   * action) is called with the session. Rejects with the first op error, or
   * `signal.reason`.
   */
  async run(runnable: Runnable, options: SessionRunOptions = {}): Promise<void> {
    this._assertOpen();
    if (runnable === null || runnable === undefined) throw new InvalidArgumentError('Expected a runnable for session.run but received none');
    checkOptions(options, 'session.run options', ['signal', 'workspaceType', 'onReport']);
    options.signal?.throwIfAborted();
    const p =
      typeof runnable === 'function'
        ? runnable(this, { signal: options.signal })
        : this._runCompiled((this.constructor as typeof Session).compile(runnable, options.workspaceType), options);
    this._inFlight.add(p);
    try {
      await p;
    } finally {
      this._inFlight.delete(p);
    }
  }

  /** Runs a compiled runnable. @internal */
  protected abstract _runCompiled(compiled: CompiledRunnable, options: SessionRunOptions): Promise<void>;

  /** The current value of a task output (lazy read, see TaskOutput.fetch). */
  fetchOutput<V extends TaskOutput>(output: V): ReturnType<V['fetch']> {
    this._assertOpen();
    return output.fetch() as ReturnType<V['fetch']>;
  }

  isOpen(): boolean {
    return !this._closed;
  }

  /** Closes once: waits for runs in flight, then frees what the session owns. */
  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    await Promise.allSettled([...this._inFlight]);
    await this._doClose();
  }

  /** @internal */
  protected async _doClose(): Promise<void> {
    // nothing by default
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  protected _assertOpen(): void {
    if (this._closed) throw new DisposedError(this.constructor.name);
  }
}
