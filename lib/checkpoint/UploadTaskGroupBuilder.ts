/**
 * Upload of the final checkpoints after training (docs/caffe2.md §6.6). JobRunner
 * calls `build(lastEpoch, checkpointManager)` and runs what it returns (a
 * TaskGroup, or an action function called with the session).
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { InvalidArgumentError } from '../errors/index.js';
import type { CheckpointAction, CheckpointManagerApi, UploadTaskGroupBuilder as UploadBuilderApi } from '../session/checkpointApi.js';
import { CheckpointManager, type CheckpointFn } from './CheckpointManager.js';
import { MultiNodeCheckpointManager } from './MultiNodeCheckpointManager.js';

/** Base class: subclasses implement `build` (Caffe2's raises NotImplementedError). */
export class UploadTaskGroupBuilder implements UploadBuilderApi {
  build(_epoch: number, _checkpointManager: CheckpointManagerApi | undefined): CheckpointAction | Promise<CheckpointAction> {
    throw new InvalidArgumentError(`${this.constructor.name}.build is not implemented`, 'HOGWILD_NOT_IMPLEMENTED');
  }
}

/** `[node, manager]` of a single or multi-node manager (the files an uploader copies). */
export function managersOf(cm: CheckpointManagerApi | undefined): (readonly [string, CheckpointManager])[] {
  if (cm instanceof MultiNodeCheckpointManager) return [...(cm.nodeManagers ?? [])];
  if (cm instanceof CheckpointManager) return [[cm.nodeName, cm]];
  throw new InvalidArgumentError('Expected a CheckpointManager or MultiNodeCheckpointManager to upload from');
}

/** Copies `src` to `dest` crash-safely: a temp copy beside `dest`, fsync, rename, directory fsync. */
export async function copyFileDurably(src: string, dest: string): Promise<void> {
  const tmp = join(dirname(dest), `.${basename(dest)}.upload-${process.pid}-${Math.random().toString(16).slice(2)}`);
  try {
    await copyFile(src, tmp, constants.COPYFILE_EXCL);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const dir = await open(dirname(dest), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Uploads each node's checkpoint of the last epoch into `destDir` (named by `fileName`, default `<node>.<epoch>`). */
export class UploadToDirectory extends UploadTaskGroupBuilder {
  constructor(
    readonly destDir: string,
    readonly fileName: (node: string, epoch: number) => string = (node, epoch) => `${node}.${epoch}`,
  ) {
    super();
  }

  override build(epoch: number, checkpointManager: CheckpointManagerApi | undefined): CheckpointFn {
    const pairs = managersOf(checkpointManager);
    return async () => {
      await mkdir(this.destDir, { recursive: true });
      for (const [node, m] of pairs) await copyFileDurably(m.dbName(epoch), join(this.destDir, this.fileName(node, epoch)));
    };
  }
}
