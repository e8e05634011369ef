/**
 * Converting model files: a hogwild model (or checkpoint of a fastText job)
 * to fastText's model file, and a fastText model file to a hogwild model.
 */
import { writeFile } from 'node:fs/promises';

import { inspectCheckpoint, loadCheckpoint, saveCheckpoint } from '../../../checkpoint/files.js';
import { InvalidArgumentError } from '../../../errors/index.js';
import { Workspace } from '../../../runtime/Workspace.js';
import { FASTTEXT_MODEL_BLOBS } from '../FastTextJob.js';
import { FASTTEXT_MODEL_FORMAT } from '../FastTextModel.js';
import { fastTextBinFromWorkspace, fastTextBinToWorkspace, metaOfFastTextBin } from './convert.js';
import type { FastTextBin } from './format.js';
import { isFastTextBinFile } from './load.js';
import { readFastTextBin } from './read.js';
import { formatVec } from './vec.js';
import { writeFastTextBin } from './write.js';

/** Reads a model file of either program as a fastText model. */
export async function readAnyModelAsFastTextBin(path: string, options: { dropBias?: boolean } = {}): Promise<FastTextBin> {
  if (isFastTextBinFile(path)) return readFastTextBin(path);
  const info = await inspectCheckpoint(path);
  const names = new Set(info.blobs.map((b) => b.name));
  const missing = FASTTEXT_MODEL_BLOBS.filter((b) => !names.has(b));
  if (missing.length > 0) throw new InvalidArgumentError(`Expected a hogwild fastText model in ${path} but it lacks ${missing.join(', ')}`, 'HOGWILD_DATA');
  const ws = new Workspace();
  try {
    await loadCheckpoint(ws, path, { blobNames: FASTTEXT_MODEL_BLOBS });
    return fastTextBinFromWorkspace(ws, info.meta, options);
  } finally {
    ws.dispose();
  }
}

/** Writes the model at `from` (either program's) as fastText's model file `to`. */
export async function exportFastTextBin(from: string, to: string): Promise<FastTextBin> {
  const bin = await readAnyModelAsFastTextBin(from);
  await writeFastTextBin(bin, to);
  return bin;
}

/** Writes the model at `from` (either program's) as a hogwild model file `to`. */
export async function exportHogwildModel(from: string, to: string): Promise<FastTextBin> {
  const bin = await readAnyModelAsFastTextBin(from);
  const ws = new Workspace();
  try {
    fastTextBinToWorkspace(bin, ws, from);
    await saveCheckpoint(ws, FASTTEXT_MODEL_BLOBS, to, { epoch: bin.args.epoch, node: 'model', meta: { format: FASTTEXT_MODEL_FORMAT, ...metaOfFastTextBin(bin) } });
    return bin;
  } finally {
    ws.dispose();
  }
}

/** Writes the word vectors of the model at `from` (either program's) as fastText's `.vec` text file `to`. */
export async function exportVec(from: string, to: string): Promise<FastTextBin> {
  const bin = await readAnyModelAsFastTextBin(from, { dropBias: true });
  await writeFile(to, formatVec(bin));
  return bin;
}
