// Hogwild training with pipe()'s `replicate` option. On a sparse problem (the
// seeded text corpus of the benchmark, smaller, with fastText's model): 2
// threads with per-thread output layers reach the accuracy of 1 thread
// (±0.5 pt), as do 2 threads sharing everything; with one thread and a seed two
// runs give bitwise-identical parameters. On a dense model that is not
// fastText's (softmax regression), replicas train as well as shared updates,
// and bad replicate options fail at build time with a clear message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { FULL_CORPUS, ensureCorpusFiles, type CorpusFiles } from '../../bench/data/corpus.js';
import {
  buildFastTextModel,
  Dataset,
  epochLimiter,
  FASTTEXT_BLOBS,
  FastTextFile,
  Job,
  JobRunner,
  LocalSession,
  ModelHelper,
  Net,
  NetProcessor,
  ops,
  pipe,
  schema,
  scalar,
  Task,
  buildSgd,
} from '../../lib/index.js';

const cache = mkdtempSync(join(tmpdir(), 'hogwild-corpus-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

let corpus: CorpusFiles | undefined;
function smallCorpus(): CorpusFiles {
  corpus ??= ensureCorpusFiles({ ...FULL_CORPUS, train: 30_000, test: 10_000 }, cache);
  return corpus;
}

interface Run {
  p1: number;
  params: Map<string, Uint8Array>;
}

const PARAMS = [FASTTEXT_BLOBS.input, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias];

async function train(threads: number, options: { syncEvery?: number; shuffle?: boolean; epochs?: number; inputRows?: number; hotRows?: number } = {}): Promise<Run> {
  const c = smallCorpus();
  const file = await FastTextFile.scan(c.trainTxt);
  const info = file.info!;
  const epochs = options.epochs ?? 2;
  const batchSize = 32;
  const ft = buildFastTextModel({
    inputRows: options.inputRows ?? info.inputRows, dim: 16, labels: info.nlabels, lr: 0.5, batchSize, seed: 5,
    totalBatches: epochs * Math.ceil(info.examples / batchSize),
  });
  const job = new Job();
  let trainDs: Dataset | undefined, testDs: Dataset | undefined;
  job.scope(() => {
    job.initGroup.scope(() =>
      new Task({ name: 'load' }).scope(() => {
        const net = ops.net();
        const t = file.read(net, { name: 'train' });
        trainDs = t.dataset;
        testDs = new FastTextFile(c.testTxt).read(net, { name: 'test', dictionary: t.dictionary }).dataset;
      }),
    );
    job.initGroup.scope(() => new Task({ name: 'params', step: ft.model.paramInitNet }));
    const reader = options.shuffle ? trainDs!.randomReader({ batchSize, seed: 11, loopOver: false }) : trainDs!.reader({ batchSize });
    const syncEvery = options.syncEvery ?? 16;
    const rows = options.hotRows ? [{ param: FASTTEXT_BLOBS.input, count: options.hotRows }] : [];
    pipe(reader, { processor: ft.processor, numThreads: threads, name: 'trainer', ...(syncEvery > 0 ? { replicate: { params: ft.denseParams, syncEvery, rows } } : {}) });
    epochLimiter(job, epochs);
  });
  const session = new LocalSession();
  try {
    await new JobRunner(job).train(session);
    const evalNet = new Net('eval');
    const rec = testDs!.content();
    const h = evalNet.SparseLengthsMean([FASTTEXT_BLOBS.input, rec.field('tokens:values'), rec.field('tokens:lengths')]);
    const accuracy = evalNet.Accuracy([evalNet.FC([h, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias]), rec.field('label')]);
    await session.run(evalNet);
    const params = new Map<string, Uint8Array>();
    for (const p of PARAMS) {
      const t = session.workspace.fetch(p);
      params.set(p, new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)));
    }
    return { p1: Number(session.workspace.fetch(accuracy.name).data[0]), params };
  } finally {
    await session.close();
  }
}

