// WordVectorsTrain: one batch against a reference written from fastText's
// cbow()/skipgram()/Model::update (deterministic with ws 1, no subsampling and
// no negatives), and every bad input answered by a HogwildError with its code.
import { describe, expect, test } from 'vitest';

import { Workspace } from '../../../lib/runtime/index.js';
import { op, simplePlan } from '../../native/helpers.js';

// 19 columns: full SIMD lanes and a partial tail at every level.
const DIM = 19;
const NWORDS = 5;
// Word w's input rows: itself, and word 3 also has bucket row 5 (a character n-gram).
const OFFSETS = [0, 1, 2, 3, 5, 6];
const ROWS = [0, 1, 2, 3, 5, 4];
const INPUT_ROWS = 6;

function initial(): { inW: Float32Array; outW: Float32Array } {
  const inW = Float32Array.from({ length: INPUT_ROWS * DIM }, (_, i) => Math.sin(i + 1) * 0.3);
  const outW = Float32Array.from({ length: NWORDS * DIM }, (_, i) => Math.cos(i + 1) * 0.2);
  return { inW, outW };
}

function feedAll(ws: Workspace, lengths: number[], ids: number[], o: { negatives?: number[]; offsets?: number[]; rows?: number[]; inW?: Float32Array } = {}): void {
  const { inW, outW } = initial();
  const neg = o.negatives ?? [0, 1, 2, 3, 4];
  ws.feed('neg', { dtype: 'int32', shape: [neg.length], data: Int32Array.from(neg) });
  ws.feed('keep', { dtype: 'float32', shape: [NWORDS], data: new Float32Array(NWORDS).fill(2) });
  const offsets = o.offsets ?? OFFSETS;
  const rows = o.rows ?? ROWS;
  ws.feed('offsets', { dtype: 'int32', shape: [offsets.length], data: Int32Array.from(offsets) });
  ws.feed('rows', { dtype: 'int32', shape: [rows.length], data: Int32Array.from(rows) });
  ws.feed('lengths', { dtype: 'int32', shape: [lengths.length], data: Int32Array.from(lengths) });
  ws.feed('ids', { dtype: 'int32', shape: [ids.length], data: Int32Array.from(ids) });
  const w = o.inW ?? inW;
  ws.feed('in', { dtype: 'float32', shape: [w.length / DIM, DIM], data: w });
  ws.feed('out', { dtype: 'float32', shape: [NWORDS, DIM], data: outW });
  ws.feed('progress', { dtype: 'int64', shape: [1], data: BigInt64Array.from([0n]) });
}

const train = (args: Record<string, number | string>) =>
  simplePlan('train', [op('WordVectorsTrain', ['neg', 'keep', 'offsets', 'rows', 'lengths', 'ids', 'in', 'out', 'progress'], ['in', 'out', 'progress'], args)]);

// fastText's sigmoid table lookup.
function sigmoid(x: number): number {
  if (x < -8) return 0;
  if (x > 8) return 1;
  const i = Math.trunc(((x + 8) * 512) / 8 / 2);
  const v = (i * 2 * 8) / 512 - 8;
  return Math.fround(1 / (1 + Math.exp(-v)));
}

function reference(model: 'cbow' | 'skipgram', pieces: number[][], lr: number): { inW: Float32Array; outW: Float32Array } {
  const { inW, outW } = initial();
  const rowsOf = (w: number) => ROWS.slice(OFFSETS[w], OFFSETS[w + 1]);
  const update = (rows: number[], target: number) => {
    const hidden = new Float64Array(DIM);
    for (const r of rows) for (let j = 0; j < DIM; j++) hidden[j]! += inW[r * DIM + j]!;
    for (let j = 0; j < DIM; j++) hidden[j]! /= rows.length;
    let dot = 0;
    for (let j = 0; j < DIM; j++) dot += outW[target * DIM + j]! * hidden[j]!;
    const alpha = lr * (1 - sigmoid(dot));
    const grad = new Float64Array(DIM);
    for (let j = 0; j < DIM; j++) {
      grad[j] = alpha * outW[target * DIM + j]!;
      outW[target * DIM + j]! += alpha * hidden[j]!;
    }
    for (const r of rows) for (let j = 0; j < DIM; j++) inW[r * DIM + j]! += grad[j]!;
  };
  for (const line of pieces) {
    for (let w = 0; w < line.length; w++) {
      const ctx = [w - 1, w + 1].filter((c) => c >= 0 && c < line.length);
      if (model === 'cbow') update(ctx.flatMap((c) => rowsOf(line[c]!)), line[w]!);
      else for (const c of ctx) update(rowsOf(line[w]!), line[c]!);
    }
  }
  return { inW, outW };
}

