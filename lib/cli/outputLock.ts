/**
 * A lock file on a directory (or output prefix) a run writes to, so two runs
 * with the same -output or checkpoint directory cannot interleave saves and
 * delete each other's checkpoints. The lock is taken by hard-linking a fully
 * written temp file to the lock name (link fails with EEXIST when it exists),
 * so a lock file is never seen half-written. A lock whose pid is dead on this
 * host is stale (the run crashed or was killed) and is taken over.
 */
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

import { tempPathFor } from '../checkpoint/atomicWrite.js';
import { CliError, EXIT, outputError } from './exitCodes.js';

export interface LockOwner {
  pid: number;
  host: string;
  started: string;
  command: string;
}

/** A held lock; release() removes it (also done at process exit). */
export interface OutputLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return typeof v?.pid === 'number' && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function tryLink(path: string, body: string): boolean {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Takes the lock file `path` for `what` (named in the error), or throws a
 * CliError with exit status 5 naming the run that holds it.
 */
export function acquireLock(path: string, what: string, command: string): OutputLock {
  const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  const body = `${JSON.stringify(owner)}\n`;
  for (let attempt = 0; ; attempt++) {
    let ok: boolean;
    try {
      ok = tryLink(path, body);
    } catch (err) {
      throw outputError(`the lock file of ${what}`, err);
    }
    if (ok) break;
    const held = readOwner(path);
    const stale = held !== undefined && held.host === owner.host && !alive(held.pid);
    if (!stale || attempt > 2) {
      const by = held ? `pid ${held.pid} on ${held.host} (${held.command}, since ${held.started})` : 'another process';
      throw new CliError(
        `${what} is in use by ${by}: wait for that run to end, or use another output. If no such run exists, delete ${path}`,
        EXIT.BUSY,
      );
    }
    // Stale: move it aside (only one of several racing runs succeeds), then retry.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
      // Another run may have replaced the stale lock between our read and rename: give its lock back.
      if (readOwner(aside)?.pid !== held.pid) linkSync(aside, path);
      unlinkSync(aside);
    } catch {
      // another run took it over first: the next attempt sees its lock
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Only our own lock: never remove one another run took over.
    if (readOwner(path)?.pid === process.pid) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', release);
  return { path, release };
}
