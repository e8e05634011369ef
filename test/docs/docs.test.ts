// The docs cannot drift from the code: the README's demo output has the shape
// `hogwild demo` prints, every relative link of README.md, CONTRIBUTING.md and
// docs/ resolves, and the API reference lists every runtime export.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, expect, test } from 'vitest';

import * as hogwild from '../../lib/index.js';
import { compileLib, removeCompiled, root, runCli, scratch } from '../cli/helpers.js';
import { fencedBlocks } from './snippets.js';

let dist: string;
beforeAll(() => {
  dist = compileLib('docs');
});
afterAll(() => removeCompiled(dist));

/** A line of documented output as a pattern: numbers may differ, the rest may not. */
function shape(line: string): RegExp {
  const escaped = line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A number may come with an SI suffix (1.28M, 823k) and may change suffix.
  return new RegExp(`^${escaped.replace(/\d+(\\\.\d+)?[kMG]?/g, '\\d+(\\.\\d+)?[kMG]?')}$`);
}

test("README's demo output is what `hogwild demo` prints (up to the numbers)", async () => {
  const block = fencedBlocks(join(root, 'README.md'), 'README.md').find((b) => b.info === 'text demo-output');
  expect(block, 'a ```text demo-output block in README.md').toBeDefined();
  const r = await runCli(dist, ['demo'], { cwd: scratch('readme-demo') });
  expect(r.code, r.stderr).toBe(0);
  const actual = r.stdout.trimEnd().split('\n');
  const documented = block!.code.trimEnd().split('\n');
  expect(actual).toHaveLength(documented.length);
  documented.forEach((line, i) => expect(actual[i]).toMatch(shape(line)));
  // Under a minute on 2 cores, as the README promises.
  expect(Number(/Wall time: +([\d.]+) s/.exec(r.stdout)![1])).toBeLessThan(60);
}, 120_000);

function markdownFiles(): string[] {
  const docs = join(root, 'docs');
  const api = join(docs, 'api');
  const pages = readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => join(docs, f));
  return [join(root, 'README.md'), join(root, 'CONTRIBUTING.md'), ...pages, ...readdirSync(api).map((f) => join(api, f))];
}

/** GitHub's anchors of a Markdown file's headings. */
function anchors(file: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of readFileSync(file, 'utf8').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim().toLowerCase().replace(/[^a-z0-9_ -]/g, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Links to files a full benchmark run writes (npm run bench), not the repository. */
const GENERATED = new Set(['bench/RESULTS.md']);

test('relative links of README.md, CONTRIBUTING.md and docs/ resolve (files and anchors)', () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1]!;
      if (/^[a-z]+:/.test(link)) continue;
      const [path, hash] = link.split('#') as [string, string | undefined];
      if (GENERATED.has(path)) continue;
      const target = path ? join(dirname(file), path) : file;
      if (!existsSync(target)) broken.push(`${file.slice(root.length + 1)}: ${link}`);
      else if (hash && target.endsWith('.md') && !/^L\d+$/.test(hash) && !anchors(target).has(hash)) broken.push(`${file.slice(root.length + 1)}: ${link} (no such heading)`);
    }
  }
  expect(broken).toEqual([]);
});

test('the API reference lists every runtime export of lib/index.ts (else: npm run docs:api)', () => {
  const index = readFileSync(join(root, 'docs', 'api', 'README.md'), 'utf8');
  const listed = new Set([...index.matchAll(/^\| \[([^\]]+)\]/gm)].map((m) => m[1]!));
  const missing = Object.keys(hogwild).filter((name) => !listed.has(name));
  expect(missing, 'exports missing from docs/api: run npm run docs:api').toEqual([]);
});
