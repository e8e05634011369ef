// `hogwild cbow` / `hogwild skipgram` end to end, in process: a corpus with
// planted word classes trains vectors whose nearest neighbours are in-class
// (and the untrained vectors' are not, so the check can fail), the .vec file
// parses, fastText reads the .bin with the same vectors, and bad flags are
// usage errors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { readFastTextBin } from '../../../lib/apps/fasttext/fastTextBin/read.js';
import { parseVec } from '../../../lib/apps/fasttext/fastTextBin/vec.js';
import { serializeFastTextBin } from '../../../lib/apps/fasttext/fastTextBin/write.js';
import { classPurity } from '../../../lib/apps/wordvectors/quality.js';
import { wordVectorsCorpus, type PlantedClasses } from '../../../lib/apps/wordvectors/corpus.js';
import { EXIT } from '../../../lib/cli/exitCodes.js';
import { main } from '../../../lib/cli/program.js';
import { hasFasttext } from '../../cli/helpers.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }), text: () => chunks.join('') };
}

async function hogwild(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await main(argv, { out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}

let dir: string;
let corpus: string;
let planted: PlantedClasses;
const common = ['-dim', '20', '-minn', '0', '-maxn', '0', '-thread', '2', '-verbose', '0'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hogwild-w2v-'));
  corpus = join(dir, 'text.txt');
  planted = await wordVectorsCorpus(corpus, { tokens: 100_000, classes: 8, classWords: 30, sharedWords: 300, seed: 5 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hogwild cbow / skipgram', () => {
  test.each([
    ['skipgram', '3'],
    ['cbow', '5'],
  ])('%s: the planted classes are each word\'s nearest neighbours (and not before training)', async (model, epoch) => {
    const out = join(dir, model);
    const r = await hogwild(model, '-input', corpus, '-output', out, '-epoch', epoch, ...common);
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.OK);
    const vec = parseVec(readFileSync(`${out}.vec`, 'utf8'), `${out}.vec`);
    expect(vec.dim).toBe(20);
    expect(vec.words[0]).toBe('</s>');
    expect(classPurity(vec, planted)).toBeGreaterThan(0.8);
    // The .bin (written piece by piece) is exactly what the fastText writer makes of what it holds.
    const bytes = readFileSync(`${out}.bin`);
    const bin = await readFastTextBin(`${out}.bin`);
    expect(bin.args.model).toBe(model === 'cbow' ? 'cbow' : 'sg');
    expect(bin.input.rows).toBe(bin.nwords); // -maxn 0: no buckets
    expect(Buffer.compare(serializeFastTextBin(bin), bytes)).toBe(0);
    // Control: the same run with a learning rate too small to move anything.
    await hogwild(model, '-input', corpus, '-output', `${out}.untrained`, '-epoch', '1', '-lr', '1e-9', ...common);
    expect(classPurity(parseVec(readFileSync(`${out}.untrained.vec`, 'utf8')), planted)).toBeLessThan(0.4);
  });

  test.skipIf(!hasFasttext())('fasttext print-word-vectors reads our .bin and prints what hogwild prints', async () => {
    const bin = join(dir, 'skipgram.bin');
    const words = `${planted.classes[0]!.slice(0, 3).join(' ')} unseenword\n`;
    const theirs = execFileSync('fasttext', ['print-word-vectors', bin], { input: words, encoding: 'utf8' });
    const wordsFile = join(dir, 'words.txt');
    writeFileSync(wordsFile, words);
    const ours = await hogwild('print-word-vectors', bin, wordsFile);
    expect(ours.code).toBe(EXIT.OK);
    expect(ours.out).toBe(theirs);
  });
  if (!hasFasttext()) console.warn('skipping the fasttext print-word-vectors check: the fasttext binary is not installed');

  test.each([
    [['-loss', 'hs'], /-loss hs is not implemented/],
    [['-minn', '5', '-maxn', '3'], /minn <= maxn/],
    [['-ws', '0'], /ws/],
    [['-t', '0'], /-t/],
    [['-neg', 'x'], /neg/],
  ])('rejects %j as a usage error', async (flags, message) => {
    const r = await hogwild('cbow', '-input', corpus, '-output', join(dir, 'bad'), ...flags);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(message);
  });

  test('checkpoints and -resume: a run continued from its epoch-2 checkpoint trains epochs 3-4 only', async () => {
    const out = join(dir, 'resumed');
    const first = await hogwild('skipgram', '-input', corpus, '-output', out, '-epoch', '2', '-checkpoint-interval', '0', ...common);
    expect(first.code, first.err).toBe(EXIT.OK);
    expect(readdirSync(`${out}.checkpoints`).filter((f) => /^skipgram\.\d+$/.test(f)).sort()).toEqual(['skipgram.1', 'skipgram.2']);
    const again = await hogwild('skipgram', '-input', corpus, '-output', out, '-epoch', '4', '-resume', ...common.slice(0, -2), '-no-progress');
    expect(again.code, again.err).toBe(EXIT.OK);
    expect(again.err).toContain('Resuming from the checkpoint of epoch 2');
    expect(again.err).not.toMatch(/epoch 1\/4|epoch 2\/4/);
    expect(again.err).toMatch(/epoch 4\/4/);
    expect(classPurity(parseVec(readFileSync(`${out}.vec`, 'utf8')), planted)).toBeGreaterThan(0.8);
    // The dictionary and shapes are fixed by the checkpoints.
    const other = await hogwild('skipgram', '-input', corpus, '-output', out, '-epoch', '4', '-resume', '-dim', '24', '-minn', '0', '-maxn', '0', '-verbose', '0');
    expect(other.code, other.err).toBe(EXIT.USAGE);
    expect(other.err).toMatch(/cannot resume: .* -dim 20, not 24/);
    const cbow = await hogwild('cbow', '-input', corpus, '-output', out, '-epoch', '4', '-resume', ...common);
    expect(cbow.code).toBe(EXIT.USAGE);
    expect(cbow.err).toMatch(/cannot resume: .* -model skipgram, not cbow/);
  });

  test('a missing training file is an input error', async () => {
    const r = await hogwild('skipgram', '-input', join(dir, 'none.txt'), '-output', join(dir, 'none'));
    expect(r.code).toBe(EXIT.INPUT);
    expect(r.err).toMatch(/no such file/);
  });
});
