/**
 * Base class of every error hogwild throws. `code` is stable across versions;
 * branch on it, not on the message.
 *
 * @example
 * try { await session.run(job.initGroup); }
 * catch (e) { if (e instanceof HogwildError && e.code === 'HOGWILD_SHAPE_MISMATCH') … }
 */
export class HogwildError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
