/**
 * The checkpoint-manager interface JobRunner drives (docs/caffe2.md §6.3–§6.7),
 * with Caffe2's method names in camelCase. lib/checkpoint implements it
 * (CheckpointManager, MultiNodeCheckpointManager); any object of this shape
 * works. Every method may return a value or a Promise of it.
 */
import type { Session } from './Session.js';
import type { Runnable } from './runnable.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * What a manager's `init`/`load`/`save` return: a runnable the session runs
 * (Tasks or TaskGroups of Save/Load ops), or a function run with the session
 * (for managers that do their I/O from JS).
 */
export type CheckpointAction = Runnable;

/**
 * What a manager's `saveAsync` returns: run with the session, it snapshots the
 * blobs and resolves at once with `written`, which settles when the file is
 * committed (rejects when the save failed).
 */
export type AsyncSaveAction = (session: Session, options: { signal?: AbortSignal }) => Promise<{ written: Promise<void> }>;

/** Path options of init/load/setParams. */
export interface CheckpointPathOptions {
  /** Replaces the DB directory (plain string concatenation with the file name, as in Caffe2). */
  pathPrefix?: string;
  /** Replaces the DB type for this call. */
  pathType?: string;
}

export interface CheckpointManagerApi {
  /** Called first, with `job.nodesToCheckpoint()`. */
  setParams(nodes: readonly string[], options?: CheckpointPathOptions): MaybePromise<void>;
  /**
   * The epoch to resume from: `userEpoch` unless a metadata handler knows better (may return undefined).
   * 'latest' (lib/checkpoint managers): the newest checkpoint that validates, undefined when none does.
   */
  getResumeFromEpochId(userEpoch: number | 'latest' | undefined): MaybePromise<number | undefined>;
  /**
   * Fixes the list of blobs to checkpoint: on a fresh start, every blob of the
   * node workspace right after init; when resuming, the list stored in the
   * checkpoint of `retrieveFromEpoch`.
   */
  init(nodes: readonly string[], options?: CheckpointPathOptions & { retrieveFromEpoch?: number }): MaybePromise<CheckpointAction>;
  /** Restores every listed blob from the checkpoint of `epoch`. */
  load(epoch: number, options?: CheckpointPathOptions): MaybePromise<CheckpointAction>;
  /** Writes the checkpoint of `epoch`. */
  save(epoch: number): MaybePromise<CheckpointAction>;
  /**
   * Optional: save() that returns once the blobs are snapshotted (JobRunner's `asyncSave`); at most
   * one save in flight. Managers without it are saved synchronously.
   */
  saveAsync?(epoch: number): MaybePromise<AsyncSaveAction>;
  /** Is the checkpoint location reachable (`epoch` undefined) / is that epoch's checkpoint there. */
  cpAccessible(epoch?: number): MaybePromise<boolean>;
  writeCheckpointMetadata(epoch: number): MaybePromise<void>;
  /** `actionName`: 'checkpoint_save' | 'checkpoint_load' | 'checkpoint_partial_load'. */
  reportCheckpointStats(actionName: string): MaybePromise<void>;
  /**
   * Multi-node managers only: loads `blobNames` from each node's checkpoint of
   * `epoch`, node by node; false as soon as one node's checkpoint is missing.
   */
  loadBlobsLocally?(nodes: readonly string[], blobNames: readonly string[], epoch: number, session: Session): Promise<boolean>;
}

/** Copies the final checkpoint somewhere after training (docs/caffe2.md §6.6). */
export interface UploadTaskGroupBuilder {
  build(epoch: number, checkpointManager: CheckpointManagerApi | undefined): MaybePromise<CheckpointAction>;
}

/** Checkpoint metadata handler protocol (docs/caffe2.md §6.5), used by managers. */
export interface CheckpointMetadataHandler {
  setParams(params: {
    dbPrefix: string;
    dbType: string;
    nodeNames: readonly string[];
    pathPrefix?: string;
    pathType?: string;
  }): MaybePromise<void>;
  lastEpoch(userEpoch: number | undefined): MaybePromise<number | undefined>;
  write(epoch: number): MaybePromise<void>;
  cpAccessible(epoch?: number): MaybePromise<boolean>;
  /** `stats`: checkpoint DB name → duration in nanoseconds. */
  report(actionName: string, stats: Record<string, number>): MaybePromise<void>;
}
