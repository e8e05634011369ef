/**
 * Our side of the text-classification benchmark (bench/harness/textSuite.ts):
 * fastText's supervised model (mean of token embeddings → linear → softmax)
 * trained by Hogwild threads with the Job API, on the seeded corpus.
 *
 * The job, as a user would write it:
 *   init group   ReadFastTextFile (train, then test with the train dictionary),
 *                parameter fills;
 *   epoch group  pipe(train.reader({ batchSize }), { processor: TextClassifier, numThreads });
 *   stop         epochLimiter(epochs); the learning rate decays linearly to 0.
 * Parameters: the embedding's 1024 most frequent rows and the output layer are
 * trained in per-thread replicas merged every 16 batches, the long tail of the
 * embedding is shared in place (docs/hogwild.md §2).
 * Timing: `train s` is the epochs' run time (JobRunner's epochEnd runMs), as for
 * the peers; `wall s` adds reading the files, building and evaluating.
 *
 * Standalone:
 *   npx tsc -p bench/tsconfig.json && node dist-bench/bench/text_hogwild.js [--quick] [--dims 16,64] [--threads 1,2]
 */
import { pathToFileURL } from 'node:url';

import {
  epochLimiter,
  FastTextFile,
  Job,
  JobRunner,
  LocalSession,
  Net,
  ops,
  pipe,
  Task,
  buildFastTextModel,
  FASTTEXT_BLOBS,
  type BlobReference,
  type Dataset,
} from '../lib/index.js';
import { ensureCorpusFiles, type CorpusFiles } from './data/corpus.js';
import { textBenchConfig, textCase, textMetrics, type TextSuiteOptions } from './harness/textSuite.js';
import type { BenchRow } from './harness/types.js';
import type { TextPeerResult } from './peers/types.js';

export interface TextTrainOptions {
  corpus: CorpusFiles;
  dim: number;
  threads: number;
  epochs: number;
  /** Examples per thread per update (default 64). */
  batchSize?: number;
  /** Step size for the batch-mean loss (default batchSize / 8, decayed linearly to 0). */
  learningRate?: number;
  /** Dense output layer: per-thread replicas merged every K batches (default 16); 0 = shared in place. */
  denseSyncEvery?: number;
  /** Ignored: the embedding starts uniform in ±1/dim (fastText's). */
  initRange?: number;
  /** Ignored since the model is lib/apps/fasttext's: the embedding is shared in place. */
  hotRows?: number;
  seed?: number;
}

export interface TextTrainResult extends TextPeerResult {
  /** Final test loss and the fastText dictionary size, for the report. */
  testLoss: number;
  inputRows: number;
  /** Process CPU seconds spent in the epochs (user + system): ideal scaling keeps it flat across thread counts. */
  trainCpuSeconds: number;
}

