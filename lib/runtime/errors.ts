/**
 * Errors that come back from the native core, rethrown as HogwildError
 * subclasses carrying the JS caller's stack.
 */
import { DisposedError, fromNative } from '../errors/index.js';

export function toHogwildError(err: unknown, callerStack: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'HOGWILD_DISPOSED' && err instanceof Error) {
    const out = new DisposedError('Workspace');
    out.message = err.message;
    out.stack = `${out.name}: ${out.message}\n${callerStack.split('\n').slice(1).join('\n')}`;
    return out;
  }
  return fromNative(err, callerStack);
}

/**
 * Runs a synchronous native call, converting what it throws. A native error
 * made during a synchronous call already holds the caller's frames.
 */
export function callNative<T>(body: () => T): T {
  try {
    return body();
  } catch (err) {
    throw toHogwildError(err, err instanceof Error ? (err.stack ?? '') : '');
  }
}
