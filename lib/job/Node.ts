import { inspect } from 'node:util';

import { checkNodeName, checkObject } from '../runtime/validate.js';
import { Cluster } from './Cluster.js';
import { currentOf, ManagedContext, registerContext, type CurrentOptions } from '../context/ManagedContext.js';

/**
 * Names the node that Tasks created inside it run on (docs/caffe2.md §3.2). Only the
 * name counts: two Node objects with one name are the same node. The default
 * node is `'local'`.
 *
 * @example
 * new Node('trainer_0').scope(() => new Task({ name: 'train' })); // task 'trainer_0/train'
 */
export class Node extends ManagedContext {
  private readonly _name: string;
  private readonly _kwargs: Record<string, unknown>;

  constructor(node: string | Node = 'local', kwargs: Record<string, unknown> = {}) {
    super();
    // The name becomes a checkpoint file name: refuse here, not inside train().
    this._name = node instanceof Node ? node.name : checkNodeName(node, 'node');
    this._kwargs = { ...checkObject(kwargs, 'kwargs') };
    Cluster.current().addNode(this);
  }

  /** The active Node, or a default `Node('local')`. */
  static current(value?: Node | null, options?: CurrentOptions & { required?: true }): Node;
  static current(value: Node | null | undefined, options: CurrentOptions): Node | undefined;
  static current(value?: Node | null, options?: CurrentOptions): Node | undefined {
    return currentOf(Node, value, options);
  }

  get name(): string {
    return this._name;
  }

  kwargs(): Record<string, unknown> {
    return { ...this._kwargs };
  }

  override toString(): string {
    return this._name;
  }

  /** Caffe2's repr: `Node(name=local, kwargs={})`. */
  [inspect.custom](): string {
    return `Node(name=${this._name}, kwargs=${JSON.stringify(this._kwargs)})`;
  }
}

const defaults = new WeakMap<Cluster, Node>();
registerContext(Node, {
  fallback: () => {
    const cluster = Cluster.current();
    let node = defaults.get(cluster);
    if (!node) {
      node = new Node('local');
      defaults.set(cluster, node);
    }
    return node;
  },
});
