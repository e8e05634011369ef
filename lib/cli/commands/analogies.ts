/**
 * `hogwild analogies <model> [k]`: fastText's word analogies. Reads triplets
 * A B C from stdin and prints, after the prompt "Query triplet (A - B + C)? ",
 * the k words nearest to A - B + C (unit word vectors) as `fasttext analogies`
 * does. Unlike fastText 0.9.2, which repeats its last answer forever at the
 * end of the input, it stops there (an incomplete last triplet is ignored).
 */
import { WordNeighbours } from '../../apps/fasttext/fastTextBin/neighbours.js';
import type { ParsedArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../exitCodes.js';
import { streamWords } from '../stdinWords.js';
import { formatNeighbours, loadNeighbourModel, parseK } from './neighbourArgs.js';

const PROMPT = 'Query triplet (A - B + C)? ';

async function run(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { model, k } = parseK('analogies', args.positionals);
  ctx.out.write(`Loading model ${model}\n`);
  const neighbours = new WordNeighbours(await loadNeighbourModel(model));
  ctx.out.write(PROMPT);
  const triplet: string[] = [];
  for await (const word of streamWords(ctx.in ?? process.stdin)) {
    triplet.push(word);
    if (triplet.length < 3) continue;
    const [a, b, c] = triplet.splice(0, 3) as [string, string, string];
    ctx.out.write(`${formatNeighbours(neighbours.analogy(a, b, c, k))}${PROMPT}`);
  }
  return EXIT.OK;
}

export const analogies: Command = {
  name: 'analogies',
  summary: 'print the words nearest to A - B + C for the triplets of stdin, as fastText does',
  usage: ['hogwild analogies <model> [k] < triplets'],
  options: {},
  details: 'k defaults to 10. The query is the sum of the unit vectors of A and C minus that of B; the three words are left out of the answers.',
  run,
};
