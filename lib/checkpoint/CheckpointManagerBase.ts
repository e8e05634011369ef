/**
 * What CheckpointManager and MultiNodeCheckpointManager share, written once so
 * the two cannot drift apart: the constructor checks, the metadata handler
 * calls and the epoch to resume from (lib/checkpoint/epochs.ts). Each manager
 * says which epoch is the newest valid one for its node(s).
 */
import { InvalidArgumentError } from '../errors/index.js';
import { describeValue } from '../runtime/validate.js';
import type { CheckpointMetadataHandler, CheckpointPathOptions } from '../session/checkpointApi.js';
import { resolveResumeEpoch, type ResumeEpoch } from './epochs.js';
import { checkDbType } from './naming.js';

/** Base of both checkpoint managers: metadata-handler calls and the epoch to resume from. */
export abstract class CheckpointManagerBase {
  readonly dbPrefix: string;
  readonly dbType: string;
  readonly metadataHandler: CheckpointMetadataHandler | undefined;
  private _pathPrefix: string | undefined;
  private _pathType: string | undefined;

  constructor(dbPrefix: string, dbType: string, metadataHandler: CheckpointMetadataHandler | undefined) {
    if (typeof dbPrefix !== 'string') throw new InvalidArgumentError(`Expected a string for dbPrefix but received ${describeValue(dbPrefix)}`);
    this.dbPrefix = dbPrefix;
    this.dbType = checkDbType(dbType);
    this.metadataHandler = metadataHandler;
  }

  /** The newest epoch whose checkpoint validates completely for this manager's node(s), or undefined. */
  abstract latestValidEpoch(): Promise<number | undefined>;

  /**
   * The epoch to resume from: `userEpoch` (an integer ≥ 0), or 'latest'
   * resolved by latestValidEpoch (undefined when nothing validates), then
   * passed through the metadata handler's lastEpoch.
   */
  async getResumeFromEpochId(userEpoch?: ResumeEpoch): Promise<number | undefined> {
    return resolveResumeEpoch(userEpoch, () => this.latestValidEpoch(), this.metadataHandler);
  }

  /** Tells the metadata handler, if any, that the checkpoint of `epoch` was saved. */
  async writeCheckpointMetadata(epoch: number): Promise<void> {
    if (this.metadataHandler) await this.metadataHandler.write(epoch);
  }

  /** Whether the checkpoint location is reachable (the handler's answer; true without one). */
  async cpAccessible(epoch?: number): Promise<boolean> {
    if (this.metadataHandler) return this.metadataHandler.cpAccessible(epoch);
    return true;
  }

  /** Hands `stats` (DB name → duration in ns) to the metadata handler. */
  protected async _reportStats(actionName: string, stats: Record<string, number>): Promise<void> {
    if (this.metadataHandler) await this.metadataHandler.report(actionName, stats);
  }

  /** Keeps the path options (later ones replace earlier ones) and tells the handler. */
  protected async _setHandlerParams(nodeNames: readonly string[], options: CheckpointPathOptions): Promise<void> {
    if (options.pathPrefix) this._pathPrefix = options.pathPrefix;
    if (options.pathType) this._pathType = options.pathType;
    if (!this.metadataHandler) return;
    await this.metadataHandler.setParams({
      dbPrefix: this.dbPrefix,
      dbType: this.dbType,
      nodeNames,
      ...(this._pathPrefix === undefined ? {} : { pathPrefix: this._pathPrefix }),
      ...(this._pathType === undefined ? {} : { pathType: this._pathType }),
    });
  }
}
