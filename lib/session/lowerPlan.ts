/**
 * Turns a step tree into plain plan data (docs/caffe2.md §1.3): nets snapshotted
 * by object (a net used twice is listed once), net names made unique within
 * the plan, and the blobs the plan reads without writing them.
 */
import type { NetDef, OpDef, PlanDef, StepDef } from '../native/coreTypes.js';
import { blobName } from '../net/BlobReference.js';
import type { ExecutionStep } from '../net/ExecutionStep.js';
import type { Net } from '../net/Net.js';

/** Where a blob read by a plan is first read. */
export interface BlobUse {
  net: string;
  index: number;
  type: string;
}

export interface LoweredPlan {
  def: PlanDef;
  /** Blobs read (or used as stop blobs) that no op of the plan writes, with their first reader. */
  externalInputs: Map<string, BlobUse | { step: string }>;
  /** Every blob some op of the plan writes. */
  producedBlobs: Set<string>;
}

export function lowerPlan(name: string, steps: readonly ExecutionStep[], reservedNetNames: readonly string[] = []): LoweredPlan {
  const nets: NetDef[] = [];
  const byNet = new Map<Net, string>();
  const used = new Set<string>(reservedNetNames);
  const stopBlobs: [string, string][] = [];

  const netName = (net: Net): string => {
    let n = byNet.get(net);
    if (n !== undefined) return n;
    n = net.name;
    for (let k = 2; used.has(n); k++) n = `${net.name}#${k}`;
    used.add(n);
    byNet.set(net, n);
    nets.push({ name: n, ops: net.proto().ops });
    return n;
  };

  const convert = (step: ExecutionStep): StepDef => {
    const o = step.options;
    const sd: StepDef = { name: step.name };
    if (step.hasNets()) sd.nets = step.nets().map(netName);
    if (step.hasSubsteps()) sd.substeps = step.substeps().map(convert);
    if (o.numIter !== undefined) sd.numIter = o.numIter;
    if (o.shouldStopBlob !== undefined) {
      sd.shouldStopBlob = blobName(o.shouldStopBlob);
      stopBlobs.push([sd.shouldStopBlob, step.name]);
    }
    if (o.onlyOnce) sd.onlyOnce = true;
    if (o.concurrentSubsteps) sd.concurrentSubsteps = true;
    if (o.numConcurrentInstances !== undefined && o.numConcurrentInstances > 1) sd.numConcurrentInstances = o.numConcurrentInstances;
    if (o.createWorkspace) sd.createWorkspace = true;
    if (o.runEveryMs) sd.runEveryMs = o.runEveryMs;
    if (o.reportBlobs && o.reportBlobs.length > 0) sd.reportBlobs = o.reportBlobs.map(blobName);
    return sd;
  };

  const def: PlanDef = { name, nets, steps: steps.map(convert) };
  const { external: reads, produced } = dataflow(nets);
  const external = new Map<string, BlobUse | { step: string }>(reads);
  for (const [blob, step] of stopBlobs) if (!produced.has(blob) && !external.has(blob)) external.set(blob, { step });
  return { def, externalInputs: external, producedBlobs: produced };
}

/** Blobs read but never written by `nets`, and every written blob. */
export function dataflow(nets: readonly NetDef[]): { external: Map<string, BlobUse>; produced: Set<string> } {
  const produced = new Set<string>();
  for (const n of nets) for (const op of n.ops) for (const o of op.outputs) produced.add(o);
  const external = new Map<string, BlobUse>();
  for (const n of nets) {
    n.ops.forEach((op: OpDef, index) => {
      for (const i of op.inputs) if (!produced.has(i) && !external.has(i)) external.set(i, { net: n.name, index, type: op.type });
    });
  }
  return { external, produced };
}

/** "op #2 (FC) of net 'train'" or "the stop blob of step 'x'". */
export function describeUse(use: BlobUse | { step: string }): string {
  return 'step' in use ? `the stop blob of step '${use.step}'` : `op #${use.index} (${use.type}) of net '${use.net}'`;
}
