// Public exports of hogwild. Keep this a flat list of `export … from`.
export * from './errors/index.js';

export { Cluster } from './job/Cluster.js';
export { isolated, type CurrentOptions } from './context/ManagedContext.js';
export { epochLimiter } from './job/epochLimiter.js';
export { finalOutput } from './job/finalOutput.js';
export { Job, type JobOptions } from './job/Job.js';
export { Node } from './job/Node.js';
export { SetupKey } from './context/setupKeys.js';
export { SetupNets } from './job/SetupNets.js';
export type { StopCondition, StopContext, StopPredicate } from './job/stopCondition.js';
export { Task, type OutputLike, type TaskOptions } from './job/Task.js';
export { TaskGroup, type TaskGroupOptions } from './job/TaskGroup.js';
export { TaskOutput, TaskOutputList, type FetchedTensor } from './job/TaskOutput.js';
export { WorkspaceType } from './job/WorkspaceType.js';

export { BlobReference, type BlobLike } from './net/BlobReference.js';
export type { ConstValue } from './net/constValue.js';
export { executionStep, ExecutionStep, toExecutionStep, type ExecutionStepOptions, type StepsOrNets } from './net/ExecutionStep.js';
export { addGradientOperators, GradientSlice, type GradientOptions, type GradientRef } from './net/gradients.js';
export { IfNet } from './net/IfNet.js';
export { Loop } from './net/Loop.js';
export { NameRegistry } from './net/NameRegistry.js';
export { Net, type ConstOptions, type NetOptions, type OpArgs, type OpInputs, type OpOutputs } from './net/Net.js';
export { NetBuilder, type NetBuilderOptions } from './net/NetBuilder.js';
export type { KnownOps, Op1, OpN } from './net/opTypes.js';
export { ops, Operations, type ReporterOptions } from './net/ops.js';
export { Plan } from './net/Plan.js';
export { ReporterBuilder } from './net/ReporterBuilder.js';
export { RunIf } from './net/RunIf.js';
export { SetupBuilder } from './net/SetupBuilder.js';
export { StopGuard } from './net/StopGuard.js';
export { WhileCondition, WhileNet } from './net/WhileNet.js';

export type {
  AsyncSaveAction,
  CheckpointAction,
  CheckpointManagerApi,
  CheckpointMetadataHandler,
  CheckpointPathOptions,
} from './session/checkpointApi.js';
export { CompiledRunnable } from './session/CompiledRunnable.js';
export {
  JobRunner,
  type CheckpointEvent,
  type EpochEndEvent,
  type EpochStartEvent,
  type JobRunnerEvents,
  type JobRunnerOptions,
  type ReportedValue,
  type TrainOptions,
} from './session/JobRunner.js';
export { LocalSession, type LocalSessionOptions } from './session/LocalSession.js';
export type { Runnable, SessionAction } from './session/runnable.js';
export { Session, type CompileJobOptions, type SessionRunOptions } from './session/Session.js';

export { CompiledPlan, compilePlan, Workspace, type RunOptions, type TensorInput } from './runtime/index.js';
export { simdInfo, type SimdInfo, type SimdLevel } from './kernels/simdInfo.js';
export * from './checkpoint/index.js';

export { ModelHelper, type EmbeddingBagOptions, type FcOptions, type ModelHelperOptions, type ParamInfo, type ParamInit } from './model/ModelHelper.js';
export { buildAdagrad, buildAdam, buildMomentumSgd, buildSgd, type LearningRatePolicy, type LearningRateWarmup, type OptimizerOptions } from './model/optimizers.js';
export * from './data/index.js';
export * from './apps/fasttext/index.js';
export * from './apps/wordvectors/index.js';
