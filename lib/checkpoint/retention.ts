/**
 * maxToKeep retention (docs/reliability.md §1 rule 6): after a checkpoint is
 * committed, older checkpoints of the same node are deleted so at most
 * `maxToKeep` remain. Only files this library wrote are candidates: named
 * `<node>.<epoch>` in the manager's directory AND whose header validates as a
 * hogwild checkpoint of that node and epoch. Foreign files, copies under other
 * names and files with a bad header are never touched. The checkpoint just
 * saved is always kept, so the newest valid checkpoint survives whatever
 * else is in the directory.
 */
import { join } from 'node:path';

import { inspectCheckpoint, listCheckpointEpochs, removeCheckpointFiles } from './files.js';

/** Deletes old checkpoints of `node` in `dir`; returns the deleted paths. */
export async function applyRetention(dir: string, node: string, maxToKeep: number, justSaved: number): Promise<string[]> {
  const ours: number[] = [];
  for (const epoch of listCheckpointEpochs(dir, node)) {
    try {
      const info = await inspectCheckpoint(join(dir, `${node}.${epoch}`));
      if (info.node === node && info.epoch === epoch) ours.push(epoch);
    } catch {
      // not provably ours (foreign or damaged): leave it
    }
  }
  const keep = new Set(ours.slice(0, maxToKeep));
  keep.add(justSaved);
  const doomed = ours.filter((e) => !keep.has(e)).map((e) => join(dir, `${node}.${e}`));
  if (doomed.length) removeCheckpointFiles(doomed);
  return doomed;
}
