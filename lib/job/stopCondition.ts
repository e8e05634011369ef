import type { Job } from './Job.js';
import type { TaskOutput } from './TaskOutput.js';

/** What a JS stop predicate sees after each epoch. */
export interface StopContext {
  /** The epoch that just ran (1-based). */
  readonly epoch: number;
  readonly job: Job;
  /** The session running the job (fetch blobs through TaskOutputs or its workspace). */
  readonly session: unknown;
}

/** A JS stop predicate, evaluated after each epoch (before the checkpoint save). */
export type StopPredicate = (ctx: StopContext) => boolean | Promise<boolean>;

/**
 * A way for a Job to stop: a TaskOutput holding a scalar bool (fetched after
 * each epoch), a JS predicate, or an AbortSignal (stops cleanly after the
 * epoch in which it fired).
 */
export type StopCondition = TaskOutput | StopPredicate | AbortSignal;
