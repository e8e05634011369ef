// One class per failure kind; all carry a stable `code`.
import { HogwildError } from './HogwildError.js';

export { HogwildError };

/** A value passed by the caller is invalid (type, range, NaN, unknown option). */
export class InvalidArgumentError extends HogwildError {
  constructor(message: string, code = 'HOGWILD_INVALID_ARGUMENT', options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
/** Tensor shapes or dtypes do not fit what an op expects. */
export class ShapeError extends HogwildError {}
/** A plan or net is malformed (unknown op, missing blob, bad step). */
export class PlanError extends HogwildError {}
/** An op failed while a plan ran. */
export class ExecutionError extends HogwildError {}
/** A context (Job, TaskGroup, Task, NetBuilder) was needed but none is active, or was misused. */
export class ContextError extends HogwildError {}
/** An object was used after dispose()/close(). */
export class DisposedError extends HogwildError {
  constructor(what: string) {
    super('HOGWILD_DISPOSED', `Expected a live ${what} but it was already disposed`);
  }
}
/** A workspace was read or written while a plan runs in it (`HOGWILD_BUSY`). */
export class BusyError extends HogwildError {}
/** A checkpoint file failed validation. `reason` names the failed check. */
export class CheckpointCorruptError extends HogwildError {
  readonly reason: string;
  readonly path: string | undefined;
  constructor(reason: string, message: string, path?: string) {
    super('HOGWILD_CHECKPOINT_CORRUPT', message);
    this.reason = reason;
    this.path = path;
  }
}
/** Input data is malformed (file, line or record named in the message). */
export class DataError extends HogwildError {}
/** An optional peer dependency a feature needs is not installed (the message says how to install it). */
export class MissingDependencyError extends HogwildError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HOGWILD_MISSING_DEPENDENCY', message, options);
  }
}
/** The native addon could not be loaded. */
export class NativeLoadError extends HogwildError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_HOGWILD_NATIVE_LOAD', message, options);
  }
}

const byCode: Record<string, new (code: string, message: string) => HogwildError> = {
  HOGWILD_SHAPE_MISMATCH: ShapeError,
  HOGWILD_DTYPE_MISMATCH: ShapeError,
  HOGWILD_UNKNOWN_OP: PlanError,
  HOGWILD_UNKNOWN_ARGUMENT: PlanError,
  HOGWILD_MISSING_BLOB: PlanError,
  HOGWILD_INVALID_PLAN: PlanError,
  HOGWILD_BLOB_KIND: PlanError,
  HOGWILD_OP_FAILED: ExecutionError,
  HOGWILD_INDEX_OUT_OF_RANGE: ExecutionError,
  HOGWILD_OUT_OF_MEMORY: ExecutionError,
  HOGWILD_INTERNAL: ExecutionError,
  HOGWILD_DATA: DataError,
  HOGWILD_BUSY: BusyError,
  HOGWILD_IO: DataError,
};

/**
 * Rethrows a native error as the matching HogwildError subclass, with the JS
 * caller's stack (`callerStack`, captured before crossing into native code).
 */
export function fromNative(err: unknown, callerStack?: string | CallerStack): Error {
  if (err instanceof HogwildError) return err;
  if (!(err instanceof Error)) return new HogwildError('HOGWILD_INTERNAL', String(err));
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('HOGWILD_')) return err;
  let out: HogwildError;
  if (code === 'HOGWILD_INVALID_ARGUMENT') out = new InvalidArgumentError(err.message);
  else if (code === 'HOGWILD_CHECKPOINT_CORRUPT') out = new CheckpointCorruptError('native', err.message);
  else out = new (byCode[code] ?? HogwildError)(code, err.message);
  const stack = typeof callerStack === 'string' ? callerStack : callerStack?.stack;
  if (stack) out.stack = `${out.name}: ${out.message}\n${stack.split('\n').slice(1).join('\n')}`;
  return out;
}

/** The JS stack at a call into native code; formatted only if an error needs it. */
export interface CallerStack {
  readonly stack?: string;
}

/**
 * Captures the current JS stack, to attach to errors that come back from
 * native code. V8 formats `.stack` lazily, so a call that succeeds pays only
 * for the capture, not for the string.
 */
export function captureCallerStack(): CallerStack {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, captureCallerStack);
  return holder;
}

/** Like captureCallerStack, formatted now (for code that stores it as a string). */
export function captureStack(): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, captureStack);
  return holder.stack ?? '';
}
