// docs/fasttext-compat.md names every command and flag the installed fasttext
// prints in its help (so a new fastText flag cannot go unlisted).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect, test } from 'vitest';

import { hasFastText } from './fasttextBinHelpers.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'fasttext-compat.md'), 'utf8');

function help(args: string[]): string {
  try {
    return execFileSync('fasttext', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

test.skipIf(!hasFastText())('every fasttext command and supervised flag has a row', () => {
  const commands = [...help([]).matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
  const flags = [...help(['supervised']).matchAll(/^ {2}(-[A-Za-z-]+)\s/gm)].map((m) => m[1]!);
  expect(commands.length).toBeGreaterThan(10);
  expect(flags.length).toBeGreaterThan(25);
  const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
  for (const c of commands) expect(rows.some((r) => r.split('|')[1]!.includes(`\`${c}\``)), c).toBe(true);
  for (const f of flags) expect(rows.some((r) => r.split('|')[1]!.includes(`\`${f}\``)), f).toBe(true);
});

test('every row of the files, commands and flags tables has a status', () => {
  const rows = doc.split('## Losses')[0]!.split('\n').filter((l) => l.startsWith('| `'));
  expect(rows.length).toBeGreaterThan(20);
  for (const r of rows) expect(r, r).toMatch(/\*\*(supported|differs|refused)\*\*|the format for resume/);
});
