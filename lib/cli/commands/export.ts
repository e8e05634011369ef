/**
 * `hogwild export <model> <output>`: writes a model as fastText's model file
 * (`fasttext predict`/`test` read it) or, with --format hogwild, a fastText
 * model file as a hogwild model. Either program's model is accepted as input.
 */
import { exportFastTextBin, exportHogwildModel, exportVec } from '../../apps/fasttext/fastTextBin/export.js';
import { resolveModelPath } from '../../apps/fasttext/FastTextModel.js';
import { HogwildError } from '../../errors/index.js';
import type { OptionSpecs, ParsedArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT, InputError, UsageError } from '../exitCodes.js';

const OPTIONS: OptionSpecs = {
  format: { type: 'string', value: 'fasttext|hogwild|vec', default: 'fasttext', description: "the output's format: fastText's .bin, a hogwild model, or the word vectors as fastText's .vec text" },
};

async function run(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const [model, output, extra] = args.positionals;
  if (model === undefined || output === undefined) throw new UsageError('usage: hogwild export <model> <output> [--format fasttext|hogwild|vec] (see hogwild export --help)');
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (see hogwild export --help)`);
  const format = (args.values.format as string | undefined) ?? 'fasttext';
  if (format !== 'fasttext' && format !== 'hogwild' && format !== 'vec') throw new UsageError(`expected fasttext, hogwild or vec for --format but received '${format}'`);
  const from = resolveModelPath(model);
  try {
    const write = { fasttext: exportFastTextBin, hogwild: exportHogwildModel, vec: exportVec }[format];
    const bin = await write(from, output);
    ctx.err.write(`wrote ${output} (${format} model: ${bin.nwords} words, ${bin.nlabels} labels, dim ${bin.args.dim}, loss ${bin.args.loss})\n`);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof HogwildError && err.code !== 'HOGWILD_IO') throw new InputError(`cannot export ${from}: ${err.message}`, { cause: err });
    throw err;
  }
}

export const exportCommand: Command = {
  name: 'export',
  summary: "write a model as fastText's .bin or .vec (or a fastText .bin as a hogwild model)",
  usage: ['hogwild export <model> <output.bin> [--format fasttext|hogwild]', 'hogwild export <model> <output.vec> --format vec'],
  options: OPTIONS,
  details:
    "A hogwild model whose output bias is not zero is written with one more dimension (a constant 1 in every input row, the bias in every output row), which gives the same scores in fastText, which has no bias. A fastText model keeps its saved arguments through hogwild and back, so the round trip gives back the same file.",
  run,
};
