/**
 * Loading fastText's own model file as a hogwild FastTextModel: its dictionary
 * goes into the model's workspace (labels, options), and the predictions come
 * from a scorer that computes them as fastText does. `hogwild export --format
 * hogwild` converts the whole model into hogwild's blobs.
 */
import { closeSync, openSync, readSync } from 'node:fs';

import { Workspace } from '../../../runtime/Workspace.js';
import type { DictionaryInfo } from '../dictionaryRecord.js';
import { FASTTEXT_ARGS_META, fastTextBinFromWorkspace, fastTextBinToWorkspace, metaOfFastTextBin } from './convert.js';
import { FASTTEXT_BIN_MAGIC } from './format.js';
import { readFastTextBin } from './read.js';
import { FastTextBinScorer } from './scorer.js';

export type { FastTextBinScorer };

/** True when the file at `path` starts with fastText's signature (false when it cannot be read). */
export function isFastTextBinFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.readInt32LE(0) === FASTTEXT_BIN_MAGIC;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface LoadedFastTextBin {
  ws: Workspace;
  dictionary: DictionaryInfo;
  dim: number;
  meta: Record<string, string>;
  scorer: FastTextBinScorer;
}

/** The model at `path` when it is a fastText model file; null when it is not one. */
export function loadFastTextBinModel(path: string): LoadedFastTextBin | null {
  if (!isFastTextBinFile(path)) return null;
  const bin = readFastTextBin(path);
  const ws = new Workspace();
  try {
    // The workspace gets the dictionary only: predictions come from the scorer,
    // and a second copy of a large input matrix would double the memory.
    const dictionary = fastTextBinToWorkspace(bin, ws, path, { dictionaryOnly: true });
    return { ws, dictionary, dim: bin.args.dim, meta: { format: 'fasttext-bin/12', ...metaOfFastTextBin(bin) }, scorer: new FastTextBinScorer(bin) };
  } catch (err) {
    ws.dispose();
    throw err;
  }
}

/**
 * A fastText scorer for a hogwild model converted from a fastText model file
 * (its metadata carries fastText's arguments) or trained with a loss other
 * than softmax (hs, ns, ova: the output rows are laid out as fastText's): it
 * predicts as fastText does. Null for softmax models hogwild trained.
 */
export function scorerOfConvertedModel(ws: Workspace, meta: Readonly<Record<string, string>>): FastTextBinScorer | null {
  if (meta[FASTTEXT_ARGS_META] === undefined && (meta.loss ?? 'softmax') === 'softmax') return null;
  return new FastTextBinScorer(fastTextBinFromWorkspace(ws, meta));
}