describe('Hogwild on fastText\'s model', () => {
  test('2 threads with replicated output layers reach the accuracy of 1 thread (±0.5 pt)', async () => {
    const one = await train(1, { syncEvery: 0 });
    const two = await train(2);
    expect(one.p1).toBeGreaterThan(0.7);
    expect(Math.abs(two.p1 - one.p1)).toBeLessThanOrEqual(0.005);
  });

  test('shared dense updates (no replicas) train as well', async () => {
    const one = await train(1, { syncEvery: 0 });
    const shared = await train(2, { syncEvery: 0 });
    expect(Math.abs(shared.p1 - one.p1)).toBeLessThanOrEqual(0.005);
  });

  test('2 threads with replicated output layers and 256 hot input rows stay within 2.5 pt of 1 thread', async () => {
    const one = await train(1, { syncEvery: 0 });
    const two = await train(2, { hotRows: 256 });
    // Two epochs at 0.728 P@1 (underfit) and 16 per step: the hot rows' delayed
    // merges cost accuracy here; 4 runs gave 0.710-0.725 (docs/hogwild.md §2).
    expect(two.p1).toBeGreaterThan(one.p1 - 0.025);
    expect(two.p1).toBeLessThan(one.p1 + 0.01);
  });

  test('one thread: hot rows merged only when the thread ends give the parameters of in-place updates', async () => {
    const inPlace = await train(1, { syncEvery: 0, epochs: 1 });
    const atExit = await train(1, { syncEvery: 1_000_000, epochs: 1, hotRows: 300 });
    for (const name of [FASTTEXT_BLOBS.input, FASTTEXT_BLOBS.output]) {
      const a = new Float32Array(inPlace.params.get(name)!.buffer), b = new Float32Array(atExit.params.get(name)!.buffer);
      expect(b.length).toBe(a.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      // Reads and updates of rows < 300 went to the replica, the rest to the table, in the same order.
      expect(worst, name).toBeLessThan(1e-4);
    }
    // It trained (equal parameters would prove nothing otherwise).
    expect(inPlace.p1).toBeGreaterThan(0.5);
    expect(atExit.p1).toBe(inPlace.p1);
  });

  test('ids beyond the embedding fail the run with HOGWILD_INDEX_OUT_OF_RANGE', async () => {
    await expect(train(2, { inputRows: 100, epochs: 1 })).rejects.toMatchObject({ code: 'HOGWILD_INDEX_OUT_OF_RANGE' });
  });

  test('one thread and a seed: two runs give bitwise-identical parameters (replicas on)', async () => {
    const a = await train(1, { epochs: 1, shuffle: true });
    const b = await train(1, { epochs: 1, shuffle: true });
    for (const [name, bytes] of a.params) expect(Buffer.compare(Buffer.from(bytes), Buffer.from(b.params.get(name)!)), name).toBe(0);
    expect(a.p1).toBe(b.p1);
  });
});

// Softmax regression on 3 Gaussian blobs in 8 dimensions: a dense model whose
// every parameter is written by every batch.
function blobs(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * 8), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let d = 0; d < 8; d++) x[i * 8 + d] = (d % 3 === c ? 2 : 0) + (u() + u() + u() - 1.5);
  }
  return { x, y };
}

