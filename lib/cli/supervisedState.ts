/**
 * The state `hogwild supervised` keeps next to its checkpoints: the lock
 * files that keep a second run off the same output, the settings file
 * (`hogwild-supervised.json`, replaced atomically) that a resumed run must
 * match, and the sweep of model temp files a killed save left.
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
const SHAPE_KEYS = ['dim', 'wordNgrams', 'bucket', 'minn', 'maxn', 'minCount', 'minCountLabel', 'label', 'loss', 'batchSize'] as const;

export interface SupervisedState {
  /** Replaces the settings file (temp + fsync + rename). */
  writeSettings(): void;
  release(): void;
}

/** Resuming needs the same shapes and the same training file as the run the directory holds. */
function checkResumable(file: string, dir: string, o: ResolvedFastTextOptions, input: string): void {
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
  for (const k of SHAPE_KEYS) {
    if (before[k] !== undefined && before[k] !== o[k]) {
      throw new UsageError(`cannot resume: the checkpoints in ${dir} were trained with -${k} ${String(before[k])}, not ${String(o[k])}`);
    }
  }
  const was = typeof before.inputPath === 'string' ? before.inputPath : typeof before.input === 'string' ? resolve(before.input) : undefined;
  if (was !== undefined && was !== resolve(input)) {
    throw new UsageError(`cannot resume: the checkpoints in ${dir} were trained on -input ${String(before.input)}, not ${input} (start a new run without -resume, or use another -checkpoint-dir)`);
  }
}

/**
 * Locks the checkpoint directory and the model path (exit 5 when another
 * run holds either), checks a resumed run against the settings file, and
 * sweeps `<model>.tmp-*` files left by a killed model save.
 */
export function openSupervisedState(dir: string, model: string, o: ResolvedFastTextOptions, input: string, resume: boolean): SupervisedState {
  try {
    ensureDirectory(dir);
  } catch (err) {
    throw outputError(`the checkpoint directory ${dir}`, err);
  }
  const locks: OutputLock[] = [];
  const release = () => locks.splice(0).forEach((l) => l.release());
  try {
    locks.push(acquireLock(join(dir, 'hogwild.lock'), `the checkpoint directory ${dir}`, 'hogwild supervised'));
    locks.push(acquireLock(`${model}.lock`, `the output ${model}`, 'hogwild supervised'));
    const file = join(dir, RUN_FILE);
    if (resume) checkResumable(file, dir, o, input);
    sweepTempFiles(dirname(model), (name) => name === basename(model));
    return {
      writeSettings() {
        try {
          writeFileAtomic(file, `${JSON.stringify({ ...o, input, inputPath: resolve(input) }, null, 2)}\n`);
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
