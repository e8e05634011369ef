/**
 * Gathering setup hooks from nets and wrapping steps with them (docs/caffe2.md §3.6).
 */
import { PlanError } from '../errors/index.js';
import { executionStep, ExecutionStep } from '../net/ExecutionStep.js';
import type { NameRegistry } from '../net/NameRegistry.js';
import { Net } from '../net/Net.js';

type Hook = {
  _setupUsed?: boolean;
  _setupTarget?: unknown;
  setup?: (net: Net) => unknown;
  exit?: (net: Net) => unknown;
};

function collect(into: (Net | ExecutionStep)[], got: unknown): void {
  if (got === undefined || got === null) return;
  const list = Array.isArray(got) ? got : [got];
  for (const x of list) {
    if (x instanceof Net || x instanceof ExecutionStep) into.push(x);
    else throw new PlanError('HOGWILD_INVALID_PLAN', `Expected a Net or ExecutionStep from a setup hook but received ${String(x)}`);
  }
}

/**
 * Init and exit nets/steps of every not-yet-used hook stored under `key` on the
 * nets of `stepsOrNets`. Each hook runs once per target.
 */
export function getSetupNets(
  key: string,
  stepsOrNets: readonly (Net | ExecutionStep)[],
  target: unknown,
  names?: NameRegistry,
): { init: (Net | ExecutionStep)[]; exit: (Net | ExecutionStep)[] } {
  const initNet = new Net(`${key}/init`, { names, builderPrefix: false });
  const exitNet = new Net(`${key}/exit`, { names, builderPrefix: false });
  const init: (Net | ExecutionStep)[] = [];
  const exit: (Net | ExecutionStep)[] = [];
  const objs: Hook[] = [];
  for (const s of stepsOrNets) {
    objs.push(...((s instanceof ExecutionStep ? s.getAllAttributes(key) : s.getAttributes(key)) as Hook[]));
  }
  for (const obj of objs) {
    if (obj._setupUsed) continue;
    if (obj._setupTarget !== undefined && obj._setupTarget !== target) continue;
    if (typeof obj.setup === 'function') {
      collect(init, obj.setup(initNet));
      obj._setupUsed = true;
    }
    if (typeof obj.exit === 'function') {
      collect(exit, obj.exit(exitNet));
      obj._setupUsed = true;
    }
  }
  if (initNet.ops.length > 0) init.unshift(initNet);
  if (exitNet.ops.length > 0) exit.unshift(exitNet);
  return { init, exit };
}

/** `step` unchanged without hooks, else `name` = [name:init]? → step → [name:exit]?. */
export function addSetupSteps(
  step: ExecutionStep,
  init: readonly (Net | ExecutionStep)[],
  exit: readonly (Net | ExecutionStep)[],
  name: string,
): ExecutionStep {
  if (init.length === 0 && exit.length === 0) return step;
  const steps: ExecutionStep[] = [];
  if (init.length > 0) steps.push(executionStep(`${name}:init`, init));
  steps.push(step);
  if (exit.length > 0) steps.push(executionStep(`${name}:exit`, exit));
  return executionStep(name, steps);
}
