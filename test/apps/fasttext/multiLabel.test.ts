// Multi-label lines, trained as fastText trains them: softmax (and hs, ns) on
// one of the line's labels drawn at random per pass, ova on all of them. The
// corpus puts a class label first and a topic label second on most lines, so
// training on the first label only would never predict a topic: P@2/R@2 and
// ova's thresholded predictions are compared with the fasttext binary's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { FastTextFile } from '../../../lib/index.js';
import { mulberry32 } from '../../../lib/util/prng.js';
import { fasttext, hasFastText, hogwild } from '../fasttextBinHelpers.js';

const CLASSES = 6;
const TOPICS = 4;

/** Lines `__label__cX [__label__tY] words…`: class words, topic words (when the topic label is written) and shared words. */
function multiLabelCorpus(lines: number, seed: number): string {
  const rand = mulberry32(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  let out = '';
  for (let i = 0; i < lines; i++) {
    const c = pick(CLASSES);
    const t = rand() < 0.7 ? pick(TOPICS) : -1;
    const words: string[] = [];
    const n = 10 + pick(10);
    for (let j = 0; j < n; j++) {
      const r = rand();
      words.push(r < 0.3 ? `c${c}w${pick(20)}` : r < 0.55 && t >= 0 ? `t${t}w${pick(20)}` : `s${pick(300)}`);
    }
    out += `__label__c${c}${t >= 0 ? ` __label__t${t}` : ''} ${words.join(' ')}\n`;
  }
  return out;
}

const metric = (stdout: string, name: string) => Number(new RegExp(`${name}\\t([0-9.]+)`).exec(stdout)![1]);
const labelsPerLine = (stdout: string) => {
  const lines = stdout.trim().split('\n');
  return lines.reduce((s, l) => s + (l.trim() === '' ? 0 : l.trim().split(' ').length), 0) / lines.length;
};

describe('multi-label lines', () => {
  let dir: string;
  const at = (f: string) => join(dir, f);
  const train = (loss: string, out: string) =>
    hogwild(['supervised', '-input', at('train.txt'), '-output', at(out), '-loss', loss, '-dim', '16', '-epoch', '10', '-lr', '0.5', '-thread', '1', '-verbose', '0', '--no-progress']);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-multilabel-'));
    writeFileSync(at('train.txt'), multiLabelCorpus(3000, 1));
    writeFileSync(at('test.txt'), multiLabelCorpus(500, 2));
    for (const loss of ['softmax', 'ova', 'ns']) {
      const r = await train(loss, loss);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the scan counts the lines with several labels', async () => {
    const file = await FastTextFile.scan(at('train.txt'));
    // About 70% of the lines carry a topic label besides their class.
    expect(file.info!.multiLabelExamples / file.info!.examples).toBeGreaterThan(0.6);
    expect(file.info!.multiLabelExamples / file.info!.examples).toBeLessThan(0.8);
  });

  test.each(['softmax', 'ns'])('%s learns the second labels too (a random label per pass): topics are predicted', async (loss) => {
    const r = await hogwild(['test', at(`${loss}.bin`), at('test.txt'), '2']);
    expect(r.code, r.stderr).toBe(0);
    // Class and topic both predictable from their words: well above the 0.5 that class labels alone could reach.
    expect(metric(r.stdout, 'P@2')).toBeGreaterThan(0.6);
    const preds = (await hogwild(['predict', at(`${loss}.bin`), at('test.txt'), '2'])).stdout;
    expect(preds).toMatch(/__label__t\d/);
  });

  test('ova trains every label as a target: several labels pass a 0.5 threshold', async () => {
    const r = await hogwild(['predict', at('ova.bin'), at('test.txt'), '5', '0.5']);
    expect(r.code, r.stderr).toBe(0);
    // 1.7 labels per test line on average; one-hot targets would keep each sigmoid near its share and most lines at 1.
    expect(labelsPerLine(r.stdout)).toBeGreaterThan(1.3);
  });

  describe.skipIf(!hasFastText())('against the fasttext binary', () => {
    beforeAll(() => {
      for (const loss of ['softmax', 'ova']) {
        fasttext(['supervised', '-input', at('train.txt'), '-output', at(`${loss}-ft`), '-loss', loss, '-dim', '16', '-epoch', '10', '-lr', '0.5', '-thread', '1', '-verbose', '0']);
      }
    }, 120_000);

    test.each(['softmax', 'ova'])('%s: P@2 and R@2 within 3 points of fastText', async (loss) => {
      const ours = await hogwild(['test', at(`${loss}.bin`), at('test.txt'), '2']);
      const theirs = fasttext(['test', at(`${loss}-ft.bin`), at('test.txt'), '2']);
      for (const m of ['P@2', 'R@2']) expect(Math.abs(metric(ours.stdout, m) - metric(theirs, m)), `${m}\n${ours.stdout}\n${theirs}`).toBeLessThan(0.03);
    });

    test('ova: labels above a 0.5 threshold per line within 10% of fastText', async () => {
      const ours = labelsPerLine((await hogwild(['predict', at('ova.bin'), at('test.txt'), '5', '0.5'])).stdout);
      const theirs = labelsPerLine(fasttext(['predict', at('ova-ft.bin'), at('test.txt'), '5', '0.5']));
      expect(Math.abs(ours - theirs) / theirs).toBeLessThan(0.1);
    });
  });
});
