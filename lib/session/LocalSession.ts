import { DisposedError, PlanError } from '../errors/index.js';
import { Cluster } from '../job/Cluster.js';
import type { Job } from '../job/Job.js';
import type { Task } from '../job/Task.js';
import type { TaskGroup } from '../job/TaskGroup.js';
import type { TaskOutputList } from '../job/TaskOutput.js';
import { WorkspaceType } from '../job/WorkspaceType.js';
import type { PlanDef, TensorData } from '../native/coreTypes.js';
import { executionStep } from '../net/ExecutionStep.js';
import { CompiledPlan, compilePlan } from '../runtime/CompiledPlan.js';
import { Workspace } from '../runtime/Workspace.js';
import type { CompiledRunnable } from './CompiledRunnable.js';
import { describeUse, lowerPlan, type BlobUse } from './lowerPlan.js';
import { Session, type CompileJobOptions, type SessionRunOptions } from './Session.js';

/** A TaskGroup lowered for LocalSession. @internal */
export interface LocalCompiled {
  readonly def: PlanDef;
  readonly outputs: TaskOutputList;
  readonly outputNames: readonly string[];
  readonly externalInputs: ReadonlyMap<string, BlobUse | { step: string }>;
  readonly producedBlobs: ReadonlySet<string>;
  plan: CompiledPlan | undefined;
}

/** Options of `new LocalSession()`. */
export interface LocalSessionOptions {
  /** Run in this workspace (not closed with the session). Default: a new one, owned by the session. */
  workspace?: Workspace;
}

const OUTPUTS_NET = '__outputs__';

/**
 * Runs everything in one workspace on this machine (docs/caffe2.md §4.3). Every node
 * of a group is mapped onto one node, so all tasks run concurrently in one
 * plan. Task outputs are created in the session workspace before each run,
 * so outputs of PRIVATE tasks survive; a PRIVATE group's plan runs in a child
 * workspace, so the blobs it creates are dropped after the run.
 *
 * @example
 * await using session = new LocalSession();
 * const tg = new TaskGroup();
 * const out = tg.scope(() => new Task().scope(() => finalOutput(ops.Add([ops.Const(2), ops.Const(3)]))));
 * await session.run(tg);
 * out.fetchScalar(); // 5
 */
export class LocalSession extends Session {
  /** The session's workspace. */
  readonly workspace: Workspace;
  private readonly _owns: boolean;
  private readonly _fetch = (blob: string): TensorData => {
    this._assertOpen();
    return this.workspace.fetch(blob);
  };

  constructor(options: LocalSessionOptions | Workspace = {}) {
    super();
    const ws = options instanceof Workspace ? options : options.workspace;
    this.workspace = ws ?? new Workspace();
    this._owns = ws === undefined;
  }

  /** The one task this session runs for a group: all of its nodes' tasks, mapped onto one node. @internal */
  protected static _taskOf(tg: TaskGroup): Task {
    return new Cluster().scope(() => tg.toTask());
  }

  /** @internal */
  protected static override _compileTaskGroup(tg: TaskGroup): LocalCompiled {
    const task = this._taskOf(tg);
    const outputs = task.outputList();
    const outputNames = [...new Set(outputs.names())];
    let main = task.getStep();
    // Caffe2 mainline tested the bound method instead of its value, so this
    // never applied (docs/caffe2.md §4.3 [quirk]); we run PRIVATE plans privately.
    if (task.workspaceType() === WorkspaceType.PRIVATE && !main.isEmpty()) {
      main = executionStep(`${main.name}:private`, main, { createWorkspace: true });
    }
    const lowered = lowerPlan('task_group_plan', [main], [OUTPUTS_NET]);
    const def = lowered.def;
    if (outputNames.length > 0) {
      // Never runs (0 iterations); compiling it creates the output blobs,
      // empty, in the session workspace.
      def.nets.unshift({ name: OUTPUTS_NET, ops: outputNames.map((o) => ({ type: 'ConstantFill', inputs: [], outputs: [o] })) });
      def.steps.unshift({ name: 'create_outputs', nets: [OUTPUTS_NET], numIter: 0 });
    }
    return { def, outputs, outputNames, externalInputs: lowered.externalInputs, producedBlobs: lowered.producedBlobs, plan: undefined };
  }

  /**
   * Compiles the job's groups and checks that every blob they read is written
   * by one of them, listed in `externalInputs`, or (for an instance) already in
   * the session workspace. Throws HOGWILD_MISSING_BLOB naming the blob.
   */
  static override compileJob(job: Job, options: CompileJobOptions = {}, workspace?: Workspace): void {
    const names = ['init', 'epoch', 'download', 'exit'];
    const compiled = job.groups().map((g) => this.compile(g).obj as LocalCompiled);
    const produced = new Set<string>();
    for (const c of compiled) for (const b of c.producedBlobs) produced.add(b);
    const allowed = new Set(options.externalInputs ?? []);
    compiled.forEach((c, i) => {
      for (const [blob, use] of c.externalInputs) {
        if (produced.has(blob) || allowed.has(blob) || workspace?.has(blob)) continue;
        throw new PlanError(
          'HOGWILD_MISSING_BLOB',
          `Expected blob '${blob}', read by ${describeUse(use)} in the ${names[i]} group, to be written by a group of the job ` +
            'or to exist in the workspace, but nothing produces it (list fed blobs in externalInputs)',
        );
      }
    });
  }

  override compileJob(job: Job, options: CompileJobOptions = {}): void {
    this._assertOpen();
    LocalSession.compileJob(job, options, this.workspace);
  }

  /** @internal */
  protected override async _runCompiled(compiled: CompiledRunnable, options: SessionRunOptions): Promise<void> {
    const c = compiled.obj as LocalCompiled;
    for (const [blob, use] of c.externalInputs) {
      if (!this.workspace.has(blob)) {
        throw new PlanError(
          'HOGWILD_MISSING_BLOB',
          `Expected blob '${blob}', read by ${describeUse(use)}, to exist in the session workspace or be written by the plan, but nothing produces it`,
        );
      }
    }
    c.plan ??= compilePlan(c.def);
    c.outputs.setValues(c.outputs.names(), this._fetch);
    await this.workspace.run(c.plan, { signal: options.signal, onReport: options.onReport });
  }

  /** @internal */
  protected override async _doClose(): Promise<void> {
    if (this._owns) this.workspace.dispose();
  }

  /** Throws DisposedError when closed. @internal */
  protected override _assertOpen(): void {
    if (!this.isOpen()) throw new DisposedError('LocalSession');
  }
}
