/**
 * Checkpoints of several nodes (docs/caffe2.md §6.4): one CheckpointManager per
 * node (without a metadata handler; only this manager talks to it). Node
 * actions run one after another, in node order.
 */
import { debuglog } from 'node:util';

import { ContextError, InvalidArgumentError } from '../errors/index.js';
import { checkStrings, checkOptions } from '../runtime/validate.js';
import type {
  AsyncSaveAction,
  CheckpointManagerApi,
  CheckpointMetadataHandler,
  CheckpointPathOptions,
} from '../session/checkpointApi.js';
import type { Session } from '../session/Session.js';
import { CheckpointManager, type CheckpointFn, type CheckpointManagerOptions } from './CheckpointManager.js';
import { newestValidEpoch } from './epochs.js';
import { CheckpointManagerBase } from './CheckpointManagerBase.js';
import { DEFAULT_DB_TYPE } from './naming.js';

const log = debuglog('hogwild:checkpoint');

function sameNodes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class MultiNodeCheckpointManager extends CheckpointManagerBase implements CheckpointManagerApi {
  private readonly _options: CheckpointManagerOptions;
  private _nodeManagers: [string, CheckpointManager][] | undefined;
  private _nodeNames: string[] | undefined;

  constructor(dbPrefix: string, dbType: string = DEFAULT_DB_TYPE, metadataHandler?: CheckpointMetadataHandler, options: CheckpointManagerOptions = {}) {
    super(dbPrefix, dbType, metadataHandler);
    this._options = { ...checkOptions(options, 'MultiNodeCheckpointManager options', ['maxToKeep']) };
  }

  /** `[node, manager]` pairs, in node order (Caffe2's `_node_managers`); undefined before init. */
  get nodeManagers(): readonly (readonly [string, CheckpointManager])[] | undefined {
    return this._nodeManagers;
  }

  /**
   * Creates one manager per node on the first call; every call returns the
   * action running each node's init. (Caffe2 returned an empty group on later
   * calls and kept the first lists even for another retrieveFromEpoch; here a
   * later call re-initializes, with the same nodes only.)
   */
  init(nodes: readonly string[], options: CheckpointPathOptions & { retrieveFromEpoch?: number } = {}): CheckpointFn {
    const names = this._useNodes(nodes);
    const actions = this._managers().map(([, m]) => m.init(undefined, options));
    log('init %s nodes %o', options.retrieveFromEpoch === undefined ? 'fresh' : `from epoch ${options.retrieveFromEpoch}`, names);
    return this._sequence(actions);
  }

  load(epoch: number, options: CheckpointPathOptions = {}): CheckpointFn {
    return this._sequence(this._managers().map(([, m]) => m.load(epoch, options)));
  }

  save(epoch: number): CheckpointFn {
    return this._sequence(this._managers().map(([, m]) => m.save(epoch)));
  }

  /** save(), asynchronously (JobRunner's `asyncSave`): every node snapshotted in turn, written in the background; `written` settles when all committed. */
  saveAsync(epoch: number): AsyncSaveAction {
    const actions = this._managers().map(([, m]) => m.saveAsync(epoch));
    return async (session, options) => {
      const written: Promise<void>[] = [];
      try {
        for (const a of actions) written.push((await a(session, options)).written);
      } catch (err) {
        await Promise.allSettled(written); // nothing left running behind a failed snapshot
        throw err;
      }
      return { written: Promise.all(written).then(() => undefined) };
    };
  }

  /**
   * Loads `blobNames` from each node's checkpoint of `epoch`, node by node.
   * Returns false as soon as a node's file is missing ("DB … does not exist!");
   * the nodes before it stay loaded. Needs no init.
   */
  async loadBlobsLocally(nodes: readonly string[], blobNames: readonly string[], epoch: number, session: Session): Promise<boolean> {
    const names = checkStrings(blobNames, 'blobNames');
    if (this._nodeManagers === undefined) this._useNodes(nodes);
    else if (!sameNodes(nodes.map(String), this._nodeNames!)) {
      throw new InvalidArgumentError(`Expected the nodes of the first init (${this._nodeNames!.join(', ')}) but received ${nodes.join(', ')}`);
    }
    for (const [node, m] of this._managers()) {
      const exists = m.checkDbExists(epoch);
      await exists(session, {});
      if (!exists.fetch()) {
        log('DB %s does not exist!', m.dbName(epoch));
        return false;
      }
      await m.loadBlobsFromCheckpoint(names, epoch)(session, {});
      log('loaded %o from node %s epoch %d', names, node, epoch);
    }
    return true;
  }

  /** The DB name of `nodeName`'s checkpoint of `epoch`; undefined when no manager has that node. */
  getCkptDbName(nodeName: string, epoch: number): string | undefined {
    const m = this._nodeManagers?.find(([n]) => n === nodeName)?.[1];
    return m?.dbName(epoch);
  }

  /** Merges every node's stats (keyed by DB name) and reports them to the handler. */
  async reportCheckpointStats(actionName: string): Promise<void> {
    const stats: Record<string, number> = {};
    for (const [, m] of this._nodeManagers ?? []) m.collectCheckpointStats(stats);
    await this._reportStats(actionName, stats);
  }

  /** The newest epoch whose checkpoints validate for every node (nodes from setParams or init), or undefined. */
  async latestValidEpoch(): Promise<number | undefined> {
    const nodes = this._nodeNames;
    if (!nodes || nodes.length === 0) {
      throw new ContextError('HOGWILD_CHECKPOINT_NOT_INITIALIZED', "Expected setParams or init before resolving 'latest' on a MultiNodeCheckpointManager");
    }
    return newestValidEpoch(nodes.map((n) => new CheckpointManager(this.dbPrefix, n, this.dbType, undefined, this._options)));
  }

  async setParams(nodes: readonly string[], options: CheckpointPathOptions = {}): Promise<void> {
    this._nodeNames = nodes.map(String);
    await this._setHandlerParams(this._nodeNames, options);
  }

  /** Creates the node managers on first use; later, the nodes must be the same. */
  private _useNodes(nodes: readonly string[]): string[] {
    if (!Array.isArray(nodes)) throw new InvalidArgumentError(`Expected an array of node names for nodes but received ${String(nodes)}`);
    const names = nodes.map(String);
    if (this._nodeManagers === undefined) {
      this._nodeManagers = names.map((n) => [n, new CheckpointManager(this.dbPrefix, n, this.dbType, undefined, this._options)]);
      this._nodeNames = names;
    } else if (!sameNodes(names, this._nodeManagers.map(([n]) => n))) {
      throw new InvalidArgumentError(
        `Expected the nodes of the first init (${this._nodeManagers.map(([n]) => n).join(', ')}) but received ${names.join(', ')}`,
      );
    }
    return names;
  }

  private _managers(): [string, CheckpointManager][] {
    if (!this._nodeManagers) throw new ContextError('HOGWILD_CHECKPOINT_NOT_INITIALIZED', 'init must be called first.');
    return this._nodeManagers;
  }

  private _sequence(actions: CheckpointFn[]): CheckpointFn {
    return async (session: Session, options: { signal?: AbortSignal } = {}) => {
      for (const a of actions) {
        options.signal?.throwIfAborted();
        await a(session, options);
      }
    };
  }
}
