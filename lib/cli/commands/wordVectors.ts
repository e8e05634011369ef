/**
 * `hogwild cbow` and `hogwild skipgram`: fastText's unsupervised training
 * (word vectors) with fastText's flags, on `-thread` Hogwild threads. Writes
 * `<output>.bin` (fastText's model file: `fasttext print-word-vectors`,
 * `hogwild print-word-vectors` and the other model readers take it) and
 * `<output>.vec` (the words' vectors as text, as fastText writes them).
 */

import { Writable } from 'node:stream';

import { buildWordVectorsJob, type WordVectorsJob } from '../../apps/wordvectors/WordVectorsJob.js';
import { writeWordVectors } from '../../apps/wordvectors/modelFile.js';
import { resolveWordVectorsOptions, type WordVectorsModel, type WordVectorsTrainOptions } from '../../apps/wordvectors/options.js';
import { HogwildError } from '../../errors/index.js';
import { LocalSession } from '../../session/LocalSession.js';
import { intOption, numberOption, type OptionSpecs, type ParsedArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT, InputError, outputError, UsageError } from '../exitCodes.js';
import { checkTrainingFile } from '../input.js';
import { ProgressDisplay, progressMode } from '../progress.js';
import { openTrainingState } from '../trainingState.js';
import { runTraining } from '../trainLoop.js';

/** Options that fix the dictionary and the shapes: a resumed run must keep them. */
const SHAPE_KEYS = ['model', 'dim', 'bucket', 'minn', 'maxn', 'minCount', 'label'] as const;

const OPTIONS: OptionSpecs = {
  input: { type: 'string', value: 'file', description: 'training file path (plain text)' },
  output: { type: 'string', value: 'prefix', description: 'output path prefix: writes <prefix>.bin and <prefix>.vec' },
  dim: { type: 'string', value: 'int', description: 'size of word vectors', default: '100' },
  ws: { type: 'string', value: 'int', description: 'size of the context window', default: '5' },
  epoch: { type: 'string', value: 'int', description: 'number of epochs', default: '5' },
  lr: { type: 'string', value: 'float', description: 'learning rate, decayed linearly to 0', default: '0.05' },
  lrUpdateRate: { type: 'string', value: 'int', description: 'tokens between updates of the learning rate', default: '100' },
  neg: { type: 'string', value: 'int', description: 'number of negatives sampled', default: '5' },
  t: { type: 'string', value: 'float', description: 'sampling threshold', default: '0.0001' },
  thread: { type: 'string', value: 'int', description: 'Hogwild threads sharing the parameters', default: 'min(12, cores)' },
  bucket: { type: 'string', value: 'int', description: 'number of character n-gram hash buckets', default: '2000000' },
  minn: { type: 'string', value: 'int', description: 'min length of character n-grams', default: '3' },
  maxn: { type: 'string', value: 'int', description: 'max length of character n-grams', default: '6' },
  minCount: { type: 'string', value: 'int', description: 'minimal number of word occurrences', default: '5' },
  seed: { type: 'string', value: 'int', description: 'seed of the initialization and of the random draws', default: '0' },
  label: { type: 'string', value: 'prefix', description: 'labels prefix (such tokens are not words)', default: '__label__' },
  loss: { type: 'string', value: 'name', description: 'loss function (ns only)', default: 'ns' },
  verbose: { type: 'string', value: 'level', description: '0 prints nothing; otherwise the dictionary and the speed', default: '2' },
  'checkpoint-dir': { type: 'string', value: 'dir', description: 'where checkpoints are saved (see -checkpoint-interval)', default: '<prefix>.checkpoints' },
  'checkpoint-interval': { type: 'string', value: 'seconds', description: 'save an epoch when this long passed since the last save (and always the last epoch); 0: every epoch', default: '60' },
  resume: { type: 'boolean', description: 'resume from the newest valid checkpoint in the checkpoint directory' },
  'no-progress': { type: 'boolean', description: 'no live progress line: one line per epoch on stderr' },
};

