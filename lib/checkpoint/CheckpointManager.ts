/**
 * Single-node checkpoint manager (docs/caffe2.md §6.3): one file per epoch at
 * `dbName(epoch, nodeName, dbPrefix)`.
 *
 * Caffe2 returns Tasks of Save/Load ops that the session runs. Here `init`,
 * `save`, `load`, `loadBlobsFromCheckpoint` and `checkDbExists` return
 * *actions*: async functions JobRunner (or you) call with the session, which
 * do the I/O natively off the JS thread against the session's workspace. The
 * observable behaviour is Caffe2's: building an action fixes what Caffe2 fixes
 * at build time (the DB name of a save), running it does the work, `blobList()`
 * needs init to have run, and stats are durations in ns keyed by DB name.
 */
import { debuglog } from 'node:util';
import { dirname } from 'node:path';

import { ContextError, InvalidArgumentError } from '../errors/index.js';
import type { Workspace } from '../runtime/Workspace.js';
import { checkInteger, checkOptions, checkStrings, describeValue } from '../runtime/validate.js';
import type {
  AsyncSaveAction,
  CheckpointManagerApi,
  CheckpointMetadataHandler,
  CheckpointPathOptions,
} from '../session/checkpointApi.js';
import type { Session } from '../session/Session.js';
import {
  AsyncCheckpointSaver,
  checkpointExists,
  inspectCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  sweepTempFiles,
} from './files.js';
import { ensureDirectory } from './atomicWrite.js';
import { newestValidEpoch, type ResumeEpoch } from './epochs.js';
import { CheckpointManagerBase } from './CheckpointManagerBase.js';
import { checkDbType, dbName, DEFAULT_DB_TYPE, validateNodeName } from './naming.js';
import { applyRetention } from './retention.js';

const log = debuglog('hogwild:checkpoint');

/** Options beyond Caffe2's constructor arguments. */
export interface CheckpointManagerOptions {
  /**
   * Keep at most this many checkpoints of the node (the newest by epoch),
   * deleting older ones after each successful save. The checkpoint just saved
   * is never deleted, and only files this library wrote are touched. Default:
   * keep everything (Caffe2).
   */
  maxToKeep?: number;
}

/** What init/save/load return: run it with the session (JobRunner does). */
export type CheckpointFn = (session: Session, options?: { signal?: AbortSignal }) => Promise<void>;

/** An action whose run yields a value, read with fetch() afterwards (Caffe2: a Task with one output). */
export type CheckpointQuery<T> = CheckpointFn & { fetch(): T };

export type { ResumeEpoch };

/** The session's workspace (every node of a LocalSession shares it). @internal */
export function workspaceOf(session: Session): Workspace {
  const ws = (session as unknown as { workspace?: Workspace }).workspace;
  if (!ws || typeof ws !== 'object' || !('_native' in ws)) {
    throw new InvalidArgumentError(`Expected a session with a workspace (LocalSession) for a checkpoint action but received ${describeValue(session)}`);
  }
  return ws;
}

function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** The StringList blob encoding (native/core/objects.h): u32 count, u32 lengths, bytes. */
function encodeStringList(values: readonly string[]) {
  const bytes = values.map((v) => Buffer.from(v, 'utf8'));
  const total = 4 + 4 * bytes.length + bytes.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, bytes.length, true);
  let at = 4 + 4 * bytes.length;
  bytes.forEach((b, i) => {
    view.setUint32(4 + 4 * i, b.length, true);
    out.set(b, at);
    at += b.length;
  });
  return { dtype: 'uint8' as const, shape: [total], data: out };
}

export class CheckpointManager extends CheckpointManagerBase implements CheckpointManagerApi {
  /** The blob that holds the list of checkpointed blob names (it is in the list itself). */
  static readonly BLOB_NAMES = 'blob_names';

  readonly nodeName: string;
  readonly maxToKeep: number | undefined;

  private _blobNames: string[] | undefined;
  private _initBuilt = false;
  private _currentDbName: string | undefined;
  private _currentCheckpointDuration: number | undefined;
  private _swept = false;
  private _saver: AsyncCheckpointSaver | undefined;

  constructor(
    dbPrefix: string,
    nodeName: string,
    dbType: string = DEFAULT_DB_TYPE,
    metadataHandler?: CheckpointMetadataHandler,
    options: CheckpointManagerOptions = {},
  ) {
    super(dbPrefix, dbType, metadataHandler);
    this.nodeName = validateNodeName(nodeName);
    checkOptions(options, 'CheckpointManager options', ['maxToKeep']);
    this.maxToKeep = options.maxToKeep === undefined ? undefined : checkInteger(options.maxToKeep, 'options.maxToKeep', 1);
  }

