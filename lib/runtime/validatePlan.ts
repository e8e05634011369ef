/**
 * Checks plan data before it crosses into native code, with the same paths
 * and wording as the native check ("plan.steps[0].numIter").
 */
import type { ArgValue, OpDef, PlanDef, StepDef } from '../native/coreTypes.js';
import {
  checkArray,
  checkBoolean,
  checkInteger,
  checkObject,
  checkString,
  checkStrings,
  expected,
} from './validate.js';

/** Limits shared with native/exec/executor.h. */
export const limits = {
  maxStepDepth: 64,
  maxConcurrentThreads: 1024,
  maxRunEveryMs: 2 ** 31,
} as const;

function checkArg(value: unknown, name: string): ArgValue {
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw expected('a number', name, value);
    return value;
  }
  if (Array.isArray(value)) {
    const strings = typeof value[0] === 'string';
    value.forEach((v, i) => {
      if (strings) checkString(v, `${name}[${i}]`);
      else if (typeof v !== 'number' || Number.isNaN(v)) throw expected('a number', `${name}[${i}]`, v);
    });
    return value as ArgValue;
  }
  throw expected('a number, string, boolean or array', name, value);
}

export function checkOpDef(value: unknown, name: string): OpDef {
  const o = checkObject(value, name);
  checkString(o.type, `${name}.type`, { nonEmpty: true });
  checkStrings(o.inputs, `${name}.inputs`);
  checkStrings(o.outputs, `${name}.outputs`);
  if (o.name !== undefined) checkString(o.name, `${name}.name`);
  if (o.args !== undefined) {
    const args = checkObject(o.args, `${name}.args`);
    for (const [k, v] of Object.entries(args)) if (v !== undefined) checkArg(v, `${name}.args.${k}`);
  }
  return value as OpDef;
}

function checkStep(value: unknown, name: string, depth: number): void {
  if (depth > limits.maxStepDepth) {
    throw expected(`steps nested at most ${limits.maxStepDepth} deep`, name, value, 'HOGWILD_INVALID_PLAN');
  }
  const s = checkObject(value, name) as Partial<Record<keyof StepDef, unknown>>;
  if (s.name !== undefined) checkString(s.name, `${name}.name`);
  if (s.nets !== undefined) checkStrings(s.nets, `${name}.nets`);
  if (s.substeps !== undefined) {
    checkArray(s.substeps, `${name}.substeps`).forEach((sub, i) => checkStep(sub, `${name}.substeps[${i}]`, depth + 1));
  }
  if (s.numIter !== undefined) checkInteger(s.numIter, `${name}.numIter`, 0);
  if (s.shouldStopBlob !== undefined) checkString(s.shouldStopBlob, `${name}.shouldStopBlob`, { nonEmpty: true });
  if (s.onlyOnce !== undefined) checkBoolean(s.onlyOnce, `${name}.onlyOnce`);
  if (s.concurrentSubsteps !== undefined) checkBoolean(s.concurrentSubsteps, `${name}.concurrentSubsteps`);
  if (s.numConcurrentInstances !== undefined) {
    checkInteger(s.numConcurrentInstances, `${name}.numConcurrentInstances`, 1, limits.maxConcurrentThreads);
  }
  if (s.createWorkspace !== undefined) checkBoolean(s.createWorkspace, `${name}.createWorkspace`);
  if (s.runEveryMs !== undefined) checkInteger(s.runEveryMs, `${name}.runEveryMs`, 0, limits.maxRunEveryMs);
  if (s.reportBlobs !== undefined) checkStrings(s.reportBlobs, `${name}.reportBlobs`);
}

/** Throws InvalidArgumentError naming the first bad field. */
export function checkPlanDef(value: unknown): PlanDef {
  const p = checkObject(value, 'plan');
  checkString(p.name, 'plan.name');
  checkArray(p.nets, 'plan.nets').forEach((n, i) => {
    const net = checkObject(n, `plan.nets[${i}]`);
    checkString(net.name, `plan.nets[${i}].name`, { nonEmpty: true });
    checkArray(net.ops, `plan.nets[${i}].ops`).forEach((op, j) => checkOpDef(op, `plan.nets[${i}].ops[${j}]`));
  });
  checkArray(p.steps, 'plan.steps').forEach((s, i) => checkStep(s, `plan.steps[${i}]`, 1));
  return value as PlanDef;
}
