/**
 * `hogwild print-word-vectors <model> [file]` and `hogwild print-sentence-vectors
 * <model> [file]`: fastText's commands, on a model of either program, printing
 * what fastText prints. fastText reads stdin only; a file may be named instead.
 */
import { readAnyModelAsFastTextBin } from '../../apps/fasttext/fastTextBin/export.js';
import { FastTextBinDictionary } from '../../apps/fasttext/fastTextBin/dictionary.js';
import { formatVector, sentenceVector, wordVector } from '../../apps/fasttext/fastTextBin/vec.js';
import { resolveModelPath } from '../../apps/fasttext/FastTextModel.js';
import { HogwildError } from '../../errors/index.js';
import type { ParsedArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT, InputError, UsageError } from '../exitCodes.js';
import { readLines } from '../lines.js';

function vectorsRun(kind: 'word' | 'sentence') {
  return async (args: ParsedArgs, ctx: CommandContext): Promise<number> => {
    const [model, data = '-', extra] = args.positionals;
    const cmd = `print-${kind}-vectors`;
    if (model === undefined) throw new UsageError(`usage: hogwild ${cmd} <model> [file] (see hogwild ${cmd} --help)`);
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (see hogwild ${cmd} --help)`);
    const path = resolveModelPath(model);
    const bin = await readAnyModelAsFastTextBin(path, { dropBias: true }).catch((err: unknown) => {
      throw err instanceof HogwildError && err.code !== 'HOGWILD_IO' ? new InputError(`cannot load model ${path}: ${err.message}`, { cause: err }) : err;
    });
    const dict = new FastTextBinDictionary(bin);
    const lines = await readLines(data, 'input file');
    const out: string[] = [];
    if (kind === 'word') {
      const vec = new Float32Array(bin.args.dim);
      for (const line of lines) for (const w of line.split(/[ \t\n\r\v\f]+/).filter((x) => x.length > 0)) out.push(`${w} ${formatVector(wordVector(bin, dict, w, vec))}\n`);
    } else {
      for (const line of lines) out.push(`${formatVector(sentenceVector(bin, dict, line))}\n`);
    }
    ctx.out.write(out.join(''));
    return EXIT.OK;
  };
}

export const printWordVectors: Command = {
  name: 'print-word-vectors',
  summary: 'print the vectors of the words of stdin (or a file), as fastText does',
  usage: ['hogwild print-word-vectors <model> [file] < words'],
  options: {},
  details: "A word's vector is the mean of its input rows (its own and its character n-grams'); an unknown word gets its n-grams' mean, or zeros.",
  run: vectorsRun('word'),
};

export const printSentenceVectors: Command = {
  name: 'print-sentence-vectors',
  summary: 'print one vector per line of stdin (or a file), as fastText does',
  usage: ['hogwild print-sentence-vectors <model> [file] < lines'],
  options: {},
  details: "Supervised models: the mean of the line's input rows (what the classifier sees). Word-vector models: the mean of the words' unit-length vectors.",
  run: vectorsRun('sentence'),
};
