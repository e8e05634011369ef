/**
 * The state a training command (`hogwild supervised`, `cbow`, `skipgram`)
 * keeps next to its checkpoints: the lock files that keep a second run off
 * the same outputs, the settings file (`hogwild-<command>.json`, replaced
 * atomically) that a resumed run must match, and the sweep of temp files a
 * killed model save left.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import type { ResolvedFastTextOptions } from '../apps/fasttext/options.js';
import { ensureDirectory, writeFileAtomic } from '../checkpoint/atomicWrite.js';
import { sweepTempFiles } from '../checkpoint/files.js';
import { InputError, outputError, UsageError } from './exitCodes.js';
import { acquireLock, type OutputLock } from './outputLock.js';

export const RUN_FILE = 'hogwild-supervised.json';
/** Options that fix the shapes and the data: a resumed run must use the same. */
const SHAPE_KEYS = ['dim', 'wordNgrams', 'bucket', 'minn', 'maxn', 'minCount', 'minCountLabel', 'label', 'loss', 'batchSize', 'pretrainedVectors'] as const;

export interface TrainingState {
  /** Replaces the settings file (temp + fsync + rename). */
  writeSettings(): void;
  release(): void;
}

/** What {@link openTrainingState} locks and checks. */
export interface TrainingStateOptions {
  /** The checkpoint directory. */
  dir: string;
  /** Files the run writes at the end (each locked: a second run on them exits 5). */
  outputs: readonly string[];
  /** `hogwild supervised`, for messages. */
  command: string;
  /** The settings file's name inside `dir`. */
  settingsFile: string;
  /** The resolved options, saved as the settings file. */
  settings: Readonly<Record<string, unknown>>;
  /** Settings a resumed run must keep (they fix the shapes and the data). */
  shapeKeys: readonly string[];
  input: string;
  resume: boolean;
}

/** Resuming needs the same shapes and the same training file as the run the directory holds. */
function checkResumable(file: string, o: TrainingStateOptions): void {
  if (!existsSync(file)) return;
  let before: Record<string, unknown>;
  try {
    before = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new InputError(`cannot resume: ${file} is not valid JSON`);
  }
  if (typeof before !== 'object' || before === null || Array.isArray(before)) {
    throw new InputError(`cannot resume: ${file} is not a hogwild settings file (expected a JSON object)`);
  }
  for (const k of o.shapeKeys) {
    if (before[k] !== undefined && before[k] !== o.settings[k]) {
      throw new UsageError(`cannot resume: the checkpoints in ${o.dir} were trained with -${k} ${String(before[k])}, not ${String(o.settings[k])}`);
    }
  }
  const was = typeof before.inputPath === 'string' ? before.inputPath : typeof before.input === 'string' ? resolve(before.input) : undefined;
  if (was !== undefined && was !== resolve(o.input)) {
    throw new UsageError(`cannot resume: the checkpoints in ${o.dir} were trained on -input ${String(before.input)}, not ${o.input} (start a new run without -resume, or use another -checkpoint-dir)`);
  }
}

/**
 * Locks the checkpoint directory and the outputs (exit 5 when another run
 * holds any), checks a resumed run against the settings file, and sweeps
 * `<output>.tmp-*` files left by a killed save.
 */
export function openTrainingState(o: TrainingStateOptions): TrainingState {
  try {
    ensureDirectory(o.dir);
  } catch (err) {
    throw outputError(`the checkpoint directory ${o.dir}`, err);
  }
  const locks: OutputLock[] = [];
  const release = () => locks.splice(0).forEach((l) => l.release());
  try {
    locks.push(acquireLock(join(o.dir, 'hogwild.lock'), `the checkpoint directory ${o.dir}`, o.command));
    for (const out of o.outputs) locks.push(acquireLock(`${out}.lock`, `the output ${out}`, o.command));
    const file = join(o.dir, o.settingsFile);
    if (o.resume) checkResumable(file, o);
    for (const out of o.outputs) sweepTempFiles(dirname(out), (name) => name === basename(out));
    return {
      writeSettings() {
        try {
          writeFileAtomic(file, `${JSON.stringify({ ...o.settings, input: o.input, inputPath: resolve(o.input) }, null, 2)}\n`);
        } catch (err) {
          throw outputError(`the settings file ${file}`, err);
        }
      },
      release,
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** `hogwild supervised`'s state: the model file locked, fastText's shape options checked on -resume. */
export function openSupervisedState(dir: string, model: string, o: ResolvedFastTextOptions, input: string, resume: boolean): TrainingState {
  return openTrainingState({ dir, outputs: [model], command: 'hogwild supervised', settingsFile: RUN_FILE, settings: { ...o }, shapeKeys: SHAPE_KEYS, input, resume });
}
