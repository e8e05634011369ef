/**
 * `hogwild test`, `hogwild predict` and `hogwild predict-prob`: fastText's
 * commands with fastText's arguments and output lines, streamed through the
 * native predictor (lib/apps/fasttext/predictStream.ts) while the input is read.
 */
import { once } from 'node:events';

import { FastTextModel, resolveModelPath } from '../../apps/fasttext/FastTextModel.js';
import { DEFAULT_CHUNK_BYTES, predictStream, type StreamMode } from '../../apps/fasttext/predictStream.js';
import { HogwildError } from '../../errors/index.js';
import { intPositional, type OptionSpecs, type ParsedArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT, InputError, UsageError } from '../exitCodes.js';
import { openTextInput } from '../input.js';

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

/**
 * Data errors name the file and line as `file:N: …` (the predictor says
 * "line N: …", counted over the whole input).
 */
function asInput(err: unknown, name: string): unknown {
  if (err instanceof HogwildError && (err.code === 'HOGWILD_DATA' || err.code === 'HOGWILD_IO')) {
    const m = /^line (\d+): (.*)$/s.exec(err.message);
    return new InputError(m ? `${name}:${m[1]}: ${m[2]}` : `${name}: ${err.message}`, { cause: err });
  }
  return err;
}

/** Writes one piece of output, waiting while the stream's buffer is full. */
async function writeOut(out: NodeJS.WritableStream, chunk: Buffer | string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Streams the input through the model: answers are printed as lines are
 * read (a pipe gets an answer per line it sends), memory stays bounded, and
 * the input may be any size.
 */
function streamRun(mode: StreamMode) {
  return async (args: ParsedArgs, ctx: CommandContext): Promise<number> => {
    const p = positionals(mode, args);
    const input = openTextInput(p.data, mode === 'test' || mode === 'test-label' ? 'test file' : 'input file', DEFAULT_CHUNK_BYTES);
    try {
      const model = await loadModel(p.model);
      try {
        const r = await predictStream(model.predictor(), input.chunks, {
          mode,
          k: p.k,
          threshold: p.th,
          labels: model.labels,
          json: args.values.json === true,
          write: (chunk) => writeOut(ctx.out, chunk),
        }).catch((err: unknown) => {
          throw asInput(err, input.name);
        });
        if (r.meter) {
          const m = r.meter;
          if (args.values.json) {
            const perLabel = mode === 'test-label' ? { labels: Object.fromEntries(model.labels.map((l) => [l, m.labels?.get(l) ?? { gold: 0, predicted: 0, predictedGold: 0 }])) } : {};
            ctx.out.write(`${JSON.stringify({ examples: m.examples, k: p.k, precision: m.precision(), recall: m.recall(), ...perLabel })}\n`);
          } else {
            ctx.out.write(mode === 'test-label' ? m.formatPerLabel(model.labels, p.k) : m.format(p.k));
          }
        }
        return EXIT.OK;
      } finally {
        await model.dispose();
      }
    } finally {
      input.close();
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
  run: streamRun('test'),
};

export const testLabel: Command = {
  name: 'test-label',
  summary: 'evaluate a classifier per label: F1, precision and recall of each label, then N, P@k, R@k',
  usage: ['hogwild test-label <model> <test-data> [k] [th]'],
  options: OPTIONS,
  details: `${DATA}

Prints fastText's test-label lines: for each label of the model, in the model's
order, "F1-Score : f  Precision : p  Recall : r   <label>" (6 decimals,
"--------" where a ratio is 0/0), then N, P@k and R@k. Recall and F1 count
every line where the label is gold (fastText 0.9.2 leaves those counts at 0,
so it prints no recall and an F1 of twice the precision). --json adds each
label's counts.`,
  run: streamRun('test-label'),
};

export const predict: Command = {
  name: 'predict',
  summary: 'predict the most likely labels of each line',
  usage: ['hogwild predict <model> <test-data> [k] [th]'],
  options: OPTIONS,
  details: `${DATA}

Prints one line per input line: its k labels, best first, separated by spaces.`,
  run: streamRun('predict'),
};

export const predictProb: Command = {
  name: 'predict-prob',
  summary: 'predict the most likely labels of each line, with probabilities',
  usage: ['hogwild predict-prob <model> <test-data> [k] [th]'],
  options: OPTIONS,
  details: `${DATA}

Prints one line per input line: label and probability pairs, best first.`,
  run: streamRun('predict-prob'),
};
