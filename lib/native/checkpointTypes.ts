/**
 * Types of the checkpoint part of the native surface (native/napi/checkpoint_binding.cc).
 * Saves, loads and inspections run on a native thread of their own and settle a Promise.
 *
 * Errors: a bad file rejects with `code: 'HOGWILD_CHECKPOINT_CORRUPT'`, a stable `reason`
 * and `path`; a failed system call with the errno's name as `code` ('ENOSPC', 'EIO', …),
 * `errno` (negative, as Node's fs errors), `syscall` and `path`.
 */
import type { DType, NativeWorkspace } from './coreTypes.js';

export interface CheckpointBlobInfo {
  name: string;
  /** 'tensor', 'empty', or an object kind ('counter', 'stringList', 'treeCursor', …). */
  kind: string;
  dtype: DType;
  shape: number[];
  bytes: number;
}

export interface CheckpointFileInfo {
  epoch: number;
  node: string;
  /** The caller's extra strings (`meta` of checkpointSave). */
  meta: Record<string, string>;
  /** In file order. */
  blobs: CheckpointBlobInfo[];
  fileBytes: number;
}

export interface CheckpointLoadOptions {
  /** Skip requested names the file lacks (Caffe2's allow_incomplete); otherwise reason 'missing_blob'. */
  allowMissing?: boolean;
  /** Reject (reason 'mismatch') unless the file's metadata holds this epoch / node. */
  epoch?: number;
  node?: string;
  /**
   * Tensors served from the file mapping instead of copied (a model loaded for prediction): every
   * one (true) or these names. Others are copied after validation, into the workspace's own
   * memory when it holds a tensor of the same dtype and shape.
   */
  readOnly?: boolean | string[];
}

/** An asynchronous saver's native state (its reusable snapshot memory). */
export type NativeCheckpointSaver = object & { readonly __nativeCheckpointSaver: unique symbol };

export interface CheckpointBinding {
  checkpointSaverNew(): NativeCheckpointSaver;
  /**
   * Copies `blobNames` of `ws` into the saver's reused memory (on the calling thread: the workspace
   * is free when this returns), then writes that copy like checkpointSave on a thread of its own.
   * Throws HOGWILD_BUSY while the saver's previous save has not settled.
   */
  checkpointSaveSnapshot(
    saver: NativeCheckpointSaver,
    ws: NativeWorkspace,
    path: string,
    blobNames: string[],
    epoch: number,
    node: string,
    meta?: Record<string, string>,
  ): Promise<{ bytes: number }>;
  /**
   * Writes `blobNames` of `ws` to `path` with the commit protocol (temp file, fsync, rename,
   * directory fsync). Tensors are streamed from blob memory; throws HOGWILD_BUSY while a plan runs.
   */
  checkpointSave(
    ws: NativeWorkspace,
    path: string,
    blobNames: string[],
    epoch: number,
    node: string,
    meta?: Record<string, string>,
  ): Promise<{ bytes: number }>;
  /**
   * Maps the file and checks the CRCs of `blobNames` (every blob when null) in place, then puts them
   * into `ws` all at once: served from the mapping (`readOnly`), copied into `ws`'s same-shape
   * tensors, or into fresh memory.
   */
  checkpointLoad(
    ws: NativeWorkspace,
    path: string,
    blobNames: string[] | null,
    options?: CheckpointLoadOptions,
  ): Promise<{ loaded: string[]; epoch: number; node: string }>;
  /** Validates the header (and every CRC when `verifyData`) without loading anything. */
  checkpointInspect(path: string, verifyData: boolean): Promise<CheckpointFileInfo>;
  /** Unlinks files (missing ones are skipped), then fsyncs their directories. Returns how many existed. */
  checkpointRemoveFiles(paths: string[]): number;
  /**
   * For process 'exit' (which runs no cleanup hooks): checkpoint threads still running stop reporting
   * back to JS; a save cut short leaves only a temp file. Later calls are refused.
   */
  checkpointShutdownSync(): void;
  /** When `fileName` is a temp file of the writer: the final name it was meant for and the writer's pid. */
  checkpointTempInfo(fileName: string): { finalName: string; pid: number } | null;
}
