// Hogwild training on a sparse problem (the seeded text corpus of the
// benchmark, smaller): 2 threads reach the accuracy of 1 thread (±0.5 pt),
// per-thread dense replicas match plain shared updates, and with one thread
// and a seed two runs give bitwise-identical parameters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { FULL_CORPUS, ensureCorpusFiles, type CorpusFiles } from '../../bench/data/corpus.js';
import { epochLimiter, FastTextFile, Job, JobRunner, LocalSession, Net, ops, pipe, Task, TextClassifier, type Dataset } from '../../lib/index.js';

const cache = mkdtempSync(join(tmpdir(), 'hogwild-corpus-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

let corpus: CorpusFiles | undefined;
function smallCorpus(): CorpusFiles {
  corpus ??= ensureCorpusFiles({ ...FULL_CORPUS, train: 60_000, test: 20_000 }, cache);
  return corpus;
}

interface Run {
  p1: number;
  params: Map<string, Uint8Array>;
}

async function train(threads: number, options: { denseSyncEvery?: number; hotRows?: number; shuffle?: boolean; epochs?: number } = {}): Promise<Run> {
  const c = smallCorpus();
  const file = await FastTextFile.scan(c.trainTxt);
  const info = file.info!;
  const epochs = options.epochs ?? 3;
  const batchSize = 32;
  const clf = new TextClassifier({
    vocab: info.inputRows, dim: 16, classes: info.nlabels, learningRate: 8, seed: 5,
    totalIterations: epochs * Math.ceil(info.examples / batchSize), denseSyncEvery: options.denseSyncEvery ?? 16,
    hotRows: options.hotRows ?? 0,
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
        clf.paramInit(net);
      }),
    );
    const reader = options.shuffle ? trainDs!.randomReader({ batchSize, seed: 11, loopOver: false }) : trainDs!.reader({ batchSize });
    pipe(reader, { processor: clf, numThreads: threads, name: 'trainer' });
    epochLimiter(job, epochs);
  });
  const session = new LocalSession();
  try {
    await new JobRunner(job).train(session);
    const evalNet = new Net('eval');
    const { accuracy } = clf.evaluate(evalNet, testDs!.content());
    await session.run(evalNet);
    const params = new Map<string, Uint8Array>();
    for (const p of clf.params) {
      const t = session.workspace.fetch(p);
      params.set(p, new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)));
    }
    return { p1: Number(session.workspace.fetch(accuracy.name).data[0]), params };
  } finally {
    await session.close();
  }
}

describe('Hogwild sanity', () => {
  test('2 threads reach the accuracy of 1 thread (±0.5 pt)', async () => {
    const one = await train(1);
    const two = await train(2);
    expect(one.p1).toBeGreaterThan(0.75);
    expect(Math.abs(two.p1 - one.p1)).toBeLessThanOrEqual(0.005);
  });

  test('2 threads with the frequent rows in per-thread replicas match too', async () => {
    const one = await train(1, { hotRows: 1024 });
    const two = await train(2, { hotRows: 1024 });
    expect(Math.abs(two.p1 - one.p1)).toBeLessThanOrEqual(0.005);
  });

  test('shared dense updates (no replicas) train as well', async () => {
    const one = await train(1);
    const shared = await train(2, { denseSyncEvery: 0 });
    expect(Math.abs(shared.p1 - one.p1)).toBeLessThanOrEqual(0.005);
  });
});

describe('bad sizes', () => {
  test('ids beyond the embedding fail the run with HOGWILD_INDEX_OUT_OF_RANGE', async () => {
    const c = smallCorpus();
    const file = await FastTextFile.scan(c.trainTxt);
    const clf = new TextClassifier({ vocab: 100, dim: 4, classes: file.info!.nlabels, learningRate: 1 });
    const job = new Job();
    job.scope(() => {
      let ds: Dataset | undefined;
      job.initGroup.scope(() =>
        new Task({ name: 'load' }).scope(() => {
          ds = file.read(ops.net(), { name: 'train' }).dataset;
          clf.paramInit(ops.net());
        }),
      );
      pipe(ds!.reader({ batchSize: 8 }), { processor: clf, numThreads: 2 });
      epochLimiter(job, 1);
    });
    const session = new LocalSession();
    try {
      await expect(new JobRunner(job).train(session)).rejects.toMatchObject({ code: 'HOGWILD_INDEX_OUT_OF_RANGE' });
    } finally {
      await session.close();
    }
  });
});

describe('deterministic mode', () => {
  test('one thread and a seed: two runs give bitwise-identical parameters', async () => {
    const a = await train(1, { epochs: 1, shuffle: true, hotRows: 1024 });
    const b = await train(1, { epochs: 1, shuffle: true, hotRows: 1024 });
    for (const [name, bytes] of a.params) expect(Buffer.compare(Buffer.from(bytes), Buffer.from(b.params.get(name)!)), name).toBe(0);
    expect(a.p1).toBe(b.p1);
  });
});
