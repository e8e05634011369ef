/**
 * `hogwild supervised`: fastText's supervised training on the Job API, with
 * Hogwild threads, a checkpoint per epoch and resume after a crash or Ctrl-C.
 * Writes `<output>.bin` (the model), and `<output>.train.svg/.png` (charts) with
 * -charts: like fastText it writes nothing else by default (drawing them costs
 * about 0.4 s of vega start-up and rendering, a quarter of a short run).
 */

import { buildFastTextJob, type FastTextJob } from '../../apps/fasttext/FastTextJob.js';
import { modelFileOf, saveFastTextModel } from '../../apps/fasttext/FastTextModel.js';
import { pretrainedVectorsSession } from '../../apps/fasttext/fastTextBin/pretrained.js';
import { resolveFastTextOptions, type FastTextLoss, type FastTextTrainOptions, type ResolvedFastTextOptions } from '../../apps/fasttext/options.js';
import { HogwildError } from '../../errors/index.js';
import { LocalSession } from '../../session/LocalSession.js';
import { intOption, numberOption, type OptionSpecs, type ParsedArgs } from '../args.js';
import { writeTrainingCharts, type ChartResult } from '../charts.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT, InputError, outputError, UsageError } from '../exitCodes.js';
import { checkTrainingFile } from '../input.js';
import { openSupervisedState } from '../trainingState.js';
import { ProgressDisplay, progressMode, si } from '../progress.js';
import { fastTextProgress } from '../fastTextProgress.js';
import { runTraining, type TrainingResult } from '../trainLoop.js';

const OPTIONS: OptionSpecs = {
  input: { type: 'string', value: 'file', description: 'training file path (fastText format)' },
  output: { type: 'string', value: 'prefix', description: 'output path prefix: writes <prefix>.bin (and charts with -charts)' },
  dim: { type: 'string', value: 'int', description: 'size of word vectors', default: '100' },
  epoch: { type: 'string', value: 'int', description: 'number of epochs', default: '5' },
  lr: { type: 'string', value: 'float', description: 'learning rate, decayed linearly to 0', default: '0.1' },
  thread: { type: 'string', value: 'int', description: 'Hogwild threads sharing the parameters', default: 'min(12, cores)' },
  wordNgrams: { type: 'string', value: 'int', description: 'max length of word n-grams', default: '1' },
  bucket: { type: 'string', value: 'int', description: 'number of n-gram hash buckets', default: '2000000' },
  minn: { type: 'string', value: 'int', description: 'min length of character n-grams', default: '0' },
  maxn: { type: 'string', value: 'int', description: 'max length of character n-grams', default: '0' },
  minCount: { type: 'string', value: 'int', description: 'minimal number of word occurrences', default: '1' },
  minCountLabel: { type: 'string', value: 'int', description: 'minimal number of label occurrences', default: '0' },
  loss: { type: 'string', value: 'name', description: 'loss function {softmax, hs, ns, ova}', default: 'softmax' },
  neg: { type: 'string', value: 'int', description: 'number of negatives sampled (-loss ns)', default: '5' },
  seed: { type: 'string', value: 'int', description: 'seed of the initialization and the example order', default: '0' },
  label: { type: 'string', value: 'prefix', description: 'labels prefix', default: '__label__' },
  pretrainedVectors: { type: 'string', value: 'file', description: 'word vectors (.vec) for the input rows of the words they have' },
  'checkpoint-dir': { type: 'string', value: 'dir', description: 'where checkpoints are saved (see -checkpoint-interval)', default: '<prefix>.checkpoints' },
  'checkpoint-interval': { type: 'string', value: 'seconds', description: 'save an epoch when this long passed since the last save (and always the last epoch); 0: every epoch', default: '60' },
  resume: { type: 'boolean', description: 'resume from the newest valid checkpoint in the checkpoint directory' },
  'hot-rows': { type: 'string', value: 'int', description: 'with -thread > 1: input rows of the most frequent words each thread trains in its own copy (docs/hogwild.md §2)', default: '0' },
  'skip-invalid': { type: 'boolean', description: 'skip lines without a known label (fastText does so silently) instead of failing' },
  charts: { type: 'boolean', description: 'also write <prefix>.train.svg/.png: loss and throughput per epoch' },
  'no-charts': { type: 'boolean', description: 'write no charts (the default; kept for older scripts)' },
  json: { type: 'boolean', description: 'machine-readable events, one JSON object per line on stdout' },
  'no-progress': { type: 'boolean', description: 'no live progress line: one line per epoch on stderr' },
  verbose: { type: 'string', value: 'level', description: 'accepted for fastText compatibility (0 silences the header)', default: '2' },
};

