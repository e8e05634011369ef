/**
 * Errors of checkpoint I/O. A bad file is a CheckpointCorruptError (lib/errors,
 * code HOGWILD_CHECKPOINT_CORRUPT, with `reason` and `path`); a failed system
 * call is a CheckpointIOError whose `code` is the errno's name, as Node's fs
 * errors have it.
 */
import { CheckpointCorruptError, fromNative, HogwildError } from '../errors/index.js';

/** A system call failed while saving, loading or deleting a checkpoint (`code`: 'ENOSPC', 'EIO', 'ENOENT', …). */
export class CheckpointIOError extends HogwildError {
  /** Negative errno, as in Node's fs errors. */
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  readonly path: string | undefined;
  constructor(code: string, message: string, details: { errno?: number; syscall?: string; path?: string; cause?: unknown } = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.path = details.path;
  }
}

/** Converts what the native checkpoint calls reject with, keeping the caller's stack. @internal */
export function toCheckpointError(err: unknown, callerStack: string): unknown {
  if (!(err instanceof Error) || err instanceof HogwildError) return err;
  const e = err as Error & { code?: unknown; reason?: unknown; path?: unknown; errno?: unknown; syscall?: unknown };
  let out: Error;
  if (e.code === 'HOGWILD_CHECKPOINT_CORRUPT') {
    out = new CheckpointCorruptError(typeof e.reason === 'string' ? e.reason : 'unknown', e.message, typeof e.path === 'string' ? e.path : undefined);
  } else if (typeof e.code === 'string' && typeof e.syscall === 'string') {
    out = new CheckpointIOError(e.code, e.message, {
      errno: typeof e.errno === 'number' ? e.errno : undefined,
      syscall: e.syscall,
      path: typeof e.path === 'string' ? e.path : undefined,
    });
  } else {
    return fromNative(err, callerStack);
  }
  if (callerStack) out.stack = `${out.name}: ${out.message}\n${callerStack.split('\n').slice(1).join('\n')}`;
  return out;
}
