// Shared by the fastText model-file tests: Debian's fasttext binary (tests
// skip loudly without it), a small seeded corpus, and the CLI run in-process.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { main } from '../../lib/cli/program.js';

export function hasFastText(): boolean {
  try {
    execFileSync('fasttext', [], { stdio: 'pipe' });
    return true;
  } catch (err) {
    // fasttext prints its usage and exits 1 without arguments.
    if ((err as { status?: number }).status === 1) return true;
    console.warn('fasttext is not installed (apt-get install fasttext): the comparisons with it are SKIPPED');
    return false;
  }
}

export const fasttext = (args: string[]) => execFileSync('fasttext', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Writes train.txt and test.txt: `classes` labels with skewed frequencies (so
 * the Huffman tree is not balanced), class words, shared words, and some lines
 * with two labels, an unknown label, or no label.
 */
export function writeSmallCorpus(dir: string, classes = 12, trainLines = 1500, testLines = 250): void {
  let s = 11;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = () => Math.min(classes - 1, Math.floor(classes * rand() ** 2));
  const line = (extra: boolean) => {
    const c = pick();
    const n = 3 + Math.floor(rand() * 10);
    const words = Array.from({ length: n }, () => (rand() < 0.45 ? `c${c}w${Math.floor(rand() * 15)}` : `s${Math.floor(rand() * 60)}`));
    const labels = [`__label__k${c}`];
    if (extra && rand() < 0.2) labels.push(`__label__k${pick()}`);
    return `${labels.join(' ')} ${words.join(' ')}`;
  };
  writeFileSync(join(dir, 'train.txt'), `${Array.from({ length: trainLines }, () => line(true)).join('\n')}\n`);
  const test = Array.from({ length: testLines }, () => line(true));
  test.push('__label__nope c0w1 s2', 'c1w2 s3 unseenword', '__label__k0', 'ünïcödé wörds c2w3');
  writeFileSync(join(dir, 'test.txt'), `${test.join('\n')}\n`);
}

/** Runs `hogwild <args>` in this process; resolves with its exit code and output. */
export async function hogwild(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (put: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        put(chunk.toString());
        cb();
      },
    });
  const code = await main(args, { out: sink((x) => (stdout += x)), err: sink((x) => (stderr += x)) });
  return { code, stdout, stderr };
}
