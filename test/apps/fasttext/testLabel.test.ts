// `hogwild test-label`: per-label F1, precision and recall. The counts are
// checked against a hand count over `hogwild predict`'s answers and the test
// file's gold labels; against the fasttext binary, the precision column, the
// label order and the N/P@k/R@k lines are identical (fastText 0.9.2 never
// counts a label's gold lines there, so its recall and F1 columns differ).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { fasttext, hasFastText, hogwild, writeSmallCorpus } from '../fasttextBinHelpers.js';

interface Row {
  f1: string;
  precision: string;
  recall: string;
  label: string;
}

function rows(stdout: string): { rows: Row[]; tail: string } {
  const lines = stdout.trimEnd().split('\n');
  const parsed = lines.slice(0, -3).map((l) => {
    const m = /^F1-Score : (\S+)  Precision : (\S+)  Recall : (\S+)   (\S+)$/.exec(l);
    expect(m, l).not.toBeNull();
    return { f1: m![1]!, precision: m![2]!, recall: m![3]!, label: m![4]! };
  });
  return { rows: parsed, tail: lines.slice(-3).join('\n') };
}

describe('hogwild test-label', () => {
  let dir: string;
  const at = (f: string) => join(dir, f);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-testlabel-'));
    writeSmallCorpus(dir);
    const r = await hogwild(['supervised', '-input', at('train.txt'), '-output', at('m'), '-dim', '12', '-epoch', '5', '-lr', '0.5', '-thread', '1', '-verbose', '0', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('per-label counts equal a hand count over the predictions and the gold labels', async () => {
    const r = await hogwild(['test-label', at('m.bin'), at('test.txt'), '2']);
    expect(r.code, r.stderr).toBe(0);
    const { rows: got } = rows(r.stdout);
    const labels = got.map((x) => x.label);
    const predictions = (await hogwild(['predict', at('m.bin'), at('test.txt'), '2'])).stdout.split('\n');
    const counts = new Map(labels.map((l) => [l, { gold: 0, predicted: 0, hit: 0 }]));
    readFileSync(at('test.txt'), 'utf8').trimEnd().split('\n').forEach((line, i) => {
      const gold = line.split(' ').filter((t) => counts.has(t));
      // fastText's test: lines with a known label and an input row ("</s>" counts: the predictor gave an answer).
      if (gold.length === 0 || predictions[i] === '') return;
      for (const g of gold) counts.get(g)!.gold++;
      for (const p of predictions[i]!.split(' ')) {
        counts.get(p)!.predicted++;
        if (gold.includes(p)) counts.get(p)!.hit++;
      }
    });
    const fmt = (n: number, d: number) => (d > 0 ? (n / d).toFixed(6) : '--------');
    for (const row of got) {
      const c = counts.get(row.label)!;
      expect(row, row.label).toEqual({ label: row.label, precision: fmt(c.hit, c.predicted), recall: fmt(c.hit, c.gold), f1: fmt(2 * c.hit, c.predicted + c.gold) });
    }
    expect(got.some((x) => x.recall !== '--------' && Number(x.recall) > 0.5)).toBe(true);
    const json = JSON.parse((await hogwild(['test-label', at('m.bin'), at('test.txt'), '2', '--json'])).stdout) as { labels: Record<string, { gold: number }> };
    expect(json.labels[labels[0]!]!.gold).toBe(counts.get(labels[0]!)!.gold);
  });

  test('usage: k and th as for test', async () => {
    const r = await hogwild(['test-label', at('m.bin')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: hogwild test-label/);
  });

  describe.skipIf(!hasFastText())('against the fasttext binary', () => {
    test('our model and its export: the same labels in the same order, precisions, N, P@k and R@k', async () => {
      const exported = at('m-ft.bin');
      expect((await hogwild(['export', at('m.bin'), exported])).code).toBe(0);
      for (const args of [['2'], ['1', '0.3']]) {
        const ours = rows((await hogwild(['test-label', at('m.bin'), at('test.txt'), ...args])).stdout);
        const theirs = rows(fasttext(['test-label', exported, at('test.txt'), ...args]));
        expect(ours.rows.map((x) => [x.label, x.precision])).toEqual(theirs.rows.map((x) => [x.label, x.precision]));
        expect(ours.tail).toBe(theirs.tail);
        // A fastText .bin is scored by fastText's own arithmetic: the same lines again.
        const viaBin = rows((await hogwild(['test-label', exported, at('test.txt'), ...args])).stdout);
        expect(viaBin.rows).toEqual(ours.rows);
        expect(viaBin.tail).toBe(ours.tail);
      }
    });
  });
});
