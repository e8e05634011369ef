// Checkpoints (docs/caffe2.md §6, docs/checkpoints.md).
export {
  CheckpointManager,
  type CheckpointFn,
  type CheckpointManagerOptions,
  type CheckpointQuery,
  type ResumeEpoch,
} from './CheckpointManager.js';
export { CheckpointManagerBase } from './CheckpointManagerBase.js';
export { MultiNodeCheckpointManager } from './MultiNodeCheckpointManager.js';
export { UploadTaskGroupBuilder, UploadToDirectory, copyFileDurably, managersOf } from './UploadTaskGroupBuilder.js';
export { dbName, getCkptFilename, validateNodeName, epochOfFilename, DEFAULT_DB_TYPE } from './naming.js';
export {
  saveCheckpoint,
  AsyncCheckpointSaver,
  loadCheckpoint,
  inspectCheckpoint,
  isValidCheckpoint,
  checkpointExists,
  listCheckpointEpochs,
  sweepTempFiles,
  removeCheckpointFiles,
  type SaveCheckpointOptions,
  type LoadCheckpointOptions,
  type CheckpointFileInfo,
  type CheckpointBlobInfo,
} from './files.js';
export { applyRetention } from './retention.js';
export { CheckpointIOError } from './errors.js';
