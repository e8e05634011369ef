// hogwild supervised -loss hs learns what fasttext supervised -loss hs learns
// with the same flags: P@1 within 0.5 pt on generated corpora of 20 and 200
// Zipf-distributed labels (reduced sizes of the bench's 2 000-label case).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { ensureLabelCorpus, MANY_LABELS } from '../../../bench/data/labelCorpus.js';
import { fasttext, hasFastText, hogwild } from '../fasttextBinHelpers.js';

const p1 = (testOutput: string) => Number(/^P@1\t([0-9.]+)/m.exec(testOutput)![1]);

describe.skipIf(!hasFastText())('-loss hs accuracy against fasttext', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hogwild-hs-acc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each([20, 200])('%i labels: P@1 within 0.5 pt of fasttext', async (labels) => {
    const corpus = ensureLabelCorpus(dir, { ...MANY_LABELS, labels, train: 20_000, test: 4_000 });
    const flags = (out: string) => ['-input', corpus.trainTxt, '-output', join(dir, out), '-dim', '16', '-epoch', '5', '-lr', '0.5', '-thread', '1', '-loss', 'hs', '-seed', '1'];
    const r = await hogwild(['supervised', ...flags(`hw${labels}`), '-verbose', '0', '--no-charts', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const ours = p1((await hogwild(['test', join(dir, `hw${labels}.bin`), corpus.testTxt])).stdout);
    fasttext(['supervised', ...flags(`ft${labels}`), '-verbose', '0']);
    const theirs = p1(fasttext(['test', join(dir, `ft${labels}.bin`), corpus.testTxt]));
    console.log(`-loss hs, ${labels} labels: P@1 hogwild ${ours}, fasttext ${theirs}`);
    expect(theirs).toBeGreaterThan(0.5); // the corpus is learnable: the comparison means something
    expect(ours).toBeGreaterThanOrEqual(theirs - 0.005);
  });
});
