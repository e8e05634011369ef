/**
 * Types of the core native surface: workspaces, plans, ops, gradients.
 * Plans are plain data (docs/caffe2.md §1.3); the addon copies them into C++
 * structs on the JS thread, so nothing here is shared with native threads.
 */

export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';
export type TypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
export type ArgValue = number | string | boolean | readonly number[] | readonly string[];

export interface OpDef {
  type: string;
  inputs: string[];
  outputs: string[];
  args?: Record<string, ArgValue>;
  /** Label used in error messages. */
  name?: string;
}

export interface NetDef {
  name: string;
  ops: OpDef[];
}

export interface StepDef {
  name: string;
  /** Names of nets in PlanDef.nets; exclusive with substeps. */
  nets?: string[];
  substeps?: StepDef[];
  numIter?: number;
  shouldStopBlob?: string;
  onlyOnce?: boolean;
  concurrentSubsteps?: boolean;
  numConcurrentInstances?: number;
  createWorkspace?: boolean;
  /** > 0: a report step run periodically while its parent runs, and once at the end. */
  runEveryMs?: number;
  /** Scalar blobs sent to the plan's onReport callback after each run of this step. */
  reportBlobs?: string[];
}

export interface PlanDef {
  name: string;
  nets: NetDef[];
  steps: StepDef[];
}

export interface TensorData {
  dtype: DType;
  shape: number[];
  /** A fresh copy: float32 → Float32Array, int64 → BigInt64Array, bool/uint8 → Uint8Array… */
  data: TypedArray;
}

export interface Report {
  step: string;
  values: Record<string, number>;
}

export interface GradientSpec {
  kind: 'none' | 'dense' | 'sparse';
  dense?: string;
  indices?: string;
  values?: string;
}

export interface OpSchemaInfo {
  type: string;
  minInputs: number;
  maxInputs: number;
  minOutputs: number;
  maxOutputs: number;
  args: string[];
  /** True when the op accepts any argument name. */
  anyArgs: boolean;
  hasGradient: boolean;
  doc: string;
}

/** Opaque handle to a validated plan. */
export interface NativePlan {
  readonly name: string;
}

/** Cancels a running plan: ops stop between nets, blocking waits wake up. */
export interface NativeCancel {
  cancel(): void;
  readonly cancelled: boolean;
}

/**
 * A native workspace. Calls that read or write blob contents (feed, fetch,
 * remove, serializeBlob, deserializeBlob) throw HOGWILD_BUSY while a plan runs
 * anywhere in its tree (the root and its children): ops may be writing them.
 * has/list/kind, createChild, run and dispose work at any time.
 */
export interface NativeWorkspace {
  /** Copies `data` into a new or existing blob (a copy: the caller keeps its buffer). */
  feed(name: string, dtype: DType, shape: readonly number[], data: TypedArray): void;
  /** Copies a tensor blob out. Throws HOGWILD_MISSING_BLOB / HOGWILD_BLOB_KIND. */
  fetch(name: string): TensorData;
  has(name: string): boolean;
  /** Sorted blob names; local only when `localOnly`. */
  list(localOnly?: boolean): string[];
  /** "tensor", "empty", "counter", "timer", "stringList", … */
  kind(name: string): string;
  remove(name: string): boolean;
  /** A child workspace (reads/writes the parent's blobs, keeps its own). */
  createChild(): NativeWorkspace;
  /**
   * Runs the plan on native threads. Rejects with the first op error, HOGWILD_ABORTED after cancel,
   * HOGWILD_DISPOSED when the workspace is disposed meanwhile, or what onReport threw.
   * Settles only once every native thread of the run is done with the workspace.
   */
  run(plan: NativePlan, cancel: NativeCancel, onReport?: ((r: Report) => void) | null): Promise<void>;
  /** Object kinds (counters, cursors…) encoded as a tensor for checkpoints; null when the kind cannot be saved. */
  serializeBlob(name: string): TensorData | null;
  /** Restores a blob of `kind` from its encoded tensor ("tensor" stores the tensor itself). */
  deserializeBlob(name: string, kind: string, tensor: TensorData): void;
  /** Frees the workspace; later calls throw HOGWILD_DISPOSED. Rejects pending runs after cancelling them. */
  dispose(): void;
  readonly disposed: boolean;
}

export interface CoreBinding {
  createWorkspace(): NativeWorkspace;
  /** Validates and copies a plan (throws HOGWILD_INVALID_PLAN / HOGWILD_UNKNOWN_OP…). */
  compilePlan(plan: PlanDef): NativePlan;
  createCancel(): NativeCancel;
  /** Gradient ops of one forward op given its output gradient names ("" = none). */
  /** `wanted[i]`: whether input i's gradient is needed (omitted: all); unwanted ones get kind 'none' and no ops. */
  gradientFor(op: OpDef, outputGrads: string[], wanted?: boolean[]): { ops: OpDef[]; inputs: GradientSpec[] };
  opTypes(): string[];
  opSchema(type: string): OpSchemaInfo | null;
  /** Cancels and joins every native thread of this environment (process exit). */
  shutdownSync(): void;
}