describe('WordVectorsTrain', () => {
  for (const model of ['cbow', 'skipgram'] as const) {
    test(`${model}: one batch equals fastText's update (ws 1, no subsampling, no negatives)`, async () => {
      const ws = new Workspace();
      const pieces = [[0, 3, 1, 4], [2, 3]];
      feedAll(ws, pieces.map((p) => p.length), pieces.flat());
      // total_tokens huge: the rate stays at lr for the whole batch.
      await ws.run(train({ model, ws: 1, neg: 0, lr: 0.5, lr_update_rate: 100, total_tokens: 1e12 }));
      const want = reference(model, pieces, 0.5);
      const gotIn = ws.fetch('in').data as Float32Array;
      const gotOut = ws.fetch('out').data as Float32Array;
      for (let i = 0; i < want.inW.length; i++) expect(gotIn[i]).toBeCloseTo(want.inW[i]!, 5);
      for (let i = 0; i < want.outW.length; i++) expect(gotOut[i]).toBeCloseTo(want.outW[i]!, 5);
      // The moved rows are really moved (the reference is not the initial state).
      expect(want.outW.some((v, i) => Math.abs(v - initial().outW[i]!) > 1e-3)).toBe(true);
      ws.dispose();
    });
  }

  test('advances the shared token counter once more than lr_update_rate tokens accumulated', async () => {
    const ws = new Workspace();
    feedAll(ws, [4, 2], [0, 3, 1, 4, 2, 3]);
    await ws.run(train({ model: 'cbow', ws: 2, neg: 2, lr: 0.1, lr_update_rate: 3, total_tokens: 60 }));
    expect(Number((ws.fetch('progress').data as BigInt64Array)[0])).toBe(4);
    ws.dispose();
  });

  test.each([
    ['a word id out of range', { ids: [0, 7] }, 'HOGWILD_INDEX_OUT_OF_RANGE', /word ids in \[0, 5\)/],
    ['lengths that do not add up', { lengths: [3] }, 'HOGWILD_INVALID_ARGUMENT', /sum of the lengths/],
    ['a negative outside the words', { negatives: [0, 9] }, 'HOGWILD_INDEX_OUT_OF_RANGE', /negatives in \[0, 5\)/],
    ['a row outside the input matrix', { rows: [0, 1, 2, 3, 9, 4] }, 'HOGWILD_INDEX_OUT_OF_RANGE', /rows in \[0, 6\)/],
    ['row offsets of the wrong size', { offsets: [0, 1, 2] }, 'HOGWILD_SHAPE_MISMATCH', /offsets/],
  ] as const)('rejects %s', async (_what, bad, code, message) => {
    const ws = new Workspace();
    const b = bad as { ids?: number[]; lengths?: number[]; negatives?: number[]; rows?: number[]; offsets?: number[] };
    feedAll(ws, b.lengths ?? [2], b.ids ?? [0, 1], b);
    await expect(ws.run(train({ model: 'cbow', total_tokens: 10 }))).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    ws.dispose();
  });

  test.each([
    [{ model: 'glove', total_tokens: 10 }, /model 'cbow' or 'skipgram'/],
    [{ ws: 0, total_tokens: 10 }, /ws in/],
    [{ lr: -1, total_tokens: 10 }, /lr > 0/],
    [{ total_tokens: 0 }, /total_tokens >= 1/],
  ])('rejects arguments %j', async (args, message) => {
    const ws = new Workspace();
    feedAll(ws, [2], [0, 1]);
    await expect(ws.run(train(args))).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT', message: expect.stringMatching(message) });
    ws.dispose();
  });
});
