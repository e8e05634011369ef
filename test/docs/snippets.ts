// Extracts the runnable examples of README.md and docs/*.md: fenced blocks
// whose info string is `ts runnable` (GitHub shows them as TypeScript).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Snippet {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  code: string;
}

/** Every fenced block of `path`, with its info string. */
export function fencedBlocks(path: string, file: string): Snippet[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence); j++) body.push(lines[j]!);
    out.push({ file, line: i + 1, info: open[3]!.trim(), code: body.join('\n') });
    i = j;
  }
  return out;
}

export function docFiles(root: string): { path: string; file: string }[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ path: join(root, 'docs', f), file: `docs/${f}` }));
  return [{ path: join(root, 'README.md'), file: 'README.md' }, ...docs];
}

export function runnableSnippets(root: string): Snippet[] {
  return docFiles(root).flatMap(({ path, file }) => fencedBlocks(path, file).filter((b) => /^ts\s+runnable\b/.test(b.info)));
}
