/**
 * Checkpoints of several nodes (CAFFE2.md §6.4): one CheckpointManager per
 * node (without a metadata handler; only this manager talks to it). Node
 * actions run one after another, in node order.
 */
import { debuglog } from 'node:util';

import { ContextError, InvalidArgumentError } from '../errors/index.js';
import { checkStrings, checkOptions } from '../runtime/validate.js';
import type {
  CheckpointManagerApi,
  CheckpointMetadataHandler,
  CheckpointPathOptions,
} from '../session/checkpointApi.js';
import type { Session } from '../session/Session.js';
import { CheckpointManager, type CheckpointFn, type CheckpointManagerOptions, type ResumeEpoch } from './CheckpointManager.js';
import { isValidCheckpoint, listCheckpointEpochs } from './files.js';
import { checkDbType, DEFAULT_DB_TYPE } from './naming.js';

const log = debuglog('hogwild:checkpoint');

function sameNodes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class MultiNodeCheckpointManager implements CheckpointManagerApi {
  readonly dbPrefix: string;
  readonly dbType: string;
  readonly metadataHandler: CheckpointMetadataHandler | undefined;
  private readonly _options: CheckpointManagerOptions;
  private _nodeManagers: [string, CheckpointManager][] | undefined;
  private _nodeNames: string[] | undefined;
  private _pathPrefix: string | undefined;
  private _pathType: string | undefined;

  constructor(dbPrefix: string, dbType: string = DEFAULT_DB_TYPE, metadataHandler?: CheckpointMetadataHandler, options: CheckpointManagerOptions = {}) {
    if (typeof dbPrefix !== 'string') throw new InvalidArgumentError(`Expected a string for dbPrefix but received ${String(dbPrefix)}`);
    this.dbPrefix = dbPrefix;
    this.dbType = checkDbType(dbType);
    this.metadataHandler = metadataHandler;
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
    if (this.metadataHandler) await this.metadataHandler.report(actionName, stats);
  }

  async writeCheckpointMetadata(epoch: number): Promise<void> {
    if (this.metadataHandler) await this.metadataHandler.write(epoch);
  }

  /**
   * `userEpoch` through the handler's lastEpoch; 'latest' first becomes the
   * newest epoch whose checkpoint validates for every node (nodes from
   * setParams or init).
   */
  async getResumeFromEpochId(userEpoch?: ResumeEpoch): Promise<number | undefined> {
    let epoch: number | undefined;
    if (userEpoch === 'latest') epoch = await this.latestValidEpoch();
    else if (userEpoch !== undefined && userEpoch !== null) epoch = userEpoch;
    if (this.metadataHandler) return (await this.metadataHandler.lastEpoch(epoch)) ?? undefined;
    return epoch;
  }

  /** The newest epoch whose checkpoints validate for every node, or undefined. */
  async latestValidEpoch(): Promise<number | undefined> {
    const nodes = this._nodeNames;
    if (!nodes || nodes.length === 0) {
      throw new ContextError('HOGWILD_CHECKPOINT_NOT_INITIALIZED', "Expected setParams or init before resolving 'latest' on a MultiNodeCheckpointManager");
    }
    const managers = nodes.map((n) => new CheckpointManager(this.dbPrefix, n, this.dbType, undefined, this._options));
    let candidates = listCheckpointEpochs(managers[0]!.directory, nodes[0]!);
    for (const m of managers.slice(1)) {
      const have = new Set(listCheckpointEpochs(m.directory, m.nodeName));
      candidates = candidates.filter((e) => have.has(e));
    }
    for (const epoch of candidates) {
      let ok = true;
      for (const m of managers) {
        if (!(await isValidCheckpoint(m.dbName(epoch), { epoch, node: m.nodeName }))) {
          ok = false;
          break;
        }
      }
      if (ok) return epoch;
    }
    return undefined;
  }

  async setParams(nodes: readonly string[], options: CheckpointPathOptions = {}): Promise<void> {
    this._nodeNames = nodes.map(String);
    if (options.pathPrefix) this._pathPrefix = options.pathPrefix;
    if (options.pathType) this._pathType = options.pathType;
    if (this.metadataHandler) {
      await this.metadataHandler.setParams({
        dbPrefix: this.dbPrefix,
        dbType: this.dbType,
        nodeNames: this._nodeNames,
        ...(this._pathPrefix === undefined ? {} : { pathPrefix: this._pathPrefix }),
        ...(this._pathType === undefined ? {} : { pathType: this._pathType }),
      });
    }
  }

  async cpAccessible(epoch?: number): Promise<boolean> {
    if (this.metadataHandler) return this.metadataHandler.cpAccessible(epoch);
    return true;
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
