/**
 * Errors of multi-node training. Every failure inside Gloo reaches JS as a
 * DistributedError with one of these stable codes.
 */
import { HogwildError } from '../errors/index.js';

export const DISTRIBUTED_CODES = Object.freeze({
  /** The optional Gloo module is not built on this machine. */
  NO_DISTRIBUTED: 'HOGWILD_NO_DISTRIBUTED',
  /** A peer died or stopped answering within the timeout (closed connection, timeout). */
  PEER_LOST: 'HOGWILD_PEER_LOST',
  /** Not every rank reached the rendezvous before its timeout. */
  RENDEZVOUS_TIMEOUT: 'HOGWILD_RENDEZVOUS_TIMEOUT',
  /** The store prefix was already used (by an earlier attempt or another job). */
  STORE_PREFIX_REUSED: 'HOGWILD_STORE_PREFIX_REUSED',
  /** The rendezvous store (directory, Redis) could not be reached. */
  STORE_UNAVAILABLE: 'HOGWILD_STORE_UNAVAILABLE',
  /** Ranks started different jobs (their fingerprints differ). */
  JOB_MISMATCH: 'HOGWILD_JOB_MISMATCH',
  /** A collective was abandoned through its AbortSignal. */
  ABORTED: 'HOGWILD_ABORTED',
  /** Any other Gloo failure. */
  FAILED: 'HOGWILD_DISTRIBUTED_FAILED',
});

/** A multi-node operation failed; `code` says how (see DISTRIBUTED_CODES). */
export class DistributedError extends HogwildError {}

/** Rethrows what the Gloo module threw as a DistributedError (or the HogwildError its code names). */
export function fromGlooError(err: unknown): Error {
  if (err instanceof HogwildError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && code.startsWith('HOGWILD_')) return new DistributedError(code, message, { cause: err });
  return new DistributedError(DISTRIBUTED_CODES.FAILED, message, { cause: err });
}
