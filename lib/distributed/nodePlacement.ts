/**
 * Caffe2 Nodes as processes. A job whose tasks are placed on Nodes runs one
 * node per rank: rank R runs the tasks of the job's R-th node (its position in
 * the Cluster the job was built in, or else in order of first use: init group
 * first), in a workspace of its own, and evaluates only that node's stop
 * conditions (the DistributedJobRunner ORs them over the ranks). A job with no
 * placement (every task on 'local') runs whole on every rank.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { Cluster } from '../job/Cluster.js';
import type { Job } from '../job/Job.js';
import type { StopCondition } from '../job/stopCondition.js';
import { Task } from '../job/Task.js';
import type { TaskGroup } from '../job/TaskGroup.js';
import { TaskOutput } from '../job/TaskOutput.js';
import { LocalSession } from '../session/LocalSession.js';

/** The job's node names, in rank order: the cluster's if given, else in order of first use over its groups. */
export function jobNodes(job: Job, cluster?: Cluster): string[] {
  if (cluster) return cluster.nodes();
  const out: string[] = [];
  for (const g of job.groups()) for (const n of g.usedNodes()) if (!out.includes(n)) out.push(n);
  return out;
}

/**
 * The node rank `rank` of `size` runs, or undefined when the job has no
 * placement (only the 'local' node). A placed job needs one rank per node.
 */
export function nodeOfRank(job: Job, rank: number, size: number, cluster?: Cluster): string | undefined {
  const nodes = jobNodes(job, cluster);
  if (nodes.length === 0 || (nodes.length === 1 && nodes[0] === 'local')) return undefined;
  if (nodes.length !== size)
    throw new InvalidArgumentError(
      `Expected one rank per node of the job (nodes ${nodes.join(', ')}) but it was launched on ${size} rank${size === 1 ? '' : 's'}: launch it with --nodes ${nodes.length}`,
      'HOGWILD_NODE_COUNT_MISMATCH',
    );
  return nodes[rank];
}

const sessionClasses = new Map<string, typeof LocalSession>();

/** A LocalSession that runs only the tasks placed on `node` (compiled once per node name). */
export function nodeSession(node: string): LocalSession {
  let cls = sessionClasses.get(node);
  if (!cls) {
    cls = class NodeSession extends LocalSession {
      protected static override _taskOf(tg: TaskGroup): Task {
        return new Cluster().scope(() => tg.tasksByNode().tasks().find((t) => t.node === node) ?? new Task({ group: null }));
      }
    };
    sessionClasses.set(node, cls);
  }
  return new cls();
}

/** The job's stop conditions without the task outputs of other nodes' tasks (never run on this rank). */
export function stopConditionsOfNode(job: Job, node: string): StopCondition[] {
  const owner = new Map<TaskOutput, string>();
  for (const g of job.groups()) for (const t of g.tasks()) for (const o of t.outputs()) owner.set(o, t.node);
  return job.stopConditions.filter((c) => !(c instanceof TaskOutput) || (owner.get(c) ?? node) === node);
}
