/**
 * Epoch handling shared by CheckpointManager and MultiNodeCheckpointManager,
 * so the two cannot drift apart: which epoch to resume from, and which is the
 * newest epoch whose checkpoints validate for a set of nodes (a single-node
 * manager is the one-node case). See docs/checkpoints.md.
 */
import { checkInteger } from '../runtime/validate.js';
import type { CheckpointMetadataHandler } from '../session/checkpointApi.js';
import { isValidCheckpoint, listCheckpointEpochs } from './files.js';

/** The epoch argument JobRunner passes: a number, 'latest' (newest checkpoint that validates), or undefined. */
export type ResumeEpoch = number | 'latest' | undefined;

/** Where one node's checkpoints live (a CheckpointManager satisfies it). */
export interface NodeCheckpoints {
  readonly directory: string;
  readonly nodeName: string;
  dbName(epoch: number): string;
}

/**
 * The epoch to resume from: `userEpoch` checked to be an integer ≥ 0, or
 * 'latest' resolved by `latestValid` (undefined when nothing validates), then
 * passed through the metadata handler's lastEpoch when there is one.
 */
export async function resolveResumeEpoch(
  userEpoch: ResumeEpoch | null,
  latestValid: () => Promise<number | undefined>,
  handler: CheckpointMetadataHandler | undefined,
): Promise<number | undefined> {
  let epoch: number | undefined;
  if (userEpoch === 'latest') epoch = await latestValid();
  else if (userEpoch !== undefined && userEpoch !== null) epoch = checkInteger(userEpoch, 'userEpoch', 0);
  if (handler) return (await handler.lastEpoch(epoch)) ?? undefined;
  return epoch;
}

/**
 * The newest epoch that every node has a checkpoint of and whose checkpoints
 * all validate completely (header, every CRC), or undefined.
 */
export async function newestValidEpoch(nodes: readonly NodeCheckpoints[]): Promise<number | undefined> {
  if (nodes.length === 0) return undefined;
  let candidates = listCheckpointEpochs(nodes[0]!.directory, nodes[0]!.nodeName);
  for (const n of nodes.slice(1)) {
    const have = new Set(listCheckpointEpochs(n.directory, n.nodeName));
    candidates = candidates.filter((e) => have.has(e));
  }
  for (const epoch of candidates) {
    const bad = await firstInvalid(nodes, epoch);
    if (bad === undefined) return epoch;
    // Falling back to an older checkpoint loses epochs: say so.
    process.emitWarning(`Skipping checkpoint ${bad}: it does not validate; trying an older one`, { type: 'HogwildWarning', code: 'HOGWILD_CHECKPOINT_SKIPPED' });
  }
  return undefined;
}

async function firstInvalid(nodes: readonly NodeCheckpoints[], epoch: number): Promise<string | undefined> {
  for (const n of nodes) {
    const path = n.dbName(epoch);
    if (!(await isValidCheckpoint(path, { epoch, node: n.nodeName }))) return path;
  }
  return undefined;
}
