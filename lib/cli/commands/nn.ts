/**
 * `hogwild nn <model> [k]`: fastText's nearest neighbours. Reads query words
 * from stdin and prints, after the prompt "Query word? ", the k most similar
 * words and their cosine similarity, as `fasttext nn` does (same prompt, same
 * numbers); ends at the end of the input.
 */
import { WordNeighbours } from '../../apps/fasttext/fastTextBin/neighbours.js';
import type { ParsedArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../exitCodes.js';
import { streamWords } from '../stdinWords.js';
import { formatNeighbours, loadNeighbourModel, parseK } from './neighbourArgs.js';

const PROMPT = 'Query word? ';

async function run(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { model, k } = parseK('nn', args.positionals);
  const neighbours = new WordNeighbours(await loadNeighbourModel(model));
  ctx.out.write(PROMPT);
  for await (const word of streamWords(ctx.in ?? process.stdin)) {
    ctx.out.write(`${formatNeighbours(neighbours.nearest(word, k))}${PROMPT}`);
  }
  return EXIT.OK;
}

export const nn: Command = {
  name: 'nn',
  summary: 'print the nearest neighbours of the words of stdin, as fastText does',
  usage: ['hogwild nn <model> [k] < words'],
  options: {},
  details:
    "k defaults to 10. A word's vector is the mean of its input rows (its own and its character n-grams'); similarity is the cosine with every word of the dictionary. Works on models of either program (supervised, cbow, skipgram).",
  run,
};
