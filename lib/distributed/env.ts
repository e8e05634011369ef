/**
 * The environment `hogwild launch` gives each rank, and connecting from it.
 * A job module started by the launcher calls connectFromEnv() once.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { ProcessGroup } from './ProcessGroup.js';

export const ENV = Object.freeze({
  RANK: 'HOGWILD_RANK',
  WORLD_SIZE: 'HOGWILD_WORLD_SIZE',
  STORE: 'HOGWILD_STORE',
  PREFIX: 'HOGWILD_STORE_PREFIX',
  FINGERPRINT: 'HOGWILD_FINGERPRINT',
  ATTEMPT: 'HOGWILD_ATTEMPT',
  HOSTNAME: 'HOGWILD_HOSTNAME',
  TIMEOUT_MS: 'HOGWILD_TIMEOUT_MS',
  RENDEZVOUS_TIMEOUT_MS: 'HOGWILD_RENDEZVOUS_TIMEOUT_MS',
  CHECKPOINT_DIR: 'HOGWILD_CHECKPOINT_DIR',
});

export interface LaunchEnv {
  rank: number;
  size: number;
  store: string;
  prefix: string;
  fingerprint: string;
  attempt: number;
  hostname: string;
  timeoutMs: number;
  rendezvousTimeoutMs: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback?: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new InvalidArgumentError(`Expected ${name} in the environment (start this module with hogwild launch)`);
  }
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`Expected ${name} to be a non-negative integer but received '${raw}'`);
  return v;
}

/** The launch settings of this process, from its environment. */
export function launchEnv(env: NodeJS.ProcessEnv = process.env): LaunchEnv {
  const store = env[ENV.STORE];
  const prefix = env[ENV.PREFIX];
  if (!store || !prefix) throw new InvalidArgumentError(`Expected ${ENV.STORE} and ${ENV.PREFIX} in the environment (start this module with hogwild launch)`);
  return {
    rank: int(env, ENV.RANK),
    size: int(env, ENV.WORLD_SIZE),
    store,
    prefix,
    fingerprint: env[ENV.FINGERPRINT] ?? '',
    attempt: int(env, ENV.ATTEMPT, 0),
    hostname: env[ENV.HOSTNAME] || '127.0.0.1',
    timeoutMs: int(env, ENV.TIMEOUT_MS, 30_000),
    rendezvousTimeoutMs: int(env, ENV.RENDEZVOUS_TIMEOUT_MS, 30_000),
  };
}

/** Joins the group this process was launched into. */
export function connectFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ProcessGroup> {
  const e = launchEnv(env);
  return ProcessGroup.connect({
    rank: e.rank,
    size: e.size,
    store: e.store,
    prefix: e.prefix,
    fingerprint: e.fingerprint,
    hostname: e.hostname,
    timeoutMs: e.timeoutMs,
    rendezvousTimeoutMs: e.rendezvousTimeoutMs,
  });
}
