// Comments and docs point only inside the repository: a reader who clones it
// must be able to follow every "see …". The design documents live in docs/
// (docs/architecture.md, caffe2.md, executor.md, reliability.md, …), and a
// pointer of the form `docs/<page>.md §<n>` must name a page that exists and
// a section of it numbered <n>.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TREES = ['lib', 'native', 'test', 'bench', 'examples', 'scripts', 'docs', '.ci'];
const FILES = ['README.md', 'CONTRIBUTING.md', 'CMakeLists.txt', 'binding.gyp', 'package.json'];
const SKIP = new Set(['node_modules', 'build', 'dist', 'corpus', 'fixtures-data']);
const TEXT = /\.(ts|mts|mjs|js|cc|h|md|json|sh|supp|py|gyp|txt|cmake)$|^run$/;

// Names of design notes that were never part of this repository (spelled so
// this file does not match itself).
const OUTSIDE = new RegExp(`\\b(${['CAFFE2', 'DESIGN', 'RELIABILITY', 'STYLE', 'ECOSYSTEM'].join('|')})\\.md\\b|\\.\\./${'shared'}/|\\b${'shared'}/[A-Z]+\\.md`);

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (TEXT.test(name) && st.size < 2_000_000) out.push(p);
  }
  return out;
}

const files = [...TREES.flatMap((t) => walk(join(root, t), [])), ...FILES.map((f) => join(root, f))].filter((f) => {
  try {
    return statSync(f).isFile();
  } catch {
    return false;
  }
});

/** Section numbers of a docs page: "## 3. Title", "### 1.3 Title" → "3", "1.3". */
function sections(page: string): Set<string> {
  const out = new Set<string>();
  for (const m of readFileSync(page, 'utf8').matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)) out.add(m[1]!);
  return out;
}

describe('pointers stay inside the repository', () => {
  test('the scan sees the tree', () => {
    expect(files.length).toBeGreaterThan(300);
    expect(files.some((f) => f.endsWith(join('lib', 'index.ts')))).toBe(true);
  });

  test('no comment or doc cites a document outside the repository', () => {
    const hits: string[] = [];
    for (const f of files) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (OUTSIDE.test(line)) hits.push(`${relative(root, f)}:${i + 1}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(hits).toEqual([]);
  });

  test('every `docs/<page>.md §<n>` names an existing page and section', () => {
    const bad: string[] = [];
    const cache = new Map<string, Set<string> | null>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/docs\/([a-z0-9-]+)\.md,? §(\d+(?:\.\d+)*)/g)) {
        const page = join(root, 'docs', `${m[1]}.md`);
        if (!cache.has(page)) {
          try {
            cache.set(page, sections(page));
          } catch {
            cache.set(page, null);
          }
        }
        const have = cache.get(page);
        if (!have) bad.push(`${relative(root, f)}: ${m[0]} (no such page)`);
        else if (!have.has(m[2]!)) bad.push(`${relative(root, f)}: ${m[0]} (no such section)`);
      }
    }
    expect(bad).toEqual([]);
  });
});
