// The predict/test input reader (lib/cli/input.ts): a file read in small
// chunks through one reused buffer gives exactly its bytes and the same
// answers as reading it whole; bad paths are named.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, test } from 'vitest';

import { FastTextModel } from '../../lib/apps/fasttext/FastTextModel.js';
import { predictStream } from '../../lib/apps/fasttext/predictStream.js';
import { openTextInput } from '../../lib/cli/input.js';
import { corpusLines, writeModel } from '../apps/fasttext/modelFixture.js';
import { scratch } from './helpers.js';

let dir: string;
let file: string;
beforeAll(() => {
  dir = scratch('input');
  file = join(dir, 'lines.txt');
  writeFileSync(file, `${corpusLines(3000, 5).join('\n')}\nlast line without newline`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('small chunks through one buffer: the same bytes, the same answers', async () => {
  const input = openTextInput(file, 'input file', 13);
  const pieces: Buffer[] = [];
  for await (const c of input.chunks) pieces.push(Buffer.from(c)); // copied: the buffer is reused
  input.close();
  expect(pieces.length).toBeGreaterThan(1000);
  expect(pieces.every((p) => p.length <= 13)).toBe(true);
  expect(Buffer.concat(pieces).equals(readFileSync(file))).toBe(true);

  const model = await FastTextModel.load((await writeModel(dir)).path);
  try {
    const answers = async (chunkBytes: number) => {
      const src = openTextInput(file, 'input file', chunkBytes);
      let out = '';
      await predictStream(model.predictor(), src.chunks, { mode: 'predict-prob', k: 2, labels: model.labels, chunkBytes, write: (c) => void (out += c.toString()) });
      src.close();
      return out;
    };
    const whole = await answers(1 << 20);
    expect(whole.split('\n')).toHaveLength(3002);
    expect(await answers(97)).toBe(whole);
  } finally {
    await model.dispose();
  }
});

test('missing files and directories are named', () => {
  expect(() => openTextInput(join(dir, 'nope.txt'), 'input file', 64)).toThrow(/cannot read input file .*nope\.txt: no such file/);
  mkdirSync(join(dir, 'sub'));
  expect(() => openTextInput(join(dir, 'sub'), 'test file', 64)).toThrow(/cannot read test file .*sub: it is a directory/);
});
