/**
 * Entry of every rank that `hogwild launch` starts: `node rankMain.js job.js args…`.
 * It imports the job module with the module's own argv. A module whose default
 * export (or `buildJob` export) builds a Job, as for `hogwild run`, is trained
 * here with a DistributedJobRunner; any other module is a program that ran on
 * import (and joined the group itself with connectFromEnv()).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { InvalidArgumentError } from '../errors/index.js';
import type { UploadTaskGroupBuilder } from '../checkpoint/UploadTaskGroupBuilder.js';
import type { Cluster } from '../job/Cluster.js';
import { Job } from '../job/Job.js';
import { LocalSession } from '../session/LocalSession.js';
import { DistributedJobRunner } from './DistributedJobRunner.js';
import { connectFromEnv, ENV } from './env.js';
import { nodeOfRank, nodeSession } from './nodePlacement.js';
import type { ProcessGroup } from './ProcessGroup.js';
import { RankCheckpointManager } from './RankCheckpointManager.js';

/** What a job module's builder gets on each rank. */
export interface RankJobContext {
  args: string[];
  /** Where each rank keeps its checkpoints (hogwild launch --checkpoint-dir), if anywhere. */
  checkpointDir: string | undefined;
  rank: number;
  size: number;
  group: ProcessGroup;
}

/** What the builder may return instead of a bare Job. */
export interface RankJobSpec {
  job: Job;
  /** Last epoch; every rank must use the same. */
  maxEpochs?: number;
  /** Float32 blobs averaged across ranks after every epoch (see DistributedJobRunner). */
  averageEachEpoch?: readonly string[];
  /** Runs on every rank after training (gather results, write files on rank 0…). */
  onDone?: (session: LocalSession, group: ProcessGroup) => unknown;
  /** The Cluster the job's Nodes were placed in: rank R runs its R-th node (default: the job's nodes in order of first use). */
  cluster?: Cluster;
  /** Checkpoints each rank keeps (default 3; 'all' keeps every epoch). */
  keepCheckpoints?: number | 'all';
  /** Runs after the last epoch on every rank (JobRunner's upload step), e.g. copying each node's last checkpoint. */
  uploadTaskGroupBuilder?: UploadTaskGroupBuilder;
  /** Sees the rank's runner before training, to follow its events (epochEnd, checkpoint…). */
  onRunner?: (runner: DistributedJobRunner) => void;
}

async function main(): Promise<void> {
  const [script, ...args] = process.argv.slice(2);
  if (!script) throw new InvalidArgumentError('usage: rankMain.js <job.js> [args…] (started by hogwild launch)');
  // The module sees the argv it would see run directly: [node, job.js, args…].
  process.argv = [process.argv[0]!, resolve(script), ...args];
  const mod = (await import(pathToFileURL(resolve(script)).href)) as Record<string, unknown>;
  const entry = mod.default ?? mod.buildJob;
  if (typeof entry !== 'function' && !(entry instanceof Job)) return; // a program: it already ran
  const group = await connectFromEnv();
  const checkpointDir = process.env[ENV.CHECKPOINT_DIR] || undefined;
  try {
    const value = typeof entry === 'function' ? await (entry as (c: RankJobContext) => unknown)({ args, checkpointDir, rank: group.rank, size: group.size, group }) : entry;
    const spec = (value instanceof Job ? { job: value } : value) as RankJobSpec | undefined;
    if (!(spec?.job instanceof Job))
      throw new InvalidArgumentError(`Expected ${script}'s default export (or buildJob) to build a Job or { job } but it returned ${spec === undefined ? 'nothing' : typeof spec}`);
    // A job placed on Nodes runs its rank's node here (in a workspace of its own).
    const node = nodeOfRank(spec.job, group.rank, group.size, spec.cluster);
    await using session = node === undefined ? new LocalSession() : nodeSession(node);
    const keep = spec.keepCheckpoints ?? 3;
    // With checkpoints, every attempt resumes from the newest epoch valid on every rank.
    const manager = checkpointDir
      ? new RankCheckpointManager(checkpointDir, group, { ...(keep === 'all' ? {} : { maxToKeep: keep }), ...(node !== undefined ? { nodeName: node } : {}) })
      : undefined;
    const runner = new DistributedJobRunner(spec.job, group, {
      ...(manager ? { checkpointManager: manager, resumeFromEpoch: 'latest' as const } : {}),
      ...(spec.averageEachEpoch ? { averageEachEpoch: spec.averageEachEpoch } : {}),
      ...(node !== undefined ? { node } : {}),
      ...(spec.uploadTaskGroupBuilder ? { uploadTaskGroupBuilder: spec.uploadTaskGroupBuilder } : {}),
    });
    spec.onRunner?.(runner);
    runner.on('init', (e) => {
      if (group.rank === 0 && !e.fromScratch) process.stdout.write(`Resumed from epoch ${e.resumeFromEpoch} on every node\n`);
    });
    const last = await runner.train(session, spec.maxEpochs !== undefined ? { maxEpochs: spec.maxEpochs } : {});
    await spec.onDone?.(session, group);
    if (group.rank === 0) process.stdout.write(`Finished epoch ${last} on ${group.size} node${group.size === 1 ? '' : 's'}\n`);
  } finally {
    group.close();
  }
}

main().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  process.stderr.write(`hogwild rank ${process.env.HOGWILD_RANK ?? '?'}: ${e.message.split('\n')[0]}${typeof code === 'string' ? ` [${code}]` : ''}\n`);
  process.exitCode = 1;
});
