// Multi-node training on Gloo (optional module hogwild_gloo.node).
export { DISTRIBUTED_CODES, DistributedError, fromGlooError } from './errors.js';
export { distributedAvailable, loadGloo } from './native.js';
export { ProcessGroup, type CollectiveOptions, type ConnectOptions, type ReduceOp } from './ProcessGroup.js';
export { ModelAverager, type AveragerStats, type ModelAveragerOptions } from './ModelAverager.js';
export { connectFromEnv, ENV, launchEnv, type LaunchEnv } from './env.js';
export { jobFingerprint, launch, type LaunchOptions, type LaunchResult, type RankExit } from './launcher.js';
export { formatStore, parseStore, type StoreSpec } from './store.js';
export { DistributedJobRunner, type DistributedJobRunnerOptions } from './DistributedJobRunner.js';
export { allreduceBlobs, broadcastBlobs } from './blobCollectives.js';
export type { RankJobContext, RankJobSpec } from './rankMain.js';
export { RankCheckpointManager } from './RankCheckpointManager.js';
export { jobNodes, nodeOfRank, nodeSession, stopConditionsOfNode } from './nodePlacement.js';
