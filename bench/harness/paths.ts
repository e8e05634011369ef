/** Where the benchmark's files live, from both bench/*.ts (vitest) and dist-bench/bench/*.js. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the first folder above this file that holds package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** The bench/ source folder (peer scripts, RESULTS.md, charts/). */
export function benchDir(): string {
  return join(repoRoot(), 'bench');
}
