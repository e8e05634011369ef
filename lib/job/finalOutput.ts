import type { BlobLike } from '../net/BlobReference.js';
import { Task } from './Task.js';
import type { FetchedTensor, TaskOutput } from './TaskOutput.js';

/**
 * Adds an output to the active Task, or, with no active Task, to a new empty
 * Task of the current group and node (docs/caffe2.md §3.7).
 *
 * @example
 * new Task().scope(() => {
 *   const total = ops.Const(0);
 *   out = finalOutput(total);
 * });
 */
export function finalOutput(blob: BlobLike): TaskOutput<FetchedTensor>;
export function finalOutput(blobs: readonly BlobLike[]): TaskOutput<FetchedTensor[]>;
export function finalOutput(blobOrList: BlobLike | readonly BlobLike[]): TaskOutput {
  const task = Task.current(undefined, { required: false }) ?? new Task();
  return task.addOutput(blobOrList as BlobLike);
}
