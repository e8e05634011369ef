import { inspect } from 'node:util';

import { InvalidArgumentError, PlanError } from '../errors/index.js';
import { blobName, type BlobLike } from './BlobReference.js';
import { Net } from './Net.js';

/** Fields of an execution step (docs/caffe2.md §1.3). */
export interface ExecutionStepOptions {
  /** Iterations; defaults to 1 without a stop blob. Exclusive with shouldStopBlob. */
  numIter?: number;
  /** Repeat until this scalar bool blob is true (checked after every net / substep). */
  shouldStopBlob?: BlobLike;
  /** With shouldStopBlob: at most one iteration. */
  onlyOnce?: boolean;
  /** Run substeps in parallel threads. */
  concurrentSubsteps?: boolean;
  /** Spawn substeps × N workers (a Task with numInstances). */
  numConcurrentInstances?: number;
  /** A fresh child workspace for every execution of the step. */
  createWorkspace?: boolean;
  /** A report step: runs every `runEveryMs` while its parent runs, and once at the end. */
  runEveryMs?: number;
  /** Scalar blobs sent to the run's report callback after each run of this step. */
  reportBlobs?: readonly BlobLike[];
}

/** Anything that lowers to a step: builders implement this. */
export interface StepSource {
  _toExecutionStep(): ExecutionStep;
}

function isStepSource(x: unknown): x is StepSource {
  return typeof (x as StepSource | null)?._toExecutionStep === 'function';
}

/**
 * A node of the execution-step tree: either nets (run in order) or substeps,
 * plus iteration, stop-blob, concurrency and workspace fields. Frozen once
 * added to a parent step.
 *
 * @example
 * const step = executionStep('train', [readNet, trainNet], { shouldStopBlob: 'done' });
 */
export class ExecutionStep {
  readonly name: string;
  private readonly _nets: Net[] = [];
  private readonly _substeps: ExecutionStep[] = [];
  private _options: ExecutionStepOptions = {};
  private _frozen = false;

  constructor(name: string) {
    this.name = name;
  }

  /** The step's fields (read-only view). */
  get options(): Readonly<ExecutionStepOptions> {
    return this._options;
  }

  nets(): readonly Net[] {
    return this._nets;
  }

  substeps(): readonly ExecutionStep[] {
    return this._substeps;
  }

  hasNets(): boolean {
    return this._nets.length > 0;
  }

  hasSubsteps(): boolean {
    return this._substeps.length > 0;
  }

  /** No nets and no substeps. */
  isEmpty(): boolean {
    return !this.hasNets() && !this.hasSubsteps();
  }

  addNet(net: Net): this {
    this._assertMutable();
    if (this.hasSubsteps()) throw new PlanError('HOGWILD_INVALID_PLAN', `Expected step '${this.name}' to hold nets or substeps but not both`);
    this._nets.push(net);
    return this;
  }

  /** Adds a substep (an empty one is dropped, as in Caffe2) and freezes it. */
  addSubstep(step: ExecutionStep): this {
    this._assertMutable();
    if (this.hasNets()) throw new PlanError('HOGWILD_INVALID_PLAN', `Expected step '${this.name}' to hold nets or substeps but not both`);
    step._frozen = true;
    if (!step.isEmpty()) this._substeps.push(step);
    return this;
  }

  /** Sets fields (docs/caffe2.md §1.3). */
  set(options: ExecutionStepOptions): this {
    this._assertMutable();
    const next = { ...this._options, ...options };
    if (next.numIter !== undefined && next.shouldStopBlob !== undefined) {
      throw new InvalidArgumentError(`Expected numIter or shouldStopBlob for step '${this.name}' but received both`);
    }
    for (const k of ['numIter', 'numConcurrentInstances', 'runEveryMs'] as const) {
      const v = next[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
        throw new InvalidArgumentError(`Expected an integer >= 0 for ${k} of step '${this.name}' but received ${v}`);
      }
    }
    this._options = next;
    return this;
  }

  setCreateWorkspace(create = true): this {
    this._options = { ...this._options, createWorkspace: create };
    return this;
  }

  runEveryMillis(ms: number): this {
    return this.set({ runEveryMs: ms });
  }

  /** Every attribute stored under `key` on the nets of this step and its substeps. */
  getAllAttributes(key: string): unknown[] {
    const out: unknown[] = [];
    for (const n of this._nets) out.push(...n.getAttributes(key));
    for (const s of this._substeps) out.push(...s.getAllAttributes(key));
    return out;
  }

  /** The stop blob name, if any. */
  shouldStopBlob(): string | undefined {
    return this._options.shouldStopBlob === undefined ? undefined : blobName(this._options.shouldStopBlob);
  }

  private _assertMutable(): void {
    if (this._frozen) {
      throw new PlanError('HOGWILD_STEP_FROZEN', `Expected a step not yet added to a parent but '${this.name}' already was`);
    }
  }

  [inspect.custom](): string {
    return `ExecutionStep(${this.name})`;
  }
}

/** A Net, a step, a builder, or a list of them. */
export type StepsOrNets = Net | ExecutionStep | StepSource | readonly (Net | ExecutionStep | StepSource)[];

/**
 * Caffe2's `execution_step`: a list made only of nets gives one step holding
 * them; a mixed list gives one substep per element.
 *
 * @example
 * executionStep('epoch', [readNet, trainNet], { numIter: 100 });
 */
export function executionStep(name: string, stepsOrNets: StepsOrNets | null | undefined, options: ExecutionStepOptions = {}): ExecutionStep {
  const step = new ExecutionStep(name).set(options);
  if (stepsOrNets === null || stepsOrNets === undefined) return step;
  if (stepsOrNets instanceof ExecutionStep) step.addSubstep(stepsOrNets);
  else if (stepsOrNets instanceof Net) step.addNet(stepsOrNets);
  else if (Array.isArray(stepsOrNets)) {
    const list = stepsOrNets as readonly (Net | ExecutionStep | StepSource)[];
    if (list.every((x) => x instanceof Net)) for (const n of list) step.addNet(n as Net);
    else for (const x of list) step.addSubstep(toExecutionStep(x));
  } else if (isStepSource(stepsOrNets)) step.addSubstep(stepsOrNets._toExecutionStep());
  else {
    throw new InvalidArgumentError(
      `Expected a step, a net, a NetBuilder or a list of them for executionStep('${name}') but received ${inspect(stepsOrNets)}`,
    );
  }
  return step;
}

/**
 * Caffe2's `to_execution_step`: a step unchanged, a builder lowered (with its
 * stop blob), anything else wrapped.
 */
export function toExecutionStep(x: Net | ExecutionStep | StepSource | readonly (Net | ExecutionStep | StepSource)[]): ExecutionStep {
  if (x instanceof ExecutionStep) return x;
  if (isStepSource(x)) return x._toExecutionStep();
  if (x instanceof Net) return executionStep(x.name, x);
  return executionStep('step', x);
}
