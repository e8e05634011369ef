/**
 * Per-rank checkpoints of a multi-node job: each rank saves `<node>.<epoch>`
 * of its own workspace (through a CheckpointManager of its own), and resuming
 * from 'latest' picks the newest epoch whose checkpoint validates on EVERY
 * rank, agreed through reductions, so all ranks restart from the same epoch.
 */
import { CheckpointManager } from '../checkpoint/CheckpointManager.js';
import { isValidCheckpoint, listCheckpointEpochs } from '../checkpoint/files.js';
import type { CheckpointAction, CheckpointManagerApi, CheckpointPathOptions } from '../session/checkpointApi.js';
import type { ProcessGroup } from './ProcessGroup.js';

export class RankCheckpointManager implements CheckpointManagerApi {
  readonly local: CheckpointManager;
  readonly group: ProcessGroup;

  /** `directory` is shared or per host; the node name is `nodeName` (a Caffe2 Node's) or `<nodePrefix><rank>`. */
  constructor(directory: string, group: ProcessGroup, options: { nodeName?: string; nodePrefix?: string; maxToKeep?: number } = {}) {
    this.group = group;
    this.local = new CheckpointManager(directory, options.nodeName ?? `${options.nodePrefix ?? 'node'}${group.rank}`, undefined, undefined, {
      ...(options.maxToKeep !== undefined ? { maxToKeep: options.maxToKeep } : {}),
    });
  }

  /** This rank's [node, manager], shaped as MultiNodeCheckpointManager's (so upload builders work on a rank). */
  get nodeManagers(): [string, CheckpointManager][] {
    return [[this.local.nodeName, this.local]];
  }

  /** Epochs whose checkpoint of this rank validates completely, newest first. */
  async validLocalEpochs(): Promise<number[]> {
    const out: number[] = [];
    for (const epoch of listCheckpointEpochs(this.local.directory, this.local.nodeName).sort((a, b) => b - a)) {
      if (await isValidCheckpoint(this.local.dbName(epoch), { epoch, node: this.local.nodeName })) out.push(epoch);
    }
    return out;
  }

  /** The newest epoch valid on every rank (undefined: none; start fresh). Every rank must call it. */
  async agreedLatestEpoch(): Promise<number | undefined> {
    const mine = await this.validLocalEpochs();
    const have = new Set(mine);
    let ceiling = Number.MAX_SAFE_INTEGER;
    for (;;) {
      // Each rank proposes its newest valid epoch at or below the ceiling; the smallest wins.
      const proposal = new Float32Array([mine.find((e) => e <= ceiling) ?? -1]);
      await this.group.allreduce(proposal, { op: 'min' });
      const candidate = proposal[0]!;
      if (candidate < 0) return undefined;
      if (!(await this.group.any(!have.has(candidate)))) return candidate;
      ceiling = candidate - 1;
    }
  }

  // The job's node list names every rank's node; this rank checkpoints its own only.
  setParams(_nodes: readonly string[], options?: CheckpointPathOptions): Promise<void> {
    return this.local.setParams([this.local.nodeName], options);
  }
  async getResumeFromEpochId(userEpoch: number | 'latest' | undefined): Promise<number | undefined> {
    if (userEpoch === 'latest') return this.agreedLatestEpoch();
    return this.local.getResumeFromEpochId(userEpoch);
  }
  init(_nodes: readonly string[], options?: CheckpointPathOptions & { retrieveFromEpoch?: number }): Promise<CheckpointAction> {
    return Promise.resolve(this.local.init([this.local.nodeName], options));
  }
  load(epoch: number, options?: CheckpointPathOptions): Promise<CheckpointAction> {
    return Promise.resolve(this.local.load(epoch, options));
  }
  save(epoch: number): Promise<CheckpointAction> {
    return Promise.resolve(this.local.save(epoch));
  }
  cpAccessible(epoch?: number): Promise<boolean> {
    return this.local.cpAccessible(epoch);
  }
  writeCheckpointMetadata(epoch: number): Promise<void> {
    return this.local.writeCheckpointMetadata(epoch);
  }
  reportCheckpointStats(actionName: string): Promise<void> {
    return this.local.reportCheckpointStats(actionName);
  }
}