function trainOptions(model: WordVectorsModel, v: ParsedArgs['values']): WordVectorsTrainOptions {
  if (typeof v.input !== 'string') throw new UsageError(`missing -input <file> (see hogwild ${model} --help)`);
  if (typeof v.output !== 'string') throw new UsageError(`missing -output <prefix> (see hogwild ${model} --help)`);
  const o: WordVectorsTrainOptions = { input: v.input, model };
  const set = <K extends keyof WordVectorsTrainOptions>(k: K, x: WordVectorsTrainOptions[K] | undefined) => {
    if (x !== undefined) o[k] = x;
  };
  set('dim', intOption(v, 'dim', 1, 65536));
  set('ws', intOption(v, 'ws', 1, 1 << 20));
  set('epoch', intOption(v, 'epoch', 1, 1_000_000));
  set('lr', numberOption(v, 'lr', 0, 1e6, true));
  set('lrUpdateRate', intOption(v, 'lrUpdateRate', 1));
  set('neg', intOption(v, 'neg', 0, 1 << 20));
  set('t', numberOption(v, 't', 0, 1, true));
  set('thread', intOption(v, 'thread', 1, 1024));
  set('bucket', intOption(v, 'bucket', 0, 1 << 30));
  set('minn', intOption(v, 'minn', 0, 64));
  set('maxn', intOption(v, 'maxn', 0, 64));
  set('minCount', intOption(v, 'minCount', 1));
  set('seed', intOption(v, 'seed', 0, 0x7fffffff));
  if (typeof v.label === 'string') set('label', v.label);
  if (v.loss !== undefined && v.loss !== 'ns') {
    throw new UsageError(`-loss ${String(v.loss)} is not implemented for ${model}: hogwild trains word vectors with -loss ns (fastText's default)`);
  }
  try {
    resolveWordVectorsOptions(o);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return o;
}


function runFor(model: WordVectorsModel) {
  return async (args: ParsedArgs, ctx: CommandContext): Promise<number> => {
    const v = args.values;
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}' (see hogwild ${model} --help)`);
    const opts = trainOptions(model, v);
    checkTrainingFile(opts.input);
    const output = String(v.output);
    const quiet = v.verbose === '0';
    const dir = typeof v['checkpoint-dir'] === 'string' ? v['checkpoint-dir'] : `${output}.checkpoints`;
    const resume = v.resume === true;
    const checkpointInterval = numberOption(v, 'checkpoint-interval', 0, 1e9) ?? 60;
    const resolved = resolveWordVectorsOptions(opts);
    // Locks, settings check, temp sweep; released when this run ends (or at process exit).
    const state = openTrainingState({
      dir,
      outputs: [`${output}.bin`, `${output}.vec`],
      command: `hogwild ${model}`,
      settingsFile: 'hogwild-wordvectors.json',
      settings: { ...resolved },
      shapeKeys: SHAPE_KEYS,
      input: opts.input,
      resume,
    });
    try {
      return await train(model, v, ctx, { opts, output, quiet, dir, resume, checkpointInterval, writeSettings: () => state.writeSettings() });
    } finally {
      state.release();
    }
  };
}

interface RunSettings {
  opts: WordVectorsTrainOptions;
  output: string;
  quiet: boolean;
  dir: string;
  resume: boolean;
  checkpointInterval: number;
  writeSettings: () => void;
}

/** Scan, train (checkpoints, resume, signals) and write `<output>.bin` and `.vec`. */
async function train(model: WordVectorsModel, v: ParsedArgs['values'], ctx: CommandContext, r: RunSettings): Promise<number> {
  const { opts, output, quiet, dir, resume, checkpointInterval } = r;
  let wv: WordVectorsJob;
  try {
    wv = await buildWordVectorsJob(opts);
  } catch (err) {
    if (err instanceof HogwildError && (err.code === 'HOGWILD_DATA' || err.code === 'HOGWILD_IO')) throw new InputError(err.message, { cause: err });
    throw err;
  }
  if (!quiet) ctx.err.write(`Read ${Math.floor(wv.scan.ntokens / 1e6)}M words\nNumber of words:  ${wv.scan.nwords}\nNumber of labels: ${wv.scan.nlabels}\n`);
  r.writeSettings();
  const silent = new Writable({ write: (_chunk, _enc, done) => done() });
  const progress = new ProgressDisplay({
    mode: progressMode({ noProgress: quiet || v['no-progress'] === true }, ctx.err),
    unit: 'words',
    totalEpochs: wv.options.epoch,
    err: quiet ? silent : ctx.err,
    out: ctx.out,
  });
  const session = new LocalSession();
  try {
    const result = await runTraining({
      job: wv.job,
      session,
      progress,
      maxEpochs: wv.options.epoch,
      checkpointDir: dir,
      checkpointNode: model,
      checkpointIntervalMs: 1000 * checkpointInterval,
      resume,
      resumeHint: '-resume',
      perEpoch: wv.tokensPerEpoch,
    });
    if (result.stoppedBy) {
      ctx.err.write(`Stopped after epoch ${result.lastEpoch} of ${wv.options.epoch}; checkpoints are in ${dir}. Continue with the same command plus -resume.\n`);
      return result.exitCode;
    }
    const tokens = result.units ?? 0;
    if (!quiet && result.epochsRun > 0 && result.seconds > 0) {
      ctx.err.write(`Trained ${tokens} words in ${result.seconds.toFixed(2)} s: ${Math.round(tokens / result.seconds)} words/sec (${Math.round(tokens / result.seconds / wv.options.thread)} words/sec/thread)\n`);
    }
    try {
      await writeWordVectors(session.workspace, wv, output);
    } catch (err) {
      throw outputError(`cannot write ${output}.bin and ${output}.vec (the checkpoints in ${dir} hold the trained epochs: rerun with -resume once fixed)`, err);
    }
  } finally {
    await session[Symbol.asyncDispose]();
  }
  return EXIT.OK;
}

function command(model: WordVectorsModel, summary: string): Command {
  return {
    name: model,
    summary,
    usage: [`hogwild ${model} -input <file> -output <prefix> [options]`],
    options: OPTIONS,
    details:
      `fastText's ${model} with negative sampling, as fastText trains it (subsampling, windows of size 1..ws, unigram^0.5 negatives, ` +
      'the learning rate decayed linearly over the tokens of the run). Writes <prefix>.bin (a fastText model file) and <prefix>.vec. ' +
      'The input rows start uniform in ±1/dim (fastText 0.9.2 initializes only the first thread×10% of them). ' +
      'Checkpoints go to <prefix>.checkpoints (after an epoch once -checkpoint-interval seconds passed, and after the last); ' +
      'after a crash or Ctrl-C the same command with -resume continues the same learning-rate schedule.',
    run: runFor(model),
  };
}

export const cbow = command('cbow', 'train word vectors with fastText cbow (word from its context)');
export const skipgram = command('skipgram', 'train word vectors with fastText skipgram (context from a word)');
