/**
 * The checkpoint directory of a CLI training run: created durably, its
 * manifest (checkpointManifest.ts) opened, the epoch to resume from picked
 * among this CLI's own checkpoints, and the errors that stop a run (a failed
 * save, a diverged loss) worded with the newest valid checkpoint and how to
 * resume from it.
 */
import { ensureDirectory } from '../checkpoint/atomicWrite.js';
import type { CheckpointManager } from '../checkpoint/CheckpointManager.js';
import type { JobRunner } from '../session/JobRunner.js';
import { CheckpointLedger, LedgerCheckpointManager } from './checkpointManifest.js';
import { CliError, EXIT, OutputError, outputError } from './exitCodes.js';

export interface CheckpointDir {
  manager: CheckpointManager;
  ledger: CheckpointLedger;
  resumeFrom: number | undefined;
  /** The error that stops a run whose checkpoint save failed. */
  failedSaveError(err: Error, resumeHint: string): Promise<CliError>;
  /** The error that stops a diverged run. */
  divergedError(err: Error, resumeHint: string): Promise<CliError>;
}

export async function openCheckpointDir(
  dir: string,
  node: string,
  resume: boolean | number,
  note: (message: string) => void,
): Promise<CheckpointDir> {
  try {
    ensureDirectory(dir);
  } catch (err) {
    throw outputError(`the checkpoint directory ${dir}`, err);
  }
  const ledger = await CheckpointLedger.open(dir, node, resume !== false);
  const manager = new LedgerCheckpointManager(dir, node, ledger);
  let resumeFrom: number | undefined;
  if (typeof resume === 'number') {
    resumeFrom = resume;
    note(`Resuming from the checkpoint of epoch ${resumeFrom} in ${dir}`);
  } else if (resume) {
    resumeFrom = await ledger.latestValid((path) => note(`warning: skipping ${path}: it is damaged (it does not validate); an older checkpoint is used`));
    if (resumeFrom === undefined) note(`No valid checkpoint in ${dir}: starting from scratch`);
    else note(`Resuming from the checkpoint of epoch ${resumeFrom} in ${dir}`);
  } else if (ledger.previousRun.length > 0) {
    note(`An earlier run's checkpoints in ${dir} are kept until this run saves its first one (to continue that run instead, use -resume)`);
  }

  const newest = async (): Promise<string> => {
    const e = await ledger.latestValid();
    return e === undefined ? `there is no valid checkpoint in ${dir}` : `the newest valid checkpoint is ${ledger.path(e)} (epoch ${e})`;
  };
  return {
    manager,
    ledger,
    resumeFrom,
    async failedSaveError(err, hint) {
      const cause = err.cause instanceof Error ? err.cause : err;
      const base = outputError(`a checkpoint in ${dir}`, cause);
      return new OutputError(`${err.message}: ${base.message.replace(/^cannot write [^:]+: /, '')}; ${await newest()}: fix the cause and run the same command with ${hint}`, { cause });
    },
    async divergedError(err, hint) {
      return new CliError(`${err.message}; ${await newest()} (continue from it with ${hint} and a lower learning rate)`, EXIT.DIVERGED, { cause: err });
    },
  };
}

/**
 * JobRunner only warns when a save fails (training goes on, as in Caffe2).
 * The CLI stops at once instead: a long run must not go on with no recovery
 * point. Also records each committed checkpoint in the manifest.
 */
export function stopOnFailedSave(runner: JobRunner, ckpt: CheckpointDir, immediate: AbortController, maxToKeep = 2): { error: Error | undefined } {
  const state: { error: Error | undefined } = { error: undefined };
  runner.on('warning', (w) => {
    // JobRunner's two save warnings (a failed save; inaccessible checkpoint files).
    if (state.error || !/^(Unable to write checkpoint|Checkpoint files cannot be accessed)/.test(w.message)) return;
    state.error = w;
    immediate.abort(w);
  });
  runner.on('checkpoint', (c) => {
    try {
      ckpt.ledger.committed(c.epoch, maxToKeep);
    } catch (err) {
      state.error ??= new Error(`Unable to record the checkpoint of epoch ${c.epoch}`, { cause: err });
      immediate.abort(state.error);
    }
  });
  return state;
}
