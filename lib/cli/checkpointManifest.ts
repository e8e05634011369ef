/**
 * The CLI's record of the checkpoints it wrote in a directory
 * (`<node>.manifest.json`, replaced atomically). The CLI deletes and
 * overwrites only checkpoints listed here, so a file it did not write —
 * notes named `fasttext.7`, another tool's checkpoints — is never touched,
 * and `-resume` picks among this run's checkpoints only.
 *
 * A fresh start (no -resume) does not delete the earlier run's checkpoints
 * up front: they move to `previous` and are deleted only once the new run's
 * first checkpoint is durable, so a crashed job re-run by mistake without
 * -resume keeps its recovery point until a new one exists.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { writeFileAtomic } from '../checkpoint/atomicWrite.js';
import { CheckpointIOError } from '../checkpoint/errors.js';
import { isValidCheckpoint, listCheckpointEpochs, removeCheckpointFiles } from '../checkpoint/files.js';
import { CheckpointManager, type CheckpointFn } from '../checkpoint/CheckpointManager.js';
import { InputError } from './exitCodes.js';

export interface ManifestData {
  version: 1;
  node: string;
  /** Random id of the run that owns `epochs`. */
  run: string;
  /** Checkpoints of the current run, oldest first. */
  epochs: number[];
  /** Checkpoints of the run before, deleted once the current run has one. */
  previous: number[];
  /**
   * Saves begun and not yet recorded: made durable before the save starts, so
   * a checkpoint whose save completed but whose commit was never recorded (a
   * kill in between) is still known to be this CLI's.
   */
  pending?: number[];
}

export function manifestPath(dir: string, node: string): string {
  return join(dir, `${node}.manifest.json`);
}

const isEpochList = (v: unknown): v is number[] => Array.isArray(v) && v.every((e) => Number.isSafeInteger(e) && (e as number) >= 0);

