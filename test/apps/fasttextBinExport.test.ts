// hogwild export: fastText → hogwild → fastText gives back the same file (so
// byte-identical predictions), and a model trained by hogwild, exported, gives
// fasttext predict/test the answers hogwild gives.
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { fastTextBinToWorkspace } from '../../lib/apps/fasttext/fastTextBin/convert.js';
import { parseFastTextBin, readFastTextBin } from '../../lib/apps/fasttext/fastTextBin/read.js';
import { FASTTEXT_MODEL_BLOBS } from '../../lib/apps/fasttext/FastTextJob.js';
import { FASTTEXT_MODEL_FORMAT } from '../../lib/apps/fasttext/FastTextModel.js';
import { saveCheckpoint } from '../../lib/checkpoint/files.js';
import { Workspace } from '../../lib/runtime/Workspace.js';
import { fasttext, hasFastText, hogwild, writeSmallCorpus } from './fasttextBinHelpers.js';

describe.skipIf(!hasFastText())('hogwild export', () => {
  let dir: string;
  const at = (f: string) => join(dir, f);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-ftexport-'));
    writeSmallCorpus(dir);
    const common = ['-input', at('train.txt'), '-dim', '12', '-epoch', '4', '-lr', '0.4', '-thread', '1', '-verbose', '0'];
    fasttext(['supervised', ...common, '-output', at('ft'), '-loss', 'hs', '-wordNgrams', '2', '-minn', '3', '-maxn', '5', '-bucket', '4000']);
    const r = await hogwild(['supervised', ...common, '-output', at('hw'), '-wordNgrams', '2', '-bucket', '4000', '--no-charts']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('fastText → hogwild → fastText gives back the same bytes', async () => {
    expect((await hogwild(['export', at('ft.bin'), at('ft-as-hw.bin'), '--format', 'hogwild'])).code).toBe(0);
    expect(readFileSync(at('ft-as-hw.bin')).readInt32LE(0)).not.toBe(793712314); // a hogwild model, not a copy
    const back = await hogwild(['export', at('ft-as-hw.bin'), at('ft-again.bin')]);
    expect(back.code, back.stderr).toBe(0);
    expect(readFileSync(at('ft-again.bin')).equals(readFileSync(at('ft.bin')))).toBe(true);
    const args = (m: string) => ['predict-prob', at(m), at('test.txt'), '3'];
    expect(fasttext(args('ft-again.bin'))).toBe(fasttext(args('ft.bin')));
    // And hogwild's model converted from it predicts what fastText does.
    expect((await hogwild(args('ft-as-hw.bin'))).stdout).toBe(fasttext(args('ft.bin')));
  });

  test('a model trained by hogwild gives fasttext predict and test the answers hogwild gives', async () => {
    const ex = await hogwild(['export', at('hw.bin'), at('hw-ft.bin')]);
    expect(ex.code, ex.stderr).toBe(0);
    const bin = parseFastTextBin(readFileSync(at('hw-ft.bin')));
    expect(bin.args).toMatchObject({ model: 'sup', loss: 'softmax', wordNgrams: 2, bucket: 4000 });
    // hogwild's output bias stays zero (fastText's model has none), so no extra dimension travels.
    expect(bin.args.dim).toBe(12);
    const ours = (await hogwild(['predict-prob', at('hw.bin'), at('test.txt'), '2'])).stdout.trimEnd().split('\n');
    const theirs = fasttext(['predict-prob', at('hw-ft.bin'), at('test.txt'), '2']).trimEnd().split('\n');
    expect(ours).toHaveLength(theirs.length);
    let sameOrder = 0;
    ours.forEach((line, i) => {
      const a = line.split(' ');
      const b = theirs[i]!.split(' ');
      expect(a[0], `line ${i + 1}`).toBe(b[0]);
      if (a[2] === b[2]) sameOrder++;
      // fastText prints exp(log(p + 1e-5)); hogwild prints p.
      for (const j of [1, 3]) expect(Math.abs(Number(a[j]) - Number(b[j])), `line ${i + 1}`).toBeLessThan(3e-5 + 1e-4 * Number(b[j]));
    });
    expect(sameOrder).toBeGreaterThan(ours.length - 3);
    for (const k of ['1', '2']) expect((await hogwild(['test', at('hw.bin'), at('test.txt'), k])).stdout).toBe(fasttext(['test', at('hw-ft.bin'), at('test.txt'), k]));
  });

  test('a hogwild model trained with loss hs (no fastText arguments saved) predicts and exports as fastText does', async () => {
    const ws = new Workspace();
    try {
      fastTextBinToWorkspace(readFastTextBin(at('ft.bin')), ws);
      await saveCheckpoint(ws, FASTTEXT_MODEL_BLOBS, at('hw-hs.bin'), { epoch: 1, node: 'model', meta: { format: FASTTEXT_MODEL_FORMAT, loss: 'hs', dim: '12' } });
    } finally {
      ws.dispose();
    }
    const args = (m: string) => ['predict-prob', at(m), at('test.txt'), '4'];
    expect((await hogwild(args('hw-hs.bin'))).stdout).toBe(fasttext(args('ft.bin')));
    expect((await hogwild(['export', at('hw-hs.bin'), at('hw-hs-ft.bin')])).code).toBe(0);
    expect(parseFastTextBin(readFileSync(at('hw-hs-ft.bin'))).args).toMatchObject({ loss: 'hs', minn: 3, maxn: 5, wordNgrams: 2, bucket: 4000 });
    expect(fasttext(args('hw-hs-ft.bin'))).toBe(fasttext(args('ft.bin')));
  });

  test('bad command lines and inputs are refused with one line', async () => {
    expect((await hogwild(['export', at('ft.bin')])).code).toBe(2);
    expect((await hogwild(['export', at('ft.bin'), at('x.bin'), '--format', 'onnx'])).code).toBe(2);
    const missing = await hogwild(['export', at('none.bin'), at('x.bin')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/none\.bin/);
    const notModel = await hogwild(['export', at('train.txt'), at('x.bin')]);
    expect(notModel.code).toBe(3);
    expect(notModel.stderr.trim().split('\n')).toHaveLength(1);
  });
});
