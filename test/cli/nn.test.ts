// hogwild nn and analogies print what Debian's fasttext prints (prompts,
// neighbours, similarities) on a cbow model fastText trains here, and on a
// supervised model hogwild trains (against fasttext on its export).
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { main } from '../../lib/cli/program.js';
import { fasttext, hasFastText, hogwild, writeSmallCorpus } from '../apps/fasttextBinHelpers.js';

/** `hogwild <args>` in this process with `input` as its stdin. */
async function hogwildWithInput(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (put: (s: string) => void) => new Writable({ write: (c: Buffer | string, _e, cb) => (put(c.toString()), cb()) });
  // Several small chunks: words split across chunks must come out whole.
  const chunks = input.match(/[\s\S]{1,7}/g) ?? [];
  const code = await main(args, { in: Readable.from(chunks.map((c) => Buffer.from(c))), out: sink((x) => (stdout += x)), err: sink((x) => (stderr += x)) });
  return { code, stdout, stderr };
}

/** fasttext's stdout for `args` with `input` on stdin, cut at `bytes` (analogies never ends by itself). */
function fasttextWithInput(args: string[], input: string, dir: string, bytes?: number): string {
  const inFile = join(dir, 'queries.txt');
  writeFileSync(inFile, input);
  const cmd = `fasttext ${args.map((a) => `'${a}'`).join(' ')} < '${inFile}'${bytes ? ` | head -c ${bytes}` : ''}`;
  return execSync(cmd, { encoding: 'utf8', shell: '/bin/sh', timeout: 20_000 });
}

/** A corpus where words of one group share contexts, so neighbours are not random. */
function writeGroupCorpus(path: string): void {
  let s = 5;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const g = Math.floor(rand() * 6);
    lines.push(Array.from({ length: 10 }, () => (rand() < 0.7 ? `g${g}w${Math.floor(rand() * 8)}` : `common${Math.floor(rand() * 20)}`)).join(' '));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe.skipIf(!hasFastText())('hogwild nn and analogies', () => {
  let dir: string;
  const at = (f: string) => join(dir, f);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hogwild-nn-'));
    writeGroupCorpus(at('words.txt'));
    fasttext(['cbow', '-input', at('words.txt'), '-output', at('cbow'), '-dim', '16', '-epoch', '1', '-minCount', '1', '-minn', '2', '-maxn', '4', '-bucket', '20000', '-thread', '1', '-verbose', '0']);
    writeSmallCorpus(dir, 8, 600, 20);
    const r = await hogwild(['supervised', '-input', at('train.txt'), '-output', at('sup'), '-dim', '8', '-epoch', '2', '-lr', '0.4', '-thread', '1', '-minn', '2', '-maxn', '3', '-bucket', '5000', '-verbose', '0', '--no-charts', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect((await hogwild(['export', at('sup.bin'), at('sup-ft.bin')])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const queries = 'g0w1 g3w5\n  common7\tunseenword g0w1\n';

  test('nn on fastText cbow model: same output as fasttext nn (default k and k = 4)', async () => {
    for (const k of [[], ['4']]) {
      const ours = await hogwildWithInput(['nn', at('cbow.bin'), ...k], queries);
      expect(ours.stderr).toBe('');
      expect(ours.code).toBe(0);
      expect(ours.stdout).toBe(fasttextWithInput(['nn', at('cbow.bin'), ...k], queries, dir));
    }
  });

  test('nn on a model hogwild trained: what fasttext nn prints on its export', async () => {
    const q = 'c1w2 s3 c0w7 unseen';
    const ours = await hogwildWithInput(['nn', at('sup.bin'), '5'], q);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(fasttextWithInput(['nn', at('sup-ft.bin'), '5'], q, dir));
  });

  test('analogies: same answers as fasttext analogies, stopping at the end of the input', async () => {
    const triplets = 'g0w1 g1w1 g1w2\ng2w0 common3 g4w4\nunseen g5w1 g5w2\n';
    const ours = await hogwildWithInput(['analogies', at('cbow.bin'), '3'], `${triplets}g0w1 g0w2`);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout.split('Query triplet').length).toBe(5); // 3 answers, 4 prompts; the incomplete triplet ignored
    // fastText repeats its last answer forever at the end of its input: compare the same bytes.
    expect(fasttextWithInput(['analogies', at('cbow.bin'), '3'], triplets, dir, Buffer.byteLength(ours.stdout))).toBe(ours.stdout);
  });

  test('bad arguments and models are refused with a usage or input error', async () => {
    expect((await hogwildWithInput(['nn'], '')).code).toBe(2);
    expect((await hogwildWithInput(['nn', at('cbow.bin'), '0'], '')).stderr).toMatch(/k/);
    expect((await hogwildWithInput(['analogies', at('cbow.bin'), 'x'], '')).code).toBe(2);
    expect((await hogwildWithInput(['nn', at('words.txt')], 'a')).code).not.toBe(0);
  });
});
