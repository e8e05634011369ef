// Running plans against workspaces: the layer LocalSession builds on.
export { CompiledPlan, compilePlan } from './CompiledPlan.js';
export { Workspace, type RunOptions, type TensorInput } from './Workspace.js';
export { limits as planLimits } from './validatePlan.js';
export type { PlanDef, NetDef, OpDef, StepDef, Report, TensorData, DType, TypedArray } from '../native/coreTypes.js';
