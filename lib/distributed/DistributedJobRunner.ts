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
import { JobRunner, type JobRunnerOptions } from '../session/JobRunner.js';
import type { Session } from '../session/Session.js';
import type { ProcessGroup } from './ProcessGroup.js';

export class DistributedJobRunner extends JobRunner {
  readonly group: ProcessGroup;

  constructor(job: Job, group: ProcessGroup, options: JobRunnerOptions = {}) {
    super(job, options);
    this.group = group;
  }

  /** This rank's stop conditions, then the OR over every rank. */
  protected override async _shouldStop(epoch: number, session: Session): Promise<boolean> {
    const local = await super._shouldStop(epoch, session);
    return this.group.any(local);
  }
}