  /** The directory this manager saves into. */
  get directory(): string {
    return dirname(dbName(0, this.nodeName, this.dbPrefix));
  }

  /** `dbName(epoch, nodeName, dbPrefix, pathPrefix)`. */
  dbName(epoch: number, pathPrefix?: string): string {
    return dbName(epoch, this.nodeName, this.dbPrefix, pathPrefix);
  }

  /**
   * Fixes the blob list. Fresh start: every blob of the session workspace when
   * the action runs, plus `blob_names`, which is set to the list. Resume
   * (`retrieveFromEpoch`): the blobs of that epoch's checkpoint (read from
   * `pathPrefix` when given, with `pathType`), and `blob_names` is loaded.
   */
  init(nodes?: readonly string[], options: CheckpointPathOptions & { retrieveFromEpoch?: number } = {}): CheckpointFn {
    if (nodes !== undefined && nodes !== null && nodes.length !== 1) {
      throw new InvalidArgumentError(`Expected at most one node for CheckpointManager.init (CheckpointManager only supports single node) but received ${nodes.length}`);
    }
    const { retrieveFromEpoch, pathPrefix, pathType } = options;
    let path: string | undefined;
    if (retrieveFromEpoch !== undefined && retrieveFromEpoch !== null) {
      path = dbName(retrieveFromEpoch, this.nodeName, this.dbPrefix, pathPrefix);
      checkDbType(pathType || this.dbType, 'pathType');
    }
    this._initBuilt = true;
    this._blobNames = undefined;
    return async (session: Session) => {
      const ws = workspaceOf(session);
      this._openDirectory();
      if (path === undefined) {
        const names = new Set(ws.list({ localOnly: true }));
        names.add(CheckpointManager.BLOB_NAMES);
        const list = [...names].sort();
        ws.deserializeBlob(CheckpointManager.BLOB_NAMES, 'stringList', encodeStringList(list));
        this._blobNames = list;
      } else {
        log('Initializing checkpoints from = %s', path);
        const info = await inspectCheckpoint(path);
        const list = info.blobs.map((b) => b.name).sort();
        if (list.includes(CheckpointManager.BLOB_NAMES)) {
          await loadCheckpoint(ws, path, { blobNames: [CheckpointManager.BLOB_NAMES], epoch: retrieveFromEpoch, node: this.nodeName });
        }
        this._blobNames = list;
        // A crash between a commit and its retention leaves one checkpoint too many; a resume trims them.
        if (!pathPrefix) await this._retain(this.dbName(retrieveFromEpoch!), retrieveFromEpoch!);
      }
    };
  }

  /** The names fixed by init. Throws unless an init action has run. */
  blobList(): string[] {
    if (!this._initBuilt || !this._blobNames) {
      throw new ContextError('HOGWILD_CHECKPOINT_NOT_INITIALIZED', `Expected CheckpointManager '${this.nodeName}' to be initialized (run the action init() returns) before use`);
    }
    return [...this._blobNames];
  }

  /** Writes every listed blob to `dbName(epoch)` (pathPrefix is not used, as in Caffe2), then applies maxToKeep. */
  save(epoch: number): CheckpointFn {
    const path = dbName(epoch, this.nodeName, this.dbPrefix);
    this._currentDbName = path;
    return this._timed(async (ws) => {
      const names = this.blobList();
      // A missing directory is created (parents fsynced), not a failed save every epoch.
      ensureDirectory(dirname(path));
      await saveCheckpoint(ws, names, path, { epoch, node: this.nodeName });
    }, () => this._retain(path, epoch));
  }

  /**
   * save(), asynchronously (JobRunner's `asyncSave`): running the action waits
   * for the previous asynchronous save of this manager to settle (at most one
   * in flight), copies the listed blobs into memory reused from one save to
   * the next, and resolves with `written` at once; `written` settles when the
   * file is committed (same protocol as save) and maxToKeep applied.
   */
  saveAsync(epoch: number): AsyncSaveAction {
    const path = dbName(epoch, this.nodeName, this.dbPrefix);
    this._currentDbName = path;
    return async (session: Session) => {
      const ws = workspaceOf(session);
      this._openDirectory();
      // A missing directory is created (parents fsynced), as save() does.
      ensureDirectory(dirname(path));
      this._saver ??= new AsyncCheckpointSaver();
      await this._saver.idle();
      this._currentCheckpointDuration = undefined;
      const t0 = nowNs();
      const { written } = this._saver.save(ws, this.blobList(), path, { epoch, node: this.nodeName });
      return {
        written: written.then(async () => {
          this._currentCheckpointDuration = Number(nowNs() - t0);
          await this._retain(path, epoch);
        }),
      };
    };
  }

