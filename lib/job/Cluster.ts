import { inspect } from 'node:util';

import { currentOf, ManagedContext, registerContext, type CurrentOptions } from '../context/ManagedContext.js';
import type { Node } from './Node.js';

/**
 * Keeps track of the node names used while it is active (docs/caffe2.md §3.1).
 * A default Cluster exists, so most code never creates one; wrapping building
 * code in a Cluster isolates node bookkeeping.
 *
 * @example
 * const cluster = new Cluster();
 * cluster.scope(() => { new Node('trainer_0'); });
 * cluster.nodes(); // ['trainer_0']
 */
export class Cluster extends ManagedContext {
  private readonly _nodes: string[] = [];
  private readonly _nodeKwargs = new Map<string, Record<string, unknown>>();

  /** The active Cluster, or the process default one. */
  static current(value?: Cluster | null, options?: CurrentOptions & { required?: true }): Cluster;
  static current(value: Cluster | null | undefined, options: CurrentOptions): Cluster | undefined;
  static current(value?: Cluster | null, options?: CurrentOptions): Cluster | undefined {
    return currentOf(Cluster, value, options);
  }

  /** Registers a node name; its kwargs override the stored ones. */
  addNode(node: Node): void {
    const name = String(node);
    if (!this._nodes.includes(name)) this._nodes.push(name);
    this._nodeKwargs.set(name, { ...this._nodeKwargs.get(name), ...node.kwargs() });
  }

  /** Distinct node names, in order of first use. */
  nodes(): string[] {
    return [...this._nodes];
  }

  nodeKwargs(): Record<string, Record<string, unknown>> {
    return Object.fromEntries(this._nodeKwargs);
  }

  [inspect.custom](): string {
    return this.toString();
  }

  override toString(): string {
    return `Cluster(nodes=${JSON.stringify(this._nodes)}, node_kwargs=${JSON.stringify(this.nodeKwargs())})`;
  }
}

let defaultCluster: Cluster | undefined;
registerContext(Cluster, { fallback: () => (defaultCluster ??= new Cluster()) });
