import type { ExecutionStep } from './ExecutionStep.js';
import { toExecutionStep, type StepsOrNets } from './ExecutionStep.js';

/**
 * A list of top-level steps run in sequence (docs/caffe2.md §1.3). Sessions accept
 * a Plan as a runnable; empty steps are dropped, as in Caffe2.
 *
 * @example
 * const plan = new Plan('name');
 * plan.addStep(toExecutionStep(builder));
 * await session.run(plan);
 */
export class Plan {
  private readonly _steps: ExecutionStep[] = [];

  constructor(readonly name: string) {}

  addStep(step: StepsOrNets): this {
    const s = toExecutionStep(step as Parameters<typeof toExecutionStep>[0]);
    if (!s.isEmpty()) this._steps.push(s);
    return this;
  }

  steps(): readonly ExecutionStep[] {
    return this._steps;
  }
}