async function trainDense(threads: number, replicate: boolean, syncEvery = 4): Promise<{ accuracy: number; w: Float32Array }> {
  const data = blobs(3000, 3);
  const model = new ModelHelper({ name: 'softmax_reg', seed: 1 });
  const logits = model.fc('sr_in/x', 'sr/out', 8, 3);
  const [, loss] = model.softmaxWithLoss(logits, 'sr_in/y', ['sr/probs', 'sr/loss']);
  model.addGradientOperators(loss);
  buildSgd(model, { baseLearningRate: 0.2 });
  const ds = new Dataset(schema({ x: scalar('float32', [8]), y: 'int32' }), { name: 'sr_data' });
  const job = new Job();
  job.scope(() => {
    job.initGroup.scope(() =>
      new Task({ name: 'load' }).scope(() => {
        const net = ops.net();
        const [bx, by] = ds._allocateBlobs(net);
        net.GivenTensorFill([], [bx!], { shape: [3000, 8], values: [...data.x] });
        net.GivenTensorIntFill([], [by!], { shape: [3000], values: [...data.y] });
      }),
    );
    job.initGroup.scope(() => new Task({ name: 'params', step: model.paramInitNet }));
    const proc = new NetProcessor(model.net, { inputs: ['sr_in/x', 'sr_in/y'], name: 'sr' });
    pipe(ds.reader({ batchSize: 10 }), { processor: proc, numThreads: threads, ...(replicate ? { replicate: { params: ['sr/out_w', 'sr/out_b'], syncEvery } } : {}) });
    epochLimiter(job, 3);
  });
  const session = new LocalSession();
  try {
    await new JobRunner(job).train(session);
    const evalNet = new Net('eval');
    evalNet.GivenTensorFill([], ['ev/x'], { shape: [3000, 8], values: [...data.x] });
    evalNet.GivenTensorIntFill([], ['ev/y'], { shape: [3000], values: [...data.y] });
    const acc = evalNet.Accuracy([evalNet.FC(['ev/x', 'sr/out_w', 'sr/out_b']), 'ev/y']);
    await session.run(evalNet);
    return { accuracy: Number(session.workspace.fetch(acc.name).data[0]), w: Float32Array.from(session.workspace.fetch('sr/out_w').data as Float32Array) };
  } finally {
    await session.close();
  }
}

describe('replicate on any model', () => {
  test('softmax regression: 2 threads with replicas learn like 2 threads sharing in place', async () => {
    const shared = await trainDense(2, false);
    const replicated = await trainDense(2, true);
    expect(shared.accuracy).toBeGreaterThan(0.95);
    expect(replicated.accuracy).toBeGreaterThan(0.95);
  });

  test('one thread: replicas merged only when the thread ends give the parameters of in-place updates', async () => {
    const inPlace = await trainDense(1, false);
    const atExit = await trainDense(1, true, 1_000_000);
    expect(atExit.w.length).toBe(24);
    // shared += local - base with shared == base: equal up to rounding.
    for (let i = 0; i < inPlace.w.length; i++) expect(atExit.w[i]).toBeCloseTo(inPlace.w[i]!, 4);
    expect(Math.max(...inPlace.w.map(Math.abs))).toBeGreaterThan(0.1);
  });

  test('bad replicate options fail at build time', () => {
    const ds = new Dataset(schema({ x: scalar('float32', [2]) }), { name: 'bad_rep' });
    const job = new Job();
    job.initGroup.scope(() => new Task({ name: 'load' }).scope(() => ds._allocateBlobs(ops.net())));
    const build = (opts: object, processor?: object) => job.scope(() => pipe(ds.reader(), { numThreads: 2, ...(processor ? { processor } : {}), ...opts } as never));
    const proc = { process: () => void ops.net().Copy(['w'], ['w2']) };
    expect(() => build({ replicate: { params: ['w'] } })).toThrow(/Expected a processor with replicate/);
    expect(() => build({ replicate: { params: ['w'], syncEvery: -1 } }, proc)).toThrow(/integer >= 0 for replicate.syncEvery/);
    expect(() => build({ replicate: { params: ['w', 'w'] } }, proc)).toThrow(/distinct blobs/);
    expect(() => build({ replicate: { params: ['unused'] } }, proc)).toThrow(/never read or write them/);
    expect(() => build({ replicate: { params: [], rows: [{ param: 'w', count: 0 }] } }, proc)).toThrow(/count >= 1/);
    expect(() => build({ replicate: { params: ['w'], rows: [{ param: 'w', count: 4 }] } }, proc)).toThrow(/listed twice/);
    expect(() => build({ replicate: { params: [], rows: [{ param: 'w', count: 4 }] } }, proc)).toThrow(/read only by SparseLengthsSum.*but Copy uses it/);
    expect(() => build({ replicate: { params: [], rows: [{ param: 'emb', count: 4 }] } }, proc)).toThrow(/row-replicated tables \(emb\)/);
  });
});
