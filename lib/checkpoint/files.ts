/**
 * Checkpoint files, one call each: save, load, inspect, list, sweep, remove.
 * The managers are built on these; they are public for tools and tests.
 * Saves and loads run natively off the JS thread (see docs/checkpoints.md for
 * the format and the commit protocol).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { BusyError, captureStack } from '../errors/index.js';
import type { CheckpointFileInfo, NativeCheckpointSaver } from '../native/checkpointTypes.js';
import { checkpointNative, nativeWorkspaceOf } from '../runtime/nativeAreas.js';
import type { Workspace } from '../runtime/Workspace.js';
import { checkBoolean, checkInteger, checkObject, checkString, checkStrings } from '../runtime/validate.js';
import { CheckpointIOError, toCheckpointError } from './errors.js';
import { epochOfFilename, validateNodeName } from './naming.js';

export type { CheckpointBlobInfo, CheckpointFileInfo } from '../native/checkpointTypes.js';

export interface SaveCheckpointOptions {
  epoch: number;
  node: string;
  /** Extra strings stored in the header (`meta:<key>` in `__metadata__`). */
  meta?: Record<string, string>;
}

export interface LoadCheckpointOptions {
  /** Blobs to load (default: every blob in the file). */
  blobNames?: readonly string[];
  /** Skip requested names the file lacks (Caffe2's allow_incomplete). Default false: reason 'missing_blob'. */
  allowMissing?: boolean;
  /** Reject with reason 'mismatch' unless the file was saved for this epoch / node. */
  epoch?: number;
  node?: string;
  /**
   * Tensors that are only read (a model loaded for prediction, a frozen embedding): served
   * straight from the file mapping, no copy (`true`: every tensor; or these names). A write into
   * one copies that page privately; the file is never changed. Default: every tensor gets memory
   * of its own, the workspace's existing memory when it holds a tensor of the same dtype and shape.
   */
  readOnly?: boolean | readonly string[];
}

/** Final paths with a save in flight in this process (the temp sweep leaves their temp files alone). */
const savesInFlight = new Map<string, number>();

async function settle<T>(body: () => Promise<T>, stack: string): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toCheckpointError(err, stack);
  }
}

/**
 * Writes `blobNames` of `workspace` to `path` (crash-safe: temp file, fsync,
 * rename, directory fsync). Tensors are streamed from blob memory, so the
 * workspace must not run a plan until this settles (it throws HOGWILD_BUSY
 * if one is running when called). Rejects with CheckpointIOError (code =
 * errno name) when the file system fails; the previous file under `path`, if
 * any, is then untouched.
 */
export async function saveCheckpoint(
  workspace: Workspace,
  blobNames: readonly string[],
  path: string,
  options: SaveCheckpointOptions,
): Promise<{ bytes: number }> {
  const stack = captureStack();
  const { ws, names, epoch, node, meta } = saveArguments(workspace, blobNames, path, options);
  const done = markSaveInFlight(path);
  try {
    return await settle(() => checkpointNative().checkpointSave(ws, path, names, epoch, node, meta), stack);
  } finally {
    done();
  }
}

/** The checked arguments of a save (sync or async). */
function saveArguments(workspace: Workspace, blobNames: readonly string[], path: string, options: SaveCheckpointOptions) {
  const ws = nativeWorkspaceOf(workspace, 'workspace');
  const names = checkStrings(blobNames, 'blobNames');
  checkString(path, 'path', { nonEmpty: true });
  checkObject(options, 'options');
  const epoch = checkInteger(options.epoch, 'options.epoch', 0);
  const node = checkString(options.node, 'options.node');
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.meta ?? {})) meta[k] = checkString(v, `options.meta.${k}`);
  return { ws, names, epoch, node, meta };
}

/** Counts a save to `path` as in flight (temp-file sweeps skip it); the returned function ends it. */
function markSaveInFlight(path: string): () => void {
  const key = resolve(path);
  savesInFlight.set(key, (savesInFlight.get(key) ?? 0) + 1);
  return () => {
    const left = (savesInFlight.get(key) ?? 1) - 1;
    if (left === 0) savesInFlight.delete(key);
    else savesInFlight.set(key, left);
  };
}

/**
 * Asynchronous saves (at most one in flight per saver): `save` copies the
 * blobs into memory the saver reuses from one save to the next and returns
 * as soon as the copy is taken, so the workspace can run again at once; a
 * native thread then writes the copy with the same commit protocol as
 * saveCheckpoint. `written` settles like saveCheckpoint's Promise.
 */
export class AsyncCheckpointSaver {
  private _native: NativeCheckpointSaver | undefined;
  private _inFlight: Promise<unknown> | undefined;

  /** Whether a save's write has not settled yet. */
  get busy(): boolean {
    return this._inFlight !== undefined;
  }

  /** Resolves once the save in flight (if any) settled; never rejects. */
  async idle(): Promise<void> {
    while (this._inFlight) await this._inFlight.catch(() => undefined);
  }