/** The manifest of `node` in `dir`; undefined when there is none. A damaged one is an InputError naming it. */
export function readManifest(dir: string, node: string): ManifestData | undefined {
  const file = manifestPath(dir, node);
  if (!existsSync(file)) return undefined;
  let v: Partial<ManifestData>;
  try {
    v = JSON.parse(readFileSync(file, 'utf8')) as Partial<ManifestData>;
  } catch (err) {
    throw new InputError(`cannot read the checkpoint manifest ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (
    v?.version !== 1 ||
    v.node !== node ||
    typeof v.run !== 'string' ||
    !isEpochList(v.epochs) ||
    !isEpochList(v.previous) ||
    (v.pending !== undefined && !isEpochList(v.pending))
  ) {
    throw new InputError(`cannot read the checkpoint manifest ${file}: not a hogwild manifest of node '${node}'`);
  }
  return v as ManifestData;
}

export class CheckpointLedger {
  private constructor(
    readonly dir: string,
    readonly node: string,
    private data: ManifestData,
  ) {}

  /**
   * Opens the ledger of a run. Resume: the existing manifest (or, for a
   * directory written before manifests existed, the checkpoints whose header
   * validates as this node's). Fresh start: a new run; the old one's
   * checkpoints become `previous`.
   */
  static async open(dir: string, node: string, resume: boolean): Promise<CheckpointLedger> {
    const old = readManifest(dir, node);
    let data: ManifestData;
    // A fresh run killed before its first checkpoint: its predecessor's are the recovery point.
    if (resume && old) data = old.epochs.length > 0 ? old : { ...old, epochs: old.previous, previous: [] };
    else if (resume) {
      const adopted: number[] = [];
      for (const e of listCheckpointEpochs(dir, node)) if (await isValidCheckpoint(join(dir, `${node}.${e}`), { epoch: e, node })) adopted.push(e);
      data = { version: 1, node, run: newRunId(), epochs: adopted.sort((a, b) => a - b), previous: [] };
    } else {
      const previous = [...new Set([...(old?.epochs ?? []), ...(old?.previous ?? []), ...(old?.pending ?? [])])].sort((a, b) => a - b);
      data = { version: 1, node, run: newRunId(), epochs: [], previous };
    }
    const ledger = new CheckpointLedger(dir, node, data);
    ledger.write();
    return ledger;
  }

  get epochs(): readonly number[] {
    return this.data.epochs;
  }

  /** Checkpoints of the run before this one, not yet deleted. */
  get previousRun(): readonly number[] {
    return this.data.previous;
  }

  /** Whether this CLI wrote the checkpoint of `epoch` (this run or the one before). */
  owns(epoch: number): boolean {
    return this.data.epochs.includes(epoch) || this.data.previous.includes(epoch) || (this.data.pending ?? []).includes(epoch);
  }

  /** Records, durably, that a save of `epoch` begins (see ManifestData.pending). */
  intend(epoch: number): void {
    if (this.owns(epoch)) return;
    this.data.pending = [...(this.data.pending ?? []), epoch].sort((a, b) => a - b);
    this.write();
  }

  path(epoch: number): string {
    return join(this.dir, `${this.node}.${epoch}`);
  }

  /**
   * The newest checkpoint of this run that validates completely (a pending one
   * counts: the writer renames a file into place only once it is complete);
   * `skipped` hears of each damaged newer one that was committed.
   */
  async latestValid(skipped?: (path: string) => void): Promise<number | undefined> {
    const pending = this.data.pending ?? [];
    for (const e of [...new Set([...this.data.epochs, ...pending])].sort((a, b) => b - a)) {
      if (await isValidCheckpoint(this.path(e), { epoch: e, node: this.node })) return e;
      if (!pending.includes(e)) skipped?.(this.path(e));
    }
    return undefined;
  }

  /**
   * Records the durable checkpoint of `epoch`, then deletes the previous
   * run's checkpoints and this run's beyond the newest `maxToKeep`. Files are
   * unlinked before the manifest drops them: a crash in between leaves the
   * manifest listing a missing file (skipped), never an unlisted one of ours.
   */
  committed(epoch: number, maxToKeep: number): void {
    const d = this.data;
    d.epochs = [...d.epochs.filter((e) => e !== epoch), epoch].sort((a, b) => a - b);
    d.previous = d.previous.filter((e) => e !== epoch);
    d.pending = (d.pending ?? []).filter((e) => e !== epoch);
    this.write();
    const keep = new Set([epoch, ...d.epochs.slice(-maxToKeep)]);
    // Pending saves other than this one were interrupted (a crash): theirs too.
    const doomed = [...d.previous, ...d.pending, ...d.epochs.filter((e) => !keep.has(e))];
    if (doomed.length === 0) return;
    removeCheckpointFiles(doomed.map((e) => this.path(e)));
    d.previous = [];
    d.pending = [];
    d.epochs = d.epochs.filter((e) => keep.has(e));
    this.write();
  }

  private write(): void {
    writeFileAtomic(manifestPath(this.dir, this.node), `${JSON.stringify(this.data, null, 1)}\n`);
  }
}

function newRunId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * A CheckpointManager that refuses to replace a `<node>.<epoch>` file the
 * ledger does not list: the save fails (and the CLI stops) instead of
 * overwriting a file someone else put there.
 */
export class LedgerCheckpointManager extends CheckpointManager {
  constructor(
    dir: string,
    node: string,
    private readonly ledger: CheckpointLedger,
  ) {
    super(dir, node);
  }

  override save(epoch: number): CheckpointFn {
    const inner = super.save(epoch);
    const path = this.dbName(epoch);
    return async (session, options) => {
      if (existsSync(path) && !this.ledger.owns(epoch)) {
        throw new CheckpointIOError('EEXIST', `${path} exists and was not written by this command (its checkpoint manifest does not list it); move it away or use another checkpoint directory`, {
          syscall: 'rename',
          path,
        });
      }
      this.ledger.intend(epoch);
      await inner(session, options);
    };
  }
}
