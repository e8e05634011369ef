import { native } from '../native/binding.js';
import type { NativePlan, PlanDef } from '../native/coreTypes.js';
import { callNative } from './errors.js';
import { checkPlanDef } from './validatePlan.js';

/**
 * A plan checked and copied into native memory, ready to run many times (an
 * epoch plan runs once per epoch). Later changes to the plan data do not
 * affect it.
 */
export class CompiledPlan {
  /** @internal */
  readonly _native: NativePlan;
  readonly name: string;

  /** @internal */
  constructor(nativePlan: NativePlan) {
    this._native = nativePlan;
    this.name = nativePlan.name;
  }
}

/**
 * Checks a plan (docs/caffe2.md §1.3: nets, steps, substeps, iteration and
 * concurrency fields) and compiles it. Unknown ops, unknown arguments and
 * malformed steps fail here, before anything runs.
 *
 * @throws InvalidArgumentError, PlanError (HOGWILD_UNKNOWN_OP, HOGWILD_UNKNOWN_ARGUMENT, HOGWILD_INVALID_PLAN)
 * @example
 * const plan = compilePlan({
 *   name: 'init',
 *   nets: [{ name: 'fill', ops: [{ type: 'ConstantFill', inputs: [], outputs: ['w'], args: { shape: [4], value: 1 } }] }],
 *   steps: [{ name: 'init', nets: ['fill'] }],
 * });
 */
export function compilePlan(def: PlanDef): CompiledPlan {
  checkPlanDef(def);
  return new CompiledPlan(callNative(() => native().compilePlan(def)));
}
