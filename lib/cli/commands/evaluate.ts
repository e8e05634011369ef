/**
 * `hogwild test`, `hogwild predict` and `hogwild predict-prob`: fastText's
 * commands with fastText's arguments and output lines.
 */
import { FastTextModel, resolveModelPath } from '../../apps/fasttext/FastTextModel.js';
import { formatPredictions } from '../../apps/fasttext/metrics.js';
import { HogwildError } from '../../errors/index.js';
import { intPositional, type OptionSpecs, type ParsedArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT, InputError, UsageError } from '../exitCodes.js';
import { readLines } from '../lines.js';

const OPTIONS: OptionSpecs = {
  json: { type: 'boolean', description: 'print JSON instead of fastText\'s lines' },
};

function threshold(value: string | undefined): number {
  if (value === undefined) return 0;
  const t = Number(value);
  if (value.trim() === '' || !Number.isFinite(t) || t < 0 || t > 1) throw new UsageError(`expected a probability in [0, 1] for th but received '${value}'`);
  return t;
}

function positionals(cmd: string, args: ParsedArgs): { model: string; data: string; k: number; th: number } {
  const [model, data, k, th, extra] = args.positionals;
  if (model === undefined || data === undefined) throw new UsageError(`usage: hogwild ${cmd} <model> <test-data> [k] [th] (see hogwild ${cmd} --help)`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (see hogwild ${cmd} --help)`);
  return { model, data, k: intPositional(k, 'k', 1) ?? 1, th: threshold(th) };
}

async function loadModel(path: string): Promise<FastTextModel> {
  try {
    return await FastTextModel.load(path);
  } catch (err) {
    if (err instanceof HogwildError) {
      const why = err.code === 'HOGWILD_CHECKPOINT_CORRUPT' ? `not a hogwild model file, or a damaged one (${err.message})` : err.message;
      throw new InputError(`cannot load model ${resolveModelPath(path)}: ${why}`, { cause: err });
    }
    throw err;
  }
}

/** Data errors name the file: the model reports lines by number. */
function asInput(err: unknown, data: string): unknown {
  if (err instanceof HogwildError && (err.code === 'HOGWILD_DATA' || err.code === 'HOGWILD_IO')) {
    return new InputError(`${data === '-' ? '<stdin>' : data}: ${err.message}`, { cause: err });
  }
  return err;
}

async function runTest(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const p = positionals('test', args);
  const lines = await readLines(p.data, 'test file');
  const model = await loadModel(p.model);
  try {
    const r = await model.test(lines, p.k, p.th).catch((err: unknown) => {
      throw asInput(err, p.data);
    });
    if (args.values.json) ctx.out.write(`${JSON.stringify({ examples: r.examples, k: p.k, precision: r.precision, recall: r.recall })}\n`);
    else ctx.out.write(r.text);
    return EXIT.OK;
  } finally {
    await model.dispose();
  }
}

function predictRun(withProb: boolean) {
  return async (args: ParsedArgs, ctx: CommandContext): Promise<number> => {
    const cmd = withProb ? 'predict-prob' : 'predict';
    const p = positionals(cmd, args);
    const lines = await readLines(p.data, 'input file');
    const model = await loadModel(p.model);
    try {
      const predictions = await model.predict(lines, p.k, p.th).catch((err: unknown) => {
        throw asInput(err, p.data);
      });
      const text = args.values.json
        ? predictions.map((ps) => JSON.stringify(withProb ? ps : ps.map((x) => x.label))).join('\n')
        : predictions.map((ps) => formatPredictions(ps, withProb)).join('\n');
      if (predictions.length > 0) ctx.out.write(`${text}\n`);
      return EXIT.OK;
    } finally {
      await model.dispose();
    }
  };
}

const DATA = `<model> is a file written by hogwild supervised (the .bin suffix may be left
out). <test-data> is a fastText-format text file, or - for stdin. k (default 1)
is the number of labels predicted per line; th (default 0.0) drops labels whose
probability is below it.`;

export const test: Command = {
  name: 'test',
  summary: 'evaluate a classifier: N, precision and recall at k, as fastText prints them',
  usage: ['hogwild test <model> <test-data> [k] [th]'],
  options: OPTIONS,
  details: `${DATA}

Prints fastText's lines: N (lines with a label the model knows), P@k and R@k.
A line's gold labels are all its known labels, as in fastText.`,
  run: runTest,
};

export const predict: Command = {
  name: 'predict',
  summary: 'predict the most likely labels of each line',
  usage: ['hogwild predict <model> <test-data> [k] [th]'],
  options: OPTIONS,
  details: `${DATA}

Prints one line per input line: its k labels, best first, separated by spaces.`,
  run: predictRun(false),
};

export const predictProb: Command = {
  name: 'predict-prob',
  summary: 'predict the most likely labels of each line, with probabilities',
  usage: ['hogwild predict-prob <model> <test-data> [k] [th]'],
  options: OPTIONS,
  details: `${DATA}

Prints one line per input line: label and probability pairs, best first.`,
  run: predictRun(true),
};
