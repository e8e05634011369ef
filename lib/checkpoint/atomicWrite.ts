/**
 * Durable small-file writes and directory creation. A state file (a manifest,
 * the CLI's settings, a history) is replaced by temp file + fsync + rename +
 * directory fsync, so after a crash or power loss it holds either the old
 * content or the new, never a truncated mix. A created directory is fsynced
 * into its parent, so checkpoints saved into it cannot vanish with it.
 * The temp name is the checkpoint writer's (`<final>.tmp-<pid>-<hex>`), so
 * sweepTempFiles removes what a killed writer left.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

import { CheckpointIOError } from './errors.js';

/** A failed system call as a CheckpointIOError whose message names the path. */
function ioError(err: unknown, syscall: string, path: string): CheckpointIOError {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : 'EIO';
  const why = (e?.message ?? String(err)).replace(/^[A-Z]+: /, '').split(',')[0];
  return new CheckpointIOError(code, `Could not ${syscall} ${path}: ${why} (${code})`, {
    ...(typeof e?.errno === 'number' ? { errno: e.errno } : {}),
    syscall,
    path,
    cause: err,
  });
}

/** fsyncs a directory, so the entries created, renamed or removed in it are durable. */
export function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (err) {
    throw ioError(err, 'open directory', dir);
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    // Some file systems cannot fsync a directory; the data itself is synced.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EBADF') throw ioError(err, 'fsync directory', dir);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates `dir` and its missing parents, fsyncing each new directory's parent
 * (top-down), so the new entries survive power loss. Returns `dir`.
 */
export function ensureDirectory(dir: string): string {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    let st;
    try {
      st = statSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        throw new CheckpointIOError('ENOTDIR', `Could not create directory ${dir}: a part of its path is not a directory (ENOTDIR)`, { syscall: 'mkdir', path: d });
      }
      if (code !== 'ENOENT') throw ioError(err, 'stat', d);
      missing.push(d);
      if (dirname(d) === d) break;
      continue;
    }
    if (!st.isDirectory()) {
      throw new CheckpointIOError('ENOTDIR', `Could not create directory ${dir}: ${d} is not a directory (ENOTDIR)`, { syscall: 'mkdir', path: d });
    }
    break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(err, 'create directory', d);
    }
    fsyncDirectory(dirname(d));
  }
  return dir;
}

/**
 * The temp name a write of `path` uses (the checkpoint writer's pattern).
 * HOGWILD_CKPT_FIXED_TMP=1 makes it `<path>.tmp-0-0000000000000000`, as for
 * the native writer, so fault-injection tests can name it (strace -P); a
 * leftover of a killed test run is removed first.
 */
export function tempPathFor(path: string): string {
  if (process.env.HOGWILD_CKPT_FIXED_TMP === '1') {
    const fixed = `${path}.tmp-0-0000000000000000`;
    rmSync(fixed, { force: true });
    return fixed;
  }
  return `${path}.tmp-${process.pid}-${randomBytes(8).toString('hex')}`;
}

/**
 * Replaces `path` with `data` atomically and durably: temp file in the same
 * directory, write, fsync, rename over `path`, fsync the directory. On any
 * error the temp file is removed and `path` is untouched. The error is a
 * CheckpointIOError (code = errno name) whose message names the path.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  let step = 'create';
  try {
    fd = openSync(tmp, 'wx', 0o644);
    step = 'write';
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    step = 'fsync';
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    step = 'rename';
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw ioError(err, step === 'rename' ? `rename ${basename(tmp)} to` : step === 'create' ? 'create a temp file for' : `${step}`, step === 'rename' || step === 'create' ? path : tmp);
  }
  fsyncDirectory(dirname(path));
}
