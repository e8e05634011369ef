/** What `nn` and `analogies` share: their arguments, the model and the answer lines. */
import { readAnyModelAsFastTextBin } from '../../apps/fasttext/fastTextBin/export.js';
import type { FastTextBin } from '../../apps/fasttext/fastTextBin/format.js';
import type { Neighbour } from '../../apps/fasttext/fastTextBin/neighbours.js';
import { resolveModelPath } from '../../apps/fasttext/FastTextModel.js';
import { formatG } from '../../apps/fasttext/metrics.js';
import { HogwildError } from '../../errors/index.js';
import { InputError, UsageError } from '../exitCodes.js';

/** `<model> [k]` with k >= 1 (default 10, as fastText). */
export function parseK(cmd: string, positionals: readonly string[]): { model: string; k: number } {
  const [model, kText, extra] = positionals;
  if (model === undefined) throw new UsageError(`usage: hogwild ${cmd} <model> [k] (see hogwild ${cmd} --help)`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (see hogwild ${cmd} --help)`);
  const k = kText === undefined ? 10 : Number(kText);
  if (!/^\d+$/.test(kText ?? '10') || !Number.isSafeInteger(k) || k < 1) throw new UsageError(`expected an integer >= 1 for k but received '${kText}'`);
  return { model, k };
}

/** The model's word vectors part (either program's file; a hogwild bias column dropped). */
export async function loadNeighbourModel(model: string): Promise<FastTextBin> {
  const path = resolveModelPath(model);
  return readAnyModelAsFastTextBin(path, { dropBias: true }).catch((err: unknown) => {
    throw err instanceof HogwildError && err.code !== 'HOGWILD_IO' ? new InputError(`cannot load model ${path}: ${err.message}`, { cause: err }) : err;
  });
}

/** One line per neighbour, "word similarity" with 6 significant digits (fastText's printPredictions). */
export function formatNeighbours(list: readonly Neighbour[]): string {
  return list.map((n) => `${n.word} ${formatG(n.similarity)}\n`).join('');
}