function trainOptions(v: ParsedArgs['values']): FastTextTrainOptions {
  if (typeof v.input !== 'string') throw new UsageError("missing -input <file> (see hogwild supervised --help)");
  if (typeof v.output !== 'string') throw new UsageError("missing -output <prefix> (see hogwild supervised --help)");
  const o: FastTextTrainOptions = { input: v.input };
  const set = <K extends keyof FastTextTrainOptions>(k: K, x: FastTextTrainOptions[K] | undefined) => {
    if (x !== undefined) o[k] = x;
  };
  set('dim', intOption(v, 'dim', 1, 65536));
  set('epoch', intOption(v, 'epoch', 1, 1_000_000));
  set('lr', numberOption(v, 'lr', 0, Infinity, true));
  set('thread', intOption(v, 'thread', 1, 1024));
  set('wordNgrams', intOption(v, 'wordNgrams', 1, 100));
  set('bucket', intOption(v, 'bucket', 0, 1 << 30));
  set('minn', intOption(v, 'minn', 0, 100));
  set('maxn', intOption(v, 'maxn', 0, 100));
  set('minCount', intOption(v, 'minCount', 1));
  set('minCountLabel', intOption(v, 'minCountLabel', 0));
  set('seed', intOption(v, 'seed', 0, 0x7fffffff));
  set('hotRows', intOption(v, 'hot-rows', 0, 1 << 24));
  if (v.loss !== undefined) {
    const loss = String(v.loss);
    if (!['softmax', 'ns', 'hs', 'ova'].includes(loss)) throw new UsageError(`expected one of softmax, ns, hs, ova for -loss but received '${loss}'`);
    o.loss = loss as FastTextLoss;
  }
  set('neg', intOption(v, 'neg', 1, 1024));
  if (typeof v.label === 'string') set('label', v.label);
  if (v['skip-invalid']) o.skipInvalid = true;
  if (typeof v.pretrainedVectors === 'string') o.pretrainedVectors = v.pretrainedVectors;
  try {
    resolveFastTextOptions(o);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return o;
}


async function run(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const v = args.values;
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}' (see hogwild supervised --help)`);
  const opts = trainOptions(v);
  checkTrainingFile(opts.input);
  const output = String(v.output);
  const resolved = resolveFastTextOptions(opts);
  const dir = typeof v['checkpoint-dir'] === 'string' ? v['checkpoint-dir'] : `${output}.checkpoints`;
  const resume = v.resume === true;
  const checkpointInterval = numberOption(v, 'checkpoint-interval', 0, 1e9) ?? 60;
  // Locks, settings check, temp sweep; the locks go at process exit.
  const state = openSupervisedState(dir, modelFileOf(output), resolved, opts.input, resume);
  const mode = progressMode({ json: v.json === true, noProgress: v['no-progress'] === true }, ctx.err);
  const quiet = v.verbose === '0';

  let ft: FastTextJob;
  try {
    ft = await buildFastTextJob(opts);
  } catch (err) {
    if (err instanceof HogwildError && (err.code === 'HOGWILD_DATA' || err.code === 'HOGWILD_IO')) throw new InputError(err.message, { cause: err });
    throw err;
  }
  const s = ft.scan;
  const progress = new ProgressDisplay({ mode, unit: 'tokens', totalEpochs: resolved.epoch, err: ctx.err, out: ctx.out });
  if (mode === 'json') {
    progress.event('start', { command: 'supervised', input: opts.input, words: s.nwords, labels: s.nlabels, examples: s.examples, tokens: s.tokens, epochs: resolved.epoch, threads: resolved.thread, corpusBytes: ft.corpusBytes });
  } else if (!quiet) {
    ctx.err.write(`Read ${Math.floor(s.ntokens / 1e6)}M words\nNumber of words:  ${s.nwords}\nNumber of labels: ${s.nlabels}\n`);
    ctx.err.write(`Encoded corpus: ${s.examples} examples, ${s.ids} ids, ${(ft.corpusBytes / 2 ** 20).toFixed(1)} MiB in memory (parsed once, ${resolved.thread} thread${resolved.thread > 1 ? 's' : ''})\n`);
  }
  state.writeSettings();

  const session = typeof v.pretrainedVectors === 'string' ? await pretrainedVectorsSession(v.pretrainedVectors, ft.job.initGroup, resolved.dim).catch((e: unknown) => Promise.reject(e instanceof HogwildError ? new InputError(e.message, { cause: e }) : e)) : new LocalSession();
  let result: TrainingResult;
  try {
    result = await runTraining({
      job: ft.job,
      session,
      progress,
      maxEpochs: resolved.epoch,
      checkpointDir: dir,
      checkpointNode: 'fasttext',
      // Every epoch would write the whole input table (100s of MB with n-grams) even when the epoch takes 20 ms.
      checkpointIntervalMs: 1000 * checkpointInterval,
      resume,
      resumeHint: '-resume',
      lossReport: 'lossSum',
      ...fastTextProgress(ft),
    });
    if (result.stoppedBy) {
      const msg = `Stopped after epoch ${result.lastEpoch} of ${resolved.epoch}; checkpoints are in ${dir}. Continue with the same command plus -resume.`;
      if (mode === 'json') progress.event('stopped', { signal: result.stoppedBy, epoch: result.lastEpoch, checkpointDir: dir });
      else ctx.err.write(`${msg}\n`);
      return result.exitCode;
    }
    const model = modelFileOf(output);
    await saveFastTextModel(session, model, ft, result.lastEpoch, { input: opts.input }).catch((err: unknown) => {
      throw outputError(`the model ${model} (the checkpoints in ${dir} hold the trained epochs: rerun with -resume once fixed)`, err);
    });
    let charts: ChartResult = { files: [] };
    if (v.charts === true && v['no-charts'] !== true) {
      charts = await writeTrainingCharts(`${output}.train`, result.points, { unit: 'tokens', title: `hogwild supervised: ${opts.input}` });
    }
    summary(ctx, progress, { result, ft, model, dir, charts });
    return EXIT.OK;
  } finally {
    await session.close();
  }
}

