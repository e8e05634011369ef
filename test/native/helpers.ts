// Shared by the test/native suites: plan builders over real ops, and the
// addon path for child processes and workers (which load it without the TS facade).
import { join } from 'node:path';

import type { NetDef, OpDef, PlanDef, StepDef } from '../../lib/native/coreTypes.js';

export const root = join(import.meta.dirname, '..', '..');
export const fixtures = join(import.meta.dirname, 'fixtures');
/** What lib/native/binding.ts loads: HOGWILD_NATIVE_PATH, else build/Release. */
export const addonPath = process.env.HOGWILD_NATIVE_PATH ?? join(root, 'build', 'Release', 'hogwild.node');

export const op = (type: string, inputs: string[], outputs: string[], args?: OpDef['args']): OpDef => ({
  type,
  inputs,
  outputs,
  ...(args ? { args } : {}),
});
export const net = (name: string, ...ops: OpDef[]): NetDef => ({ name, ops });
export const sleep = (ms: number): OpDef => op('Sleep', [], [], { ms });
export const plan = (name: string, nets: NetDef[], steps: StepDef[]): PlanDef => ({ name, nets, steps });

/** One net, one step. */
export function simplePlan(name: string, ops: OpDef[], step: Partial<StepDef> = {}): PlanDef {
  return plan(name, [net(`${name}/net`, ...ops)], [{ name, nets: [`${name}/net`], ...step }]);
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function scalar(ws: { fetch(name: string): { data: ArrayLike<number | bigint> } }, name: string): number {
  return Number(ws.fetch(name).data[0]);
}

export function values(ws: { fetch(name: string): { data: ArrayLike<number | bigint> } }, name: string): number[] {
  return Array.from(ws.fetch(name).data as ArrayLike<number | bigint>, Number);
}
