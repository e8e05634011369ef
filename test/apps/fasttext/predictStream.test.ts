// Streaming prediction (lib/apps/fasttext/predictStream.ts) and the native
// predictor behind it: the answers are the training graph's (ReadFastTextFile →
// SparseLengthsMean → FC → Softmax, run as a plan), whatever the chunking and
// the number of batches in flight; errors name the line; a too long line is
// refused without buffering it.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { FASTTEXT_BLOBS, FASTTEXT_MODEL_BLOBS } from '../../../lib/apps/fasttext/FastTextJob.js';
import { FastTextModel } from '../../../lib/apps/fasttext/FastTextModel.js';
import { formatPredictions, Meter, topK, type Prediction } from '../../../lib/apps/fasttext/metrics.js';
import { predictStream, type StreamMode } from '../../../lib/apps/fasttext/predictStream.js';
import { FastTextPredictor } from '../../../lib/apps/fasttext/FastTextPredictor.js';
import { loadCheckpoint } from '../../../lib/checkpoint/files.js';
import { native } from '../../../lib/native/binding.js';
import { HogwildError } from '../../../lib/errors/index.js';
import { Net } from '../../../lib/net/Net.js';
import { Workspace } from '../../../lib/runtime/Workspace.js';
import { LocalSession } from '../../../lib/session/LocalSession.js';
import { scratch } from '../../cli/helpers.js';
import { corpusLines, rng, writeModel, type ModelFixture } from './modelFixture.js';

let dir: string;
let fixture: ModelFixture;
let model: FastTextModel;
// Labelled and unlabelled lines, unknown words, an empty line, tabs and '\r'.
const lines = [...corpusLines(700, 11, 80), '', 'w1\tw2\r', 'zzz unknown words only', '__label__zzz w3 w4', 'w5'];

/** The scores of the training graph, one row of probabilities per line. */
async function referenceProbs(input: readonly string[]): Promise<Float32Array> {
  const ws = new Workspace();
  const session = new LocalSession({ workspace: ws });
  try {
    await loadCheckpoint(ws, fixture.path, { blobNames: FASTTEXT_MODEL_BLOBS });
    const file = join(dir, 'ref.txt');
    writeFileSync(file, input.map((l) => `${model.labels[0]} ${l}\n`).join(''));
    const net = new Net('ref');
    const [, lengths, values] = net.op('ReadFastTextFile', [FASTTEXT_BLOBS.dictionary], ['ref/l', 'ref/n', 'ref/ids'], { path: file }) as [unknown, string, string];
    const hidden = net.SparseLengthsMean([FASTTEXT_BLOBS.input, values, lengths], ['ref/h']);
    net.Softmax(net.FC([hidden, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias], ['ref/logits']), ['ref/probs']);
    await session.run(net);
    const probs = ws.fetch('ref/probs');
    expect(probs.shape[0]).toBe(input.length);
    return probs.data as Float32Array;
  } finally {
    await session.close();
    ws.dispose();
  }
}

async function referencePredictions(input: readonly string[], k: number, th: number): Promise<Prediction[][]> {
  const probs = await referenceProbs(input);
  const n = model.labels.length;
  return input.map((_, i) => topK(probs, i * n, n, model.labels, k, th));
}

/** Splits `text` into pieces of random sizes (1..max bytes), as a pipe may deliver it. */
async function* pieces(text: Buffer, seed: number, max: number): AsyncGenerator<Uint8Array> {
  const r = rng(seed);
  for (let at = 0; at < text.length; ) {
    const n = 1 + Math.floor(r() * max);
    yield text.subarray(at, at + n);
    at += n;
  }
}

async function run(mode: StreamMode, input: AsyncIterable<Uint8Array>, o: { k?: number; threshold?: number; json?: boolean; chunkBytes?: number; concurrency?: number } = {}) {
  let out = '';
  const r = await predictStream(model.predictor(), input, { mode, labels: model.labels, write: (c) => void (out += c.toString()), ...o });
  return { out, ...r };
}

beforeAll(async () => {
  dir = scratch('predict-stream');
  fixture = await writeModel(dir);
  model = await FastTextModel.load(fixture.path);
});