  /** maxToKeep after the committed save of `epoch` (a failure is a warning: the save stands). */
  private async _retain(path: string, epoch: number): Promise<void> {
    if (this.maxToKeep === undefined) return;
    try {
      await applyRetention(dirname(path), this.nodeName, this.maxToKeep, epoch);
    } catch (err) {
      process.emitWarning(`Checkpoint retention in ${dirname(path)} failed: ${(err as Error).message}`, 'HogwildWarning');
    }
  }

  /** Restores every listed blob from the checkpoint of `epoch`; a blob missing from it fails the load. */
  load(epoch: number, options: CheckpointPathOptions = {}): CheckpointFn {
    const path = dbName(epoch, this.nodeName, this.dbPrefix, options.pathPrefix);
    checkDbType(options.pathType || this.dbType, 'pathType');
    return this._timed(async (ws) => {
      this._currentDbName = path;
      await loadCheckpoint(ws, path, { blobNames: this.blobList(), epoch, node: this.nodeName });
    });
  }

  /** Loads the named blobs that the checkpoint of `epoch` holds (others are skipped). Needs no init. */
  loadBlobsFromCheckpoint(blobNames: readonly string[], epoch: number): CheckpointFn {
    const names = checkStrings(blobNames, 'blobNames');
    const path = dbName(epoch, this.nodeName, this.dbPrefix);
    return this._timed(async (ws) => {
      this._currentDbName = path;
      await loadCheckpoint(ws, path, { blobNames: names, allowMissing: true, epoch, node: this.nodeName });
    });
  }

  /** An action whose `fetch()` then tells whether the checkpoint file of `epoch` exists. */
  checkDbExists(epoch: number): CheckpointQuery<boolean> {
    const path = dbName(epoch, this.nodeName, this.dbPrefix);
    let result: boolean | undefined;
    const action = async () => {
      result = checkpointExists(path);
    };
    return Object.assign(action, {
      fetch(): boolean {
        if (result === undefined) throw new ContextError('HOGWILD_OUTPUT_NOT_SET', `Expected checkDbExists(${epoch}) to have run before fetch()`);
        return result;
      },
    });
  }

  /** Adds `{ dbName: durationNs }` of the last save/load to `stats`. */
  collectCheckpointStats(stats: Record<string, number>): void {
    if (this._currentDbName !== undefined && this._currentCheckpointDuration !== undefined) {
      stats[this._currentDbName] = this._currentCheckpointDuration;
    } else {
      log('Failed to collect checkpoint stats');
    }
  }

  async reportCheckpointStats(actionName: string): Promise<void> {
    const stats: Record<string, number> = {};
    this.collectCheckpointStats(stats);
    await this._reportStats(actionName, stats);
  }

  /** The newest epoch whose checkpoint validates completely (header, every CRC), or undefined. */
  async latestValidEpoch(): Promise<number | undefined> {
    this._openDirectory();
    return newestValidEpoch([this]);
  }

  async setParams(_nodes: readonly string[], options: CheckpointPathOptions = {}): Promise<void> {
    this._openDirectory();
    await this._setHandlerParams([this.nodeName], options);
  }

  /** Removes temp files crashed saves of this node left behind (once per manager). */
  private _openDirectory(): void {
    if (this._swept) return;
    this._swept = true;
    const prefix = `${this.nodeName}.`;
    try {
      sweepTempFiles(this.directory, (finalName) => finalName.startsWith(prefix));
    } catch (err) {
      log('Could not sweep temp files in %s: %s', this.directory, (err as Error).message);
    }
  }

  private _timed(body: (ws: Workspace) => Promise<void>, after?: () => Promise<void>): CheckpointFn {
    return async (session: Session) => {
      const ws = workspaceOf(session);
      this._openDirectory();
      this._currentCheckpointDuration = undefined;
      const t0 = nowNs();
      await body(ws);
      this._currentCheckpointDuration = Number(nowNs() - t0);
      if (after) await after();
    };
  }
}