function summary(
  ctx: CommandContext,
  progress: ProgressDisplay,
  s: { result: TrainingResult; ft: FastTextJob; model: string; dir: string; charts: ChartResult },
): void {
  const { result, ft } = s;
  const rate = result.units !== undefined && result.seconds > 0 ? result.units / result.seconds : undefined;
  const lastLoss = result.points.at(-1)?.loss;
  if (progress.mode === 'json') {
    progress.event('done', {
      epochs: result.lastEpoch,
      epochsRun: result.epochsRun,
      resumedFrom: result.resumedFrom ?? null,
      seconds: result.seconds,
      tokensPerSecond: rate,
      loss: lastLoss,
      model: s.model,
      charts: s.charts.files,
      checkpointDir: s.dir,
    });
    return;
  }
  const lines = [
    result.epochsRun === 0
      ? `Already trained: the checkpoint of epoch ${result.lastEpoch} is the last one`
      : `Trained epoch${result.epochsRun > 1 ? 's' : ''} ${result.lastEpoch - result.epochsRun + 1}${result.epochsRun > 1 ? `-${result.lastEpoch}` : ''} of ${ft.options.epoch}` +
        `${result.resumedFrom !== undefined ? ` (resumed from epoch ${result.resumedFrom})` : ''} in ${result.seconds.toFixed(1)} s` +
        `${rate !== undefined ? `, ${si(rate)} tokens/s` : ''} with ${ft.options.thread} thread${ft.options.thread > 1 ? 's' : ''}`,
  ];
  if (lastLoss !== undefined) lines.push(`Final loss: ${lastLoss.toFixed(4)}`);
  lines.push(`Model: ${s.model}`);
  if (s.charts.files.length > 0) lines.push(`Charts: ${s.charts.files.join(', ')}`);
  else if (s.charts.skipped) lines.push(`Charts: none (${s.charts.skipped})`);
  lines.push(`Checkpoints: ${s.dir}`);
  ctx.out.write(`${lines.join('\n')}\n`);
}

export const supervised: Command = {
  name: 'supervised',
  summary: 'train a fastText supervised classifier (Hogwild threads, checkpoints, resume)',
  usage: ['hogwild supervised -input <train.txt> -output <prefix> [options]'],
  options: OPTIONS,
  details: `Trains fastText's model (mean of word and n-gram vectors, linear layer, softmax)
with the Job API: -thread task instances update one set of parameters without
locks (Hogwild!), each with its own copy of the output layer merged every 16
batches. The file is parsed once, on -thread threads, into memory that every
epoch reshuffles. -lr is per example as in fastText; examples are applied in
small batches (up to 16; fewer for a high -lr, short lines or a small file). A checkpoint is saved after every epoch in the checkpoint
directory. The first Ctrl-C finishes the running epoch, saves it and exits with
status 130; the same command with -resume continues from there, also after a
crash or kill -9. The model is written to <prefix>.bin (a hogwild checkpoint:
safetensors holding the dictionary and the parameters) and the loss and
throughput per epoch to <prefix>.train.svg (and .png).

Example:
  hogwild supervised -input train.txt -output model -dim 16 -epoch 5 -lr 0.5 -thread 2
  hogwild test model.bin test.txt`,
  run,
};
