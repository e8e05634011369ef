/**
 * Types of the common ops (Caffe2 names and signatures). Every registered op is
 * callable on a Net and on `ops` whether listed here or not; listed ones get
 * precise types. Call shape: `Op(inputs, outputs?, args?)`, where `outputs`
 * is a name, a list of names, or a count of auto-named outputs.
 */
import type { ArgValue } from '../native/coreTypes.js';
import type { BlobLike, BlobReference } from './BlobReference.js';

type In = BlobLike | readonly BlobLike[];
type Out = BlobLike | readonly BlobLike[] | number | null;
type Args = Record<string, ArgValue | undefined>;

/** An op with one output. */
export type Op1 = (inputs?: In | null, outputs?: Out, args?: Args) => BlobReference;
/** An op with several outputs. */
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
  Scale: Op1;
  Copy: Op1;
  Cast: Op1;
  Or: Op1;
  And: Op1;
  Not: Op1;
  EQ: Op1;
  NE: Op1;
  GE: Op1;
  GT: Op1;
  LE: Op1;
  LT: Op1;
  IsEmpty: Op1;
  // counters and timers
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
  Relu: Op1;
  Sigmoid: Op1;
  Tanh: Op1;
  Softmax: Op1;
  SoftmaxWithLoss: OpN;
  AveragedLoss: Op1;
  SquaredL2Distance: Op1;
  SigmoidCrossEntropyWithLogits: Op1;
  Accuracy: Op1;
  MatMul: Op1;
  Transpose: Op1;
  Reshape: OpN;
  ReduceMean: Op1;
  ReduceSum: Op1;
  Concat: OpN;
  Split: OpN;
  LengthsSum: Op1;
  SparseLengthsSum: Op1;
  SparseLengthsMean: Op1;
  Gather: Op1;
  // optimizers
  LearningRate: Op1;
  WeightedSum: Op1;
  ScatterWeightedSum: Op1;
  MomentumSGDUpdate: OpN;
  Adagrad: OpN;
  SparseAdagrad: OpN;
  Adam: OpN;
  SparseAdam: OpN;
  // diagnostics
  Print: OpN;
  LogInfo: OpN;
}
