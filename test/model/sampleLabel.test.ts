// Multi-label targets as ops: SampleLabel draws one label per example from its
// label set (uniform, per-thread seeded streams, input checks), MultiHot makes
// one-vs-all targets, and oneVsAllLoss with a labelSet targets every label of
// the example once (and takes label counts past 4096: no labels² table).
import { afterAll, describe, expect, test } from 'vitest';

import { HogwildError, ModelHelper, Net } from '../../lib/index.js';
import { oneVsAllLoss } from '../../lib/model/losses/fastTextLosses.js';
import { closeSessions, newSession } from '../data/helpers.js';

afterAll(closeSessions);

async function sample(lengths: number[], values: number[], seed = 3): Promise<Int32Array> {
  const s = newSession();
  s.workspace.feed('len', { dtype: 'int32', shape: [lengths.length], data: Int32Array.from(lengths) });
  s.workspace.feed('val', { dtype: 'int32', shape: [values.length], data: Int32Array.from(values) });
  const net = new Net('sample');
  net.SampleLabel(['len', 'val'], ['label'], { seed });
  await s.run(net);
  return s.workspace.fetch('label').data as Int32Array;
}

describe('SampleLabel', () => {
  test('draws each label of a set about equally often, and a single label always', async () => {
    const n = 30000;
    const lengths = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 3 : 1));
    const values = lengths.flatMap((l, i) => (l === 3 ? [4, 7, 9] : [i % 5]));
    const out = await sample(lengths, values);
    const counts = new Map<number, number>();
    out.forEach((v, i) => {
      if (i % 2 === 1) expect(v).toBe((i % 5));
      else counts.set(v, (counts.get(v) ?? 0) + 1);
    });
    expect([...counts.keys()].sort()).toEqual([4, 7, 9]);
    for (const c of counts.values()) expect(Math.abs(c / (n / 2) - 1 / 3)).toBeLessThan(0.02);
  });

  test('a seed reproduces the draws; another seed changes them', async () => {
    const lengths = Array.from({ length: 200 }, () => 4);
    const values = lengths.flatMap(() => [0, 1, 2, 3]);
    const a = await sample(lengths, values, 1);
    expect(await sample(lengths, values, 1)).toEqual(a);
    expect(await sample(lengths, values, 2)).not.toEqual(a);
  });

  test.each([
    ['an example without a label', [1, 0, 1], [0, 1], 'HOGWILD_INVALID_ARGUMENT'],
    ['lengths that do not sum to the labels', [1, 2], [0, 1, 2, 3], 'HOGWILD_SHAPE_MISMATCH'],
    ['lengths past the labels', [3, 2], [0, 1], 'HOGWILD_SHAPE_MISMATCH'],
  ])('refuses %s', async (_what, lengths, values, code) => {
    const err = await sample(lengths, values).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(HogwildError);
    expect((err as HogwildError).code).toBe(code);
  });

  test('refuses float inputs', async () => {
    const s = newSession();
    s.workspace.feed('len', { dtype: 'float32', shape: [1], data: Float32Array.from([1]) });
    s.workspace.feed('val', { dtype: 'int32', shape: [1], data: Int32Array.from([0]) });
    const net = new Net('bad');
    net.SampleLabel(['len', 'val'], ['label']);
    await expect(s.run(net)).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
  });
});

describe('MultiHot', () => {
  const multiHot = async (lengths: number[], values: number[], labels: number) => {
    const s = newSession();
    s.workspace.feed('len', { dtype: 'int32', shape: [lengths.length], data: Int32Array.from(lengths) });
    s.workspace.feed('val', { dtype: 'int32', shape: [values.length], data: Int32Array.from(values) });
    const net = new Net('multihot');
    net.MultiHot(['len', 'val'], ['t'], { num_labels: labels });
    await s.run(net);
    const t = s.workspace.fetch('t');
    return { shape: t.shape, data: Array.from(t.data as Float32Array) };
  };

  test('1 for every label of each example (a repeated one once), an empty set all 0', async () => {
    expect(await multiHot([2, 0, 3], [1, 1, 0, 2, 0], 3)).toEqual({ shape: [3, 3], data: [0, 1, 0, 0, 0, 0, 1, 0, 1] });
  });

  test.each([
    ['a label out of range', [1], [3], 'HOGWILD_INDEX_OUT_OF_RANGE'],
    ['a negative label', [1], [-1], 'HOGWILD_INDEX_OUT_OF_RANGE'],
    ['lengths that do not sum to the labels', [2], [0], 'HOGWILD_SHAPE_MISMATCH'],
    ['a negative length', [-1, 2], [0], 'HOGWILD_INVALID_ARGUMENT'],
  ])('refuses %s', async (_what, lengths, values, code) => {
    await expect(multiHot(lengths, values, 3)).rejects.toMatchObject({ code });
  });
});

describe('oneVsAllLoss with label sets', () => {
  test('targets are 1 for every label of the example (a repeated label once), 0 elsewhere', async () => {
    const s = newSession();
    const model = new ModelHelper({ name: 'ova' });
    const ws = s.workspace;
    ws.feed('hidden', { dtype: 'float32', shape: [3, 2], data: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) });
    ws.feed('label', { dtype: 'int32', shape: [3], data: Int32Array.from([0, 2, 3]) });
    ws.feed('len', { dtype: 'int32', shape: [3], data: Int32Array.from([2, 1, 3]) });
    ws.feed('val', { dtype: 'int32', shape: [6], data: Int32Array.from([0, 3, 2, 3, 1, 3]) });
    oneVsAllLoss(model, 'hidden', 'label', { labels: 4, dim: 2, name: 'ova', labelSet: { lengths: 'len', values: 'val' } });
    await s.run(model.paramInitNet);
    await s.run(model.net);
    expect(Array.from(ws.fetch('ova/targets').data as Float32Array)).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1]);
    // Output rows at 0: every sigmoid is 0.5, so each example's loss is 4·log 2.
    expect((ws.fetch('ova/per_example').data as Float32Array)[0]).toBeCloseTo(4 * Math.LN2, 5);
  });

  test('thousands of labels: no table grows with labels², one-hot targets without a label set', async () => {
    const s = newSession();
    const model = new ModelHelper({ name: 'ova_many' });
    const n = 20_000;
    s.workspace.feed('hidden', { dtype: 'float32', shape: [2, 2], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) });
    s.workspace.feed('label', { dtype: 'int32', shape: [2], data: Int32Array.from([7, n - 1]) });
    oneVsAllLoss(model, 'hidden', 'label', { labels: n, dim: 2, name: 'ova' });
    await s.run(model.paramInitNet);
    await s.run(model.net);
    const t = s.workspace.fetch('ova/targets');
    expect(t.shape).toEqual([2, n]);
    const data = t.data as Float32Array;
    expect([data[7], data[n + n - 1], data.reduce((a, b) => a + b, 0)]).toEqual([1, 1, 2]);
    expect((s.workspace.fetch('ova/per_example').data as Float32Array)[1]).toBeCloseTo(n * Math.LN2, 0);
  });
});
