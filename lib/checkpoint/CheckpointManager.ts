/**
 * Single-node checkpoint manager (CAFFE2.md §6.3): one file per epoch at
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
  CheckpointManagerApi,
  CheckpointMetadataHandler,
  CheckpointPathOptions,
} from '../session/checkpointApi.js';
import type { Session } from '../session/Session.js';
import {
  checkpointExists,
  inspectCheckpoint,
  isValidCheckpoint,
  listCheckpointEpochs,
  loadCheckpoint,
  saveCheckpoint,
  sweepTempFiles,
} from './files.js';
import { ensureDirectory } from './atomicWrite.js';
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

/** The epoch argument JobRunner passes: a number, 'latest' (newest checkpoint that validates), or undefined. */
export type ResumeEpoch = number | 'latest' | undefined;

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

export class CheckpointManager implements CheckpointManagerApi {
  /** The blob that holds the list of checkpointed blob names (it is in the list itself). */
  static readonly BLOB_NAMES = 'blob_names';

  readonly dbPrefix: string;
  readonly nodeName: string;
  readonly dbType: string;
  readonly metadataHandler: CheckpointMetadataHandler | undefined;
  readonly maxToKeep: number | undefined;

  private _blobNames: string[] | undefined;
  private _initBuilt = false;
  private _pathPrefix: string | undefined;
  private _pathType: string | undefined;
  private _currentDbName: string | undefined;
  private _currentCheckpointDuration: number | undefined;
  private _swept = false;

  constructor(
    dbPrefix: string,
    nodeName: string,
    dbType: string = DEFAULT_DB_TYPE,
    metadataHandler?: CheckpointMetadataHandler,
    options: CheckpointManagerOptions = {},
  ) {
    if (typeof dbPrefix !== 'string') throw new InvalidArgumentError(`Expected a string for dbPrefix but received ${describeValue(dbPrefix)}`);
    this.dbPrefix = dbPrefix;
    this.nodeName = validateNodeName(nodeName);
    this.dbType = checkDbType(dbType);
    this.metadataHandler = metadataHandler;
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
    }, async () => {
      if (this.maxToKeep === undefined) return;
      // The save is committed: a failed cleanup must not turn it into a failed save.
      try {
        await applyRetention(dirname(path), this.nodeName, this.maxToKeep, epoch);
      } catch (err) {
        process.emitWarning(`Checkpoint retention in ${dirname(path)} failed: ${(err as Error).message}`, 'HogwildWarning');
      }
    });
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
    if (this.metadataHandler) await this.metadataHandler.report(actionName, stats);
  }

  async writeCheckpointMetadata(epoch: number): Promise<void> {
    if (this.metadataHandler) await this.metadataHandler.write(epoch);
  }

  /**
   * The epoch to resume from: `userEpoch`, after resolving 'latest' to the
   * newest checkpoint of this node that validates completely (undefined when
   * none does), then passed through the metadata handler's lastEpoch.
   */
  async getResumeFromEpochId(userEpoch?: ResumeEpoch): Promise<number | undefined> {
    let epoch: number | undefined;
    if (userEpoch === 'latest') epoch = await this.latestValidEpoch();
    else if (userEpoch !== undefined && userEpoch !== null) epoch = checkInteger(userEpoch, 'userEpoch', 0);
    if (this.metadataHandler) return (await this.metadataHandler.lastEpoch(epoch)) ?? undefined;
    return epoch;
  }

  /** The newest epoch whose checkpoint validates completely (header, every CRC), or undefined. */
  async latestValidEpoch(): Promise<number | undefined> {
    this._openDirectory();
    for (const epoch of listCheckpointEpochs(this.directory, this.nodeName)) {
      if (await isValidCheckpoint(this.dbName(epoch), { epoch, node: this.nodeName })) return epoch;
      // Falling back to an older checkpoint loses epochs: say so.
      process.emitWarning(`Skipping checkpoint ${this.dbName(epoch)}: it does not validate; trying an older one`, { type: 'HogwildWarning', code: 'HOGWILD_CHECKPOINT_SKIPPED' });
    }
    return undefined;
  }

  async setParams(_nodes: readonly string[], options: CheckpointPathOptions = {}): Promise<void> {
    if (options.pathPrefix) this._pathPrefix = options.pathPrefix;
    if (options.pathType) this._pathType = options.pathType;
    this._openDirectory();
    if (this.metadataHandler) {
      await this.metadataHandler.setParams({
        dbPrefix: this.dbPrefix,
        dbType: this.dbType,
        nodeNames: [this.nodeName],
        ...(this._pathPrefix === undefined ? {} : { pathPrefix: this._pathPrefix }),
        ...(this._pathType === undefined ? {} : { pathType: this._pathType }),
      });
    }
  }

  async cpAccessible(epoch?: number): Promise<boolean> {
    if (this.metadataHandler) return this.metadataHandler.cpAccessible(epoch);
    return true;
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
