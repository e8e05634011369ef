// Every runnable example of the docs runs here, so none can rot: the
// ```ts runnable blocks of README.md and docs/*.md are type-checked against
// lib/ and executed (each in its own scratch directory), and the comment of
// a `console.log(…); // expected` line must start with a line printed then.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { root, scratch } from '../cli/helpers.js';
import { runnableSnippets, type Snippet } from './snippets.js';

const snippets = runnableSnippets(root);
const dir = join(root, 'test', 'docs', '.snippets');
const fileOf = (s: Snippet) => join(dir, `${s.file.replace(/[^A-Za-z0-9]+/g, '_')}_${s.line}.ts`);

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const s of snippets) writeFileSync(fileOf(s), `${s.code}\nexport {};\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('README.md has runnable examples', () => {
  expect(snippets.filter((s) => s.file === 'README.md').length).toBeGreaterThan(0);
});

test('the runnable examples type-check against lib/', () => {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '../../..', paths: { hogwild: ['../../../lib/index.ts'] } },
      include: ['*.ts'],
    }),
  );
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const out = `${(err as { stdout?: Buffer }).stdout ?? ''}`;
    // Only the snippets' own errors: other engineers' work in progress is not ours to fail on.
    const ours = out.split('\n').filter((l) => l.includes('.snippets/'));
    expect(ours, ours.join('\n')).toEqual([]);
  }
});

describe.each(snippets.map((s) => [`${s.file}:${s.line}`, s] as const))('%s', (_name, s) => {
  test('runs and prints what its comments say', async () => {
    const cwd = process.cwd();
    const printed: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
    process.chdir(scratch('docs'));
    try {
      await import(pathToFileURL(fileOf(s)).href);
    } finally {
      process.chdir(cwd);
      console.log = log;
    }
    const expected = s.code
      .split('\n')
      .map((l) => /console\.log\(.*\);\s*\/\/\s*(.+)$/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined);
    // Each commented value is printed, in order (other lines may be printed in between).
    let at = 0;
    for (const e of expected) {
      while (at < printed.length && !e.startsWith(printed[at]!)) at++;
      expect(at < printed.length, `no printed line matches the comment '${e}'; printed: ${JSON.stringify(printed)}`).toBe(true);
      at++;
    }
  }, 120_000);
});
