/**
 * The binding, one area at a time, for the layers above runtime: they get the
 * typed slice they need (checkpoint files, data readers/queues) and a live
 * workspace's native handle, never the whole addon or its loading. Only
 * lib/native and lib/runtime import lib/native/binding.ts (see
 * docs/architecture.md; test/build/layering.test.ts enforces it).
 */
import { native, packageRoot } from '../native/binding.js';
import type { CheckpointBinding } from '../native/checkpointTypes.js';
import type { NativeWorkspace } from '../native/coreTypes.js';
import type { DataBinding } from '../native/dataTypes.js';
import type { KernelBinding } from '../native/kernelTypes.js';
import type { PredictBinding } from '../native/predictTypes.js';
import type { CollectiveBinding } from '../native/collectiveTypes.js';
import { expected } from './validate.js';
import { Workspace } from './Workspace.js';

export { packageRoot };

let exitHooked = false;

/**
 * The checkpoint area, with its save/load threads told to stop reporting to
 * JS at process exit (a pending completion must not run into a torn-down
 * environment; docs/reliability.md, "Native threads and process exit").
 */
export function checkpointNative(): CheckpointBinding {
  const b = native();
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => b.checkpointShutdownSync());
  }
  return b;
}

/** The data area: file scans and queues. */
export function dataNative(): DataBinding {
  return native();
}

/** The prediction area: fastText batch predictors. */
export function predictNative(): PredictBinding {
  return native();
}

/** The collective area: lending a process group to the Allreduce/Broadcast/Barrier ops. */
export function collectiveNative(): CollectiveBinding {
  return native();
}

/** The kernel area: SIMD level, kernel benchmarks. */
export function kernelNative(): KernelBinding {
  return native();
}

/** The native handle of a live workspace; HOGWILD_INVALID_ARGUMENT naming `name` otherwise. */
export function nativeWorkspaceOf(ws: unknown, name: string): NativeWorkspace {
  if (!(ws instanceof Workspace) || ws.disposed) throw expected('a live Workspace', name, ws);
  return ws._native!;
}