/** Trains and evaluates one case; returns the metrics the harness reports. */
export async function trainText(o: TextTrainOptions): Promise<TextTrainResult> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const batchSize = o.batchSize ?? 64;
  const train = await FastTextFile.scan(o.corpus.trainTxt);
  const info = train.info!;
  // The model `hogwild supervised` trains (lr per example; the batch-mean step is lr × batchSize).
  const ft = buildFastTextModel({
    inputRows: info.inputRows,
    dim: o.dim,
    labels: info.nlabels,
    lr: (o.learningRate ?? batchSize / 8) / batchSize,
    batchSize,
    totalBatches: o.epochs * Math.ceil(info.examples / batchSize),
    seed: o.seed ?? 1,
  });
  const syncEvery = o.denseSyncEvery ?? 16;
  const job = new Job();
  let trainDs: Dataset | undefined, testDs: Dataset | undefined;
  job.scope(() => {
    job.initGroup.scope(() =>
      new Task({ name: 'load' }).scope(() => {
        const net = ops.net();
        const t = train.read(net, { name: 'train' });
        trainDs = t.dataset;
        testDs = new FastTextFile(o.corpus.testTxt).read(net, { name: 'test', dictionary: t.dictionary }).dataset;
      }),
    );
    job.initGroup.scope(() => new Task({ name: 'params', step: ft.model.paramInitNet }));
    pipe(trainDs!.reader({ batchSize }), {
      processor: ft.processor,
      numThreads: o.threads,
      name: 'trainer',
      ...(o.threads > 1 && syncEvery > 0 ? { replicate: { params: ft.denseParams, syncEvery } } : {}),
    });
    epochLimiter(job, o.epochs);
  });
  const session = new LocalSession();
  try {
    const runner = new JobRunner(job);
    let trainMs = 0;
    let cpuUs = 0;
    let cpuAt = process.cpuUsage();
    runner.on('epochStart', () => (cpuAt = process.cpuUsage()));
    runner.on('epochEnd', (e) => {
      trainMs += e.runMs;
      const d = process.cpuUsage(cpuAt);
      cpuUs += d.user + d.system;
    });
    await runner.train(session);
    const evalNet = new Net('eval');
    const rec = testDs!.content();
    const h = evalNet.SparseLengthsMean([FASTTEXT_BLOBS.input, rec.field('tokens:values'), rec.field('tokens:lengths')]);
    const logits = evalNet.FC([h, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias]);
    const [, loss] = evalNet.SoftmaxWithLoss([logits, rec.field('label')], 2) as unknown as BlobReference[];
    const accuracy = evalNet.Accuracy([logits, rec.field('label')]);
    await session.run(evalNet);
    const scalar = (b: BlobReference) => Number(session.workspace.fetch(b.name).data[0]);
    const trainSeconds = trainMs / 1000;
    return {
      tokensPerSec: (o.corpus.trainTokens * o.epochs) / trainSeconds,
      trainSeconds,
      wallSeconds: (performance.now() - t0) / 1000,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      p1: scalar(accuracy),
      testLoss: scalar(loss!),
      inputRows: info.inputRows,
      trainCpuSeconds: cpuUs / 1e6,
      cpuSeconds: (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6,
    };
  } finally {
    await session.close();
  }
}

/** The harness entry point: one row per (dim, threads) case. */
export async function run(opts: TextSuiteOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const { dim, threads } of opts.text.cases) {
    const kase = textCase(dim, threads);
    opts.log(`hogwild ${kase}`);
    // The quick corpus has 10× fewer documents: smaller batches keep enough
    // updates to converge, and with so few merges the hot-row replicas would
    // drift (P@1 0.64 at 2 threads), so the quick run shares the embedding.
    const batchSize = opts.quick ? 32 : 64;
    const learningRate = opts.quick ? 16 : 8;
    const hotRows = opts.quick ? 0 : 1024;
    const r = await trainText({ corpus: opts.corpus, dim, threads, epochs: opts.text.epochs, batchSize, learningRate, hotRows });
    rows.push({
      case: kase,
      impl: 'hogwild',
      metrics: textMetrics(r),
      primary: 'tokens/s',
      note: `batch ${batchSize}/thread, lr ${learningRate}; per-thread replicas (merged every 16 batches) of the output layer`,
    });
  }
  return rows;
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const config = textBenchConfig(quick);
  const dims = (arg('--dims') ?? config.cases.map((c) => c.dim).filter((d, i, a) => a.indexOf(d) === i).join(',')).split(',').map(Number);
  const threads = (arg('--threads') ?? '1,2').split(',').map(Number);
  const epochs = Number(arg('--epochs') ?? config.epochs);
  const corpus = ensureCorpusFiles(config.corpus, arg('--cache') ?? 'bench/out/cache');
  const extra = {
    batchSize: Number(arg('--batch') ?? (quick ? 32 : 64)),
    learningRate: Number(arg('--lr') ?? (quick ? 16 : 8)),
    ...(arg('--sync') ? { denseSyncEvery: Number(arg('--sync')) } : {}),
    ...(arg('--init') ? { initRange: Number(arg('--init')) } : {}),
    hotRows: Number(arg('--hot') ?? (quick ? 0 : 1024)),
  };
  console.log(`corpus ${corpus.config.train} train / ${corpus.config.test} test docs, ${corpus.trainTokens} tokens; ${epochs} epochs`);
  for (const dim of dims) {
    for (const t of threads) {
      const r = await trainText({ corpus, dim, threads: t, epochs, ...extra });
      console.log(
        `dim ${dim} · ${t} thread(s): ${(r.tokensPerSec / 1e6).toFixed(1)} M tokens/s, train ${r.trainSeconds.toFixed(2)} s, ` +
          `cpu ${r.trainCpuSeconds.toFixed(2)} s, wall ${r.wallSeconds.toFixed(2)} s, P@1 ${r.p1.toFixed(4)}, test loss ${r.testLoss.toFixed(4)}, RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MB`,
      );
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
