/**
 * A runnable lowered for one Session class (docs/caffe2.md §4.2). Sessions cache
 * it per runnable object (weakly), so an epoch group compiled once is reused
 * for every epoch.
 *
 * @example
 * const compiled = LocalSession.compile(job.epochGroup);
 * await session.run(compiled);
 */
export class CompiledRunnable<T = unknown> {
  constructor(
    /** The session-specific compiled form. @internal */
    readonly obj: T,
    /** The Session class it was compiled for. */
    readonly sessionClass: abstract new (...args: never[]) => unknown,
  ) {}
}
