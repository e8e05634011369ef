// hogwild supervised -loss hs|ns|ova: the model file records the loss, hogwild
// predicts and tests on it as fastText does for that loss (the same answers
// as `fasttext predict-prob`/`test` on its export, which carries the loss),
// and ova's threshold makes predict-prob multi-label.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { parseFastTextBin } from '../../../lib/apps/fasttext/fastTextBin/read.js';
import { inspectCheckpoint } from '../../../lib/checkpoint/files.js';
import { fasttext, hasFastText, hogwild, writeSmallCorpus } from '../fasttextBinHelpers.js';

const LOSSES: Record<string, string[]> = {
  hs: ['-loss', 'hs'],
  ns: ['-loss', 'ns', '-neg', '3'],
  ova: ['-loss', 'ova', '-wordNgrams', '2', '-bucket', '3000'],
};

describe('hogwild supervised with fastText\'s other losses', () => {
  let dir: string;
  const at = (f: string) => join(dir, f);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-loss-'));
    writeSmallCorpus(dir);
    for (const [name, flags] of Object.entries(LOSSES)) {
      const r = await hogwild(['supervised', '-input', at('train.txt'), '-output', at(name), '-dim', '12', '-epoch', '4', '-lr', '0.4', '-thread', '1', '-verbose', '0', '--no-charts', '--no-progress', ...flags]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(Object.keys(LOSSES))('%s: the model records its loss and learns (P@1 well above the majority label)', async (name) => {
    const meta = (await inspectCheckpoint(at(`${name}.bin`))).meta;
    expect(meta.loss).toBe(name);
    const r = await hogwild(['test', at(`${name}.bin`), at('test.txt'), '1']);
    expect(r.code, r.stderr).toBe(0);
    // 12 skewed labels: the most frequent is about 30% of the lines; the class words make ~0.8 reachable.
    expect(Number(/P@1\t([0-9.]+)/.exec(r.stdout)![1])).toBeGreaterThan(0.6);
  });

  describe.skipIf(!hasFastText())('against the fasttext binary', () => {
    test.each(Object.keys(LOSSES))('%s: export carries the loss; fasttext predict-prob/test on it print what hogwild prints on its own model', async (name) => {
      const exported = at(`${name}-ft.bin`);
      const e = await hogwild(['export', at(`${name}.bin`), exported]);
      expect(e.code, e.stderr).toBe(0);
      const args = parseFastTextBin(readFileSync(exported)).args;
      expect(args.loss).toBe(name);
      if (name === 'ns') expect(args.neg).toBe(3);
      for (const cmd of [['predict-prob', '3'], ['predict', '2', '0.2'], ['test', '1'], ['test', '3', '0.1']]) {
        const [verb, ...rest] = cmd as [string, ...string[]];
        const ours = await hogwild([verb, at(`${name}.bin`), at('test.txt'), ...rest]);
        expect(ours.code, ours.stderr).toBe(0);
        expect(ours.stdout, cmd.join(' ')).toBe(fasttext([verb, exported, at('test.txt'), ...rest]));
      }
    });

    test('ova with a threshold is multi-label: several labels per line above it', async () => {
      const ours = await hogwild(['predict-prob', at('ova.bin'), at('test.txt'), '5', '0.05']);
      expect(ours.code, ours.stderr).toBe(0);
      expect(ours.stdout).toBe(fasttext(['predict-prob', at('ova-ft.bin'), at('test.txt'), '5', '0.05']));
      const perLine = ours.stdout.split('\n').filter(Boolean).map((l) => l.split(' ').length / 2);
      expect(Math.max(...perLine)).toBeGreaterThan(1);
    });
  });
});