afterAll(async () => {
  await model?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('predictions', () => {
  test.each([
    ['predict', 1, 0],
    ['predict-prob', 3, 0],
    ['predict-prob', 10, 0.2],
  ] as const)('%s k=%i th=%f equals the training graph, formatted as before', async (mode, k, th) => {
    const ref = await referencePredictions(lines, k, th);
    const expected = ref.map((p) => `${formatPredictions(p, mode === 'predict-prob')}\n`).join('');
    const text = Buffer.from(`${lines.join('\n')}\n`);
    const whole = await run(mode, pieces(text, 1, text.length), { k, threshold: th });
    expect(whole.out).toBe(expected);
    expect(whole.lines).toBe(lines.length);
    // Any chunking, tiny batches, several in flight: the same answers in the same order.
    const chopped = await run(mode, pieces(text, 2, 50), { k, threshold: th, chunkBytes: 64, concurrency: 3 });
    expect(chopped.out).toBe(expected);
    // FastTextModel.predict gives the same.
    expect(await model.predict(lines, k, th)).toEqual(ref);
  });

  test('json lines, a last line without newline, a byte-order mark', async () => {
    const ref = await referencePredictions(lines.slice(0, 50), 2, 0);
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.slice(0, 50).join('\n'))]);
    const r = await run('predict-prob', pieces(text, 3, 2), { k: 2, json: true, chunkBytes: 100 });
    expect(r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(ref);
    const labelsOnly = await run('predict', pieces(text, 3, 1000), { k: 2, json: true });
    expect(labelsOnly.out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(ref.map((p) => p.map((x) => x.label)));
  });

  test('test counts what fastText counts: lines with a known label', async () => {
    const known = new Set(model.labels);
    const labelled = lines.filter((l) => l.split(/[ \t\r\v\f\0]+/).some((t) => known.has(t)));
    expect(labelled.length).toBeGreaterThan(600);
    for (const k of [1, 2]) {
      const ref = await referencePredictions(labelled, k, 0);
      const meter = new Meter();
      labelled.forEach((l, i) => meter.log(model.goldLabels(l), ref[i]!));
      const r = await run('test', pieces(Buffer.from(lines.join('\n')), 4, 300), { k, chunkBytes: 500, concurrency: 2 });
      expect(r.meter!.format(k)).toBe(meter.format(k));
      expect([r.meter!.examples, r.meter!.gold, r.meter!.predicted, r.meter!.predictedGold]).toEqual([meter.examples, meter.gold, meter.predicted, meter.predictedGold]);
      expect((await model.test(lines, k)).text).toBe(meter.format(k));
    }
  });
});

describe('bad input', () => {
  test('invalid UTF-8 names its line across chunks; earlier answers are written first', async () => {
    const good = lines.slice(0, 300);
    const text = Buffer.concat([Buffer.from(`${good.join('\n')}\n`), Buffer.from([0x77, 0xff, 0x0a]), Buffer.from('w1 w2\n')]);
    let out = '';
    const err = await predictStream(model.predictor(), pieces(text, 5, 40), {
      mode: 'predict', labels: model.labels, chunkBytes: 64, concurrency: 2, write: (c) => void (out += c.toString()),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HogwildError);
    expect((err as HogwildError).code).toBe('HOGWILD_DATA');
    expect((err as Error).message).toMatch(/^line 301: invalid UTF-8 at byte 2/);
    expect(out.split('\n').length - 1).toBeGreaterThanOrEqual(250);
    expect(out.split('\n').length - 1).toBeLessThanOrEqual(300);
  });

  test('a line longer than max_line_bytes is refused without being buffered', async () => {
    mkdirSync(join(dir, 'small'));
    const small = await writeModel(join(dir, 'small'), { maxLineBytes: 1000, seed: 9 });
    const m = await FastTextModel.load(small.path);
    try {
      let pulled = 0;
      async function* endless(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('w1 w2\nw3\n');
        for (;;) {
          pulled++;
          yield Buffer.alloc(256, 0x61); // 'a' forever, no newline
        }
      }
      let out = '';
      const err = await predictStream(m.predictor(), endless(), { mode: 'predict', labels: m.labels, write: (c) => void (out += c.toString()) }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/^line 3: line is longer than max_line_bytes \(1000\)/);
      expect(pulled).toBeLessThanOrEqual(5);
      expect(out.split('\n')).toHaveLength(3);
      // A long line inside one chunk is the native check's.
      const one = await predictStream(m.predictor(), [Buffer.from(`w1\n${'b'.repeat(1001)}\n`)], { mode: 'predict', labels: m.labels, write: () => undefined }).catch((e: unknown) => e);
      expect((one as Error).message).toMatch(/^line 2: line is 1001 bytes, more than max_line_bytes \(1000\)/);
    } finally {
      await m.dispose();
    }
  });

  test('a bad line is reported at once, while the input is still open', async () => {
    async function* silentAfterBadLine(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('w1 w2\n\xff\n', 'latin1');
      await new Promise(() => undefined); // a writer that never writes again nor closes
    }
    const t0 = Date.now();
    const err = await predictStream(model.predictor(), silentAfterBadLine(), { mode: 'predict', labels: model.labels, write: () => undefined }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^line 2: invalid UTF-8/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('k and threshold are checked', async () => {
    await expect(run('predict', pieces(Buffer.from('w1\n'), 1, 4), { k: 0 })).rejects.toThrow(/k but received 0/);
    await expect(run('predict', pieces(Buffer.from('w1\n'), 1, 4), { threshold: 2 })).rejects.toThrow(/threshold but received 2/);
    await expect(model.predict(['w1'], 1.5)).rejects.toThrow(/k but received 1.5/);
  });
});

test('the native surface refuses bad arguments and parameters that do not fit the dictionary', async () => {
  const b = native();
  const ok = { k: 1, threshold: 0, output: 1, firstLine: 1 };
  const handle = (model.predictor() as unknown as { _native: { handle: unknown } })._native.handle;
  expect(() => b.fastTextPredict({}, Buffer.from('w1\n'), ok)).toThrow(/Expected a fastText predictor/);
  expect(() => b.fastTextPredict(handle, 'w1' as never, ok)).toThrow(/Expected a Uint8Array for bytes/);
  expect(() => b.fastTextPredict(handle, Buffer.from('w1'), { ...ok, output: 4 })).toThrow(/options\.output/);
  expect(() => b.fastTextPredict(handle, Buffer.from('w1'), { ...ok, threshold: Number.NaN })).toThrow(/options\.threshold/);
  expect(() => b.fastTextPredict(handle, Buffer.from('w1'), { ...ok, firstLine: 0 })).toThrow(/options\.firstLine/);
  const r = await b.fastTextPredict(handle, new Uint8Array(0), ok);
  expect(r).toMatchObject({ lines: 0 });
  expect(r.text!.length).toBe(0);

  // A model file whose output layer has the wrong shape is refused at load, naming the blob.
  const ws = new Workspace();
  try {
    await loadCheckpoint(ws, fixture.path, { blobNames: FASTTEXT_MODEL_BLOBS });
    ws.feed(FASTTEXT_BLOBS.output, { shape: [model.labels.length + 1, fixture.dim], data: new Float32Array((model.labels.length + 1) * fixture.dim) });
    expect(() => FastTextPredictor.fromWorkspace(ws)).toThrow(/Expected the fastText output layer to have shape \[\d+, 8\]/);
    ws.feed(FASTTEXT_BLOBS.output, { shape: [model.labels.length, fixture.dim], data: new Float32Array(model.labels.length * fixture.dim) });
    ws.feed(FASTTEXT_BLOBS.input, { shape: [3, fixture.dim], data: new Float32Array(3 * fixture.dim) });
    expect(() => FastTextPredictor.fromWorkspace(ws)).toThrow(/Expected the fastText input embedding to have shape \[\d+, 8\]/);
  } finally {
    ws.dispose();
  }
});

test('many lines through small batches stay in order (seeded fuzz of chunk sizes)', async () => {
  const many = Array.from({ length: 6 }, () => lines).flat();
  const ref = await run('predict-prob', pieces(Buffer.from(`${many.join('\n')}\n`), 6, 1 << 16), { k: 2 });
  for (const seed of [7, 8]) {
    const r = await run('predict-prob', pieces(Buffer.from(`${many.join('\n')}\n`), seed, 300), { k: 2, chunkBytes: 1 + Math.floor(rng(seed)() * 500), concurrency: 4 });
    expect(r.out).toBe(ref.out);
  }
});