  /**
   * Snapshots `blobNames` now and starts writing them to `path`. Throws
   * HOGWILD_BUSY when the previous save has not settled (await `idle()`).
   */
  save(workspace: Workspace, blobNames: readonly string[], path: string, options: SaveCheckpointOptions): { written: Promise<{ bytes: number }> } {
    const stack = captureStack();
    const { ws, names, epoch, node, meta } = saveArguments(workspace, blobNames, path, options);
    if (this._inFlight) throw new BusyError('HOGWILD_BUSY', 'Expected the previous asynchronous checkpoint save to have settled (await saver.idle()) before the next one');
    const b = checkpointNative();
    this._native ??= b.checkpointSaverNew();
    let started: Promise<{ bytes: number }>;
    try {
      started = b.checkpointSaveSnapshot(this._native, ws, path, names, epoch, node, meta);
    } catch (err) {
      throw toCheckpointError(err, stack);
    }
    const done = markSaveInFlight(path);
    const written = settle(() => started, stack).finally(() => {
      done();
      this._inFlight = undefined;
    });
    this._inFlight = written;
    return { written };
  }
}

/**
 * Maps `path` and validates it completely (header, layout, every CRC of what
 * is read) without copying, then puts the blobs into `workspace` at once: on
 * any error the workspace is unchanged. See `readOnly` for tensors served
 * from the mapping. Rejects with CheckpointCorruptError
 * (`reason` names the failed check) or CheckpointIOError.
 */
export async function loadCheckpoint(
  workspace: Workspace,
  path: string,
  options: LoadCheckpointOptions = {},
): Promise<{ loaded: string[]; epoch: number; node: string }> {
  const stack = captureStack();
  const ws = nativeWorkspaceOf(workspace, 'workspace');
  checkString(path, 'path', { nonEmpty: true });
  checkObject(options, 'options');
  const names = options.blobNames === undefined ? null : checkStrings(options.blobNames, 'options.blobNames');
  const opts: { allowMissing?: boolean; epoch?: number; node?: string; readOnly?: boolean | string[] } = {};
  if (options.allowMissing !== undefined) opts.allowMissing = checkBoolean(options.allowMissing, 'options.allowMissing');
  if (options.epoch !== undefined) opts.epoch = checkInteger(options.epoch, 'options.epoch', 0);
  if (options.node !== undefined) opts.node = checkString(options.node, 'options.node');
  if (options.readOnly !== undefined) {
    opts.readOnly = typeof options.readOnly === 'boolean' ? options.readOnly : checkStrings(options.readOnly, 'options.readOnly');
  }
  return settle(() => checkpointNative().checkpointLoad(ws, path, names, opts), stack);
}

/** Reads and validates a checkpoint's header; with `verifyData`, every tensor's CRC too (bounded memory). */
export async function inspectCheckpoint(path: string, options: { verifyData?: boolean } = {}): Promise<CheckpointFileInfo> {
  const stack = captureStack();
  checkString(path, 'path', { nonEmpty: true });
  const verify = options.verifyData === undefined ? false : checkBoolean(options.verifyData, 'options.verifyData');
  return settle(() => checkpointNative().checkpointInspect(path, verify), stack);
}

/** Whether `path` names an existing regular file (Caffe2's DBExists). */
export function checkpointExists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new CheckpointIOError(code ?? 'EIO', (err as Error).message, { syscall: 'scandir', path: dir, cause: err });
  }
}

/** Epochs of `<node>.<epoch>` files in `dir`, newest first (not validated). */
export function listCheckpointEpochs(dir: string, node: string): number[] {
  validateNodeName(node, 'node');
  const epochs: number[] = [];
  for (const name of readDir(dir)) {
    const e = epochOfFilename(name, node);
    if (e !== undefined) epochs.push(e);
  }
  return epochs.sort((a, b) => b - a);
}

/** True when the checkpoint validates completely (header and every CRC) for this epoch and node. */
export async function isValidCheckpoint(path: string, expect: { epoch?: number; node?: string } = {}): Promise<boolean> {
  try {
    const info = await inspectCheckpoint(path, { verifyData: true });
    return (expect.epoch === undefined || info.epoch === expect.epoch) && (expect.node === undefined || info.node === expect.node);
  } catch (err) {
    if (err instanceof Error && ((err as { code?: string }).code === 'HOGWILD_CHECKPOINT_CORRUPT' || err instanceof CheckpointIOError)) {
      return false;
    }
    throw err;
  }
}

function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes temp files a crashed save left in `dir` (`<final>.tmp-<pid>-<hex>`,
 * see native/checkpoint/writer.h): only those whose final name `keep` accepts,
 * whose writer process is gone, and with no save to that name in flight here.
 * Returns the paths removed.
 */
export function sweepTempFiles(dir: string, keep: (finalName: string) => boolean = () => true): string[] {
  const doomed: string[] = [];
  for (const name of readDir(dir)) {
    const info = checkpointNative().checkpointTempInfo(name);
    if (!info || !keep(info.finalName)) continue;
    if (savesInFlight.has(resolve(dir, info.finalName))) continue;
    if (info.pid !== process.pid && processAlive(info.pid)) continue;
    doomed.push(join(dir, name));
  }
  if (doomed.length) removeCheckpointFiles(doomed);
  return doomed;
}

/** Unlinks files (missing ones are fine), then fsyncs their directories. Each unlink is a crash point. */
export function removeCheckpointFiles(paths: readonly string[]): number {
  const stack = captureStack();
  try {
    return checkpointNative().checkpointRemoveFiles(checkStrings(paths, 'paths'));
  } catch (err) {
    throw toCheckpointError(err, stack);
  }
}
