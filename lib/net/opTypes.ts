/**
 * Types of the registered ops (Caffe2 names and signatures): every op the
 * native registry registers has a typed method on a Net and on `ops`, except
 * the gradient ops that `addGradientOperators` emits (INTERNAL_GRADIENT_OPS;
 * `net.op(type, …)` still adds them). test/net/op_types.test.ts compares both
 * lists with the native registry. Call shape:
 * `Op(inputs, outputs?, args?)`, where `outputs` is a name, a list of names,
 * or a count of auto-named outputs. `Op1` is an op with exactly one output;
 * `OpN` one with any other count (none, several, or a variable number).
 */
import type { ArgValue } from '../native/coreTypes.js';
import type { BlobLike, BlobReference } from './BlobReference.js';

type In = BlobLike | readonly BlobLike[];
type Out = BlobLike | readonly BlobLike[] | number | null;
type Args = Record<string, ArgValue | undefined>;

/** An op with one output. */
export type Op1 = (inputs?: In | null, outputs?: Out, args?: Args) => BlobReference;
/**
 * An op whose output count is not exactly one (none, several, or variable):
 * the list of outputs. As with `Net.op`, naming exactly one output gives that
 * BlobReference itself at run time; name several, or none (`[]`), for a list.
 */
export type OpN = (inputs?: In | null, outputs?: Out, args?: Args) => BlobReference[];

export interface KnownOps {
  // fills
  ConstantFill: Op1;
  GivenTensorFill: Op1;
  GivenTensorDoubleFill: Op1;
  GivenTensorIntFill: Op1;
  GivenTensorInt64Fill: Op1;
  GivenTensorBoolFill: Op1;
  GivenTensorStringFill: Op1;
  XavierFill: Op1;
  GaussianFill: Op1;
  UniformFill: Op1;
  MSRAFill: Op1;
  ZerosLike: Op1;
  // arithmetic and logic
  Add: Op1;
  Sub: Op1;
  Mul: Op1;
  Div: Op1;
  Sum: Op1;
  SumReduceLike: Op1;
  Scale: Op1;
  Clip: Op1;
  Copy: Op1;
  // collectives across the ranks of a multi-node job (need a process group: hogwild/distributed)
  Allreduce: OpN;
  Broadcast: OpN;
  Barrier: OpN;
  ModelAverage: OpN;
  Cast: Op1;
  Or: Op1;
  And: Op1;
  Xor: Op1;
  Not: Op1;
  EQ: Op1;
  NE: Op1;
  GE: Op1;
  GT: Op1;
  LE: Op1;
  LT: Op1;
  IsEmpty: Op1;
  // counters, timers, workspace
  CreateCounter: Op1;
  CountDown: Op1;
  CountUp: Op1;
  CheckCounterDone: Op1;
  RetrieveCount: Op1;
  ResetCounter: OpN;
  TimerBegin: Op1;
  TimerEnd: OpN;
  TimerGet: Op1;
  TimerGetAndEnd: Op1;
  Iter: Op1;
  AtomicIter: Op1;
  GetAllBlobNames: Op1;
  CreateMutex: Op1;
  Sleep: OpN;
  // layers
  FC: Op1;
  FCRelu: Op1;
  Relu: Op1;
  Sigmoid: Op1;
  Tanh: Op1;
  Softmax: Op1;
  Dropout: OpN;
  SoftmaxWithLoss: OpN;
  AveragedLoss: Op1;
  SquaredL2Distance: Op1;
  SigmoidCrossEntropyWithLogits: Op1;
  BinaryLogisticLoss: Op1;
  SampleLabel: Op1;
  MultiHot: Op1;
  Accuracy: Op1;
  MatMul: Op1;
  // shapes
  Transpose: Op1;
  Reshape: OpN;
  ReduceMean: Op1;
  ReduceSum: Op1;
  Concat: OpN;
  Split: OpN;
  // segments and sparse rows
  LengthsSum: Op1;
  LengthsMean: Op1;
  SparseLengthsSum: Op1;
  SparseLengthsMean: Op1;
  SparseLengthsWeightedSum: Op1;
  SplitSegments: OpN;
  Gather: Op1;
  SparseToDense: Op1;
  ScatterAssign: Op1;
  // optimizers
  LearningRate: Op1;
  WeightedSum: Op1;
  ScatterWeightedSum: Op1;
  MomentumSGDUpdate: OpN;
  Adagrad: OpN;
  SparseAdagrad: OpN;
  RowWiseSparseAdagrad: OpN;
  Adam: OpN;
  SparseAdam: OpN;
  // datasets and cursors
  CreateTreeCursor: Op1;
  ReadNextBatch: OpN;
  ReadShuffledBatch: OpN;
  ResetCursor: OpN;
  GetCursorOffset: Op1;
  CheckDatasetConsistency: OpN;
  AtomicAppend: OpN;
  TrimDataset: OpN;
  // queues
  CreateBlobsQueue: Op1;
  EnqueueBlobs: OpN;
  DequeueBlobs: OpN;
  SafeEnqueueBlobs: OpN;
  SafeDequeueBlobs: OpN;
  CloseBlobsQueue: OpN;
  BlobsQueueSize: Op1;
  // file readers
  ReadCsvFile: OpN;
  ReadIdxFile: Op1;
  ReadRawArrayFile: Op1;
  ReadFastTextFile: OpN;
  BuildFastTextDictionary: Op1;
  WordVectorsTables: OpN;
  WordVectorsTrain: OpN;
  // diagnostics
  Print: OpN;
}

/**
 * The registered ops KnownOps leaves untyped on purpose: gradient ops, which
 * the native gradient makers emit for `addGradientOperators`. Anything else
 * the registry registers must be a KnownOps member (test/net/op_types.test.ts).
 * @internal
 */
export const INTERNAL_GRADIENT_OPS: readonly string[] = [
  'AddGradient',
  'AveragedLossGradient',
  'BatchGatherGradient',
  'BinaryLogisticLossGradient',
  'ClipGradient',
  'DivGradient',
  'DropoutGrad',
  'FCGradient',
  'FCReluGradient',
  'LengthsMeanGradient',
  'LengthsSumGradient',
  'MatMulGradient',
  'MulGradient',
  'ReduceMeanGradient',
  'ReduceSumGradient',
  'ReluGradient',
  'SigmoidCrossEntropyWithLogitsGradient',
  'SigmoidGradient',
  'SoftmaxGradient',
  'SoftmaxWithLossGradient',
  'SparseLengthsMeanGradient',
  'SparseLengthsSumGradient',
  'SparseLengthsWeightedSumGradient',
  'SparseLengthsWeightedSumWithMainInputGradient',
  'SquaredL2DistanceGradient',
  'SubGradient',
  'TanhGradient',
  'WeightedSumGradient',
];
