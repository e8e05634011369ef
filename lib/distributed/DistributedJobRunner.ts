/**
 * A JobRunner for one rank of a multi-node job. Every rank runs the same Job
 * (its node's tasks, with the in-process Hogwild runtime) and this runner
 * keeps their epoch loops in step: after each epoch the ranks' stop flags are
 * reduced (one allreduce of a single flag), so a stop condition true on any
 * rank stops every rank after the same epoch. A rank that died makes that
 * reduction fail with HOGWILD_PEER_LOST on the others.
 *
 * @example
 * const group = await connectFromEnv();
 * const last = await new DistributedJobRunner(job, group).train(session);
 */
import type { Job } from '../job/Job.js';
import type { StopCondition } from '../job/stopCondition.js';
import { collectiveNative as mainAddon } from '../runtime/nativeAreas.js';
import { JobRunner, type JobRunnerOptions } from '../session/JobRunner.js';
import type { Session } from '../session/Session.js';
import { allreduceBlobs } from './blobCollectives.js';
import { stopConditionsOfNode } from './nodePlacement.js';
import type { ProcessGroup } from './ProcessGroup.js';

export interface DistributedJobRunnerOptions extends JobRunnerOptions {
  /**
   * Float32 blobs averaged across ranks after every epoch (before the stop
   * check and the checkpoint): model averaging at epoch granularity, while no
   * Hogwild thread writes them. For finer intervals use ProcessGroup.averageModel.
   */
  averageEachEpoch?: readonly string[];
  /** The Caffe2 Node this rank runs (nodePlacement.ts): only its task outputs count as stop conditions here. */
  node?: string;
}

export class DistributedJobRunner extends JobRunner {
  readonly group: ProcessGroup;
  private readonly _average: readonly string[];
  private readonly _node: string | undefined;

  constructor(job: Job, group: ProcessGroup, options: DistributedJobRunnerOptions = {}) {
    const { averageEachEpoch, node, ...rest } = options;
    super(job, rest);
    this._node = node;
    this.group = group;
    this._average = [...(averageEachEpoch ?? [])];
    // The job's nets may hold collective ops (Allreduce…): they run on this group.
    if (typeof mainAddon().setCollectiveBackend === 'function') group.useInNets();
  }

  protected override _stopConditions(): readonly StopCondition[] {
    return this._node === undefined ? super._stopConditions() : stopConditionsOfNode(this.job, this._node);
  }

  /** Averages the listed blobs, evaluates this rank's stop conditions, then ORs them over every rank. */
  protected override async _shouldStop(epoch: number, session: Session): Promise<boolean> {
    if (this._average.length > 0) await allreduceBlobs(session, this.group, this._average, 'mean');
    const local = await super._shouldStop(epoch, session);
    return this.group.any(local);
  }
}
