// Child processes of the checkpoint tests run plain Node (no vitest), so they
// need lib/ as JavaScript: compiled here once per test file with tsc into
// build-test-lib/ (ignored by git; inside the repo so the compiled loader finds
// package.json and node_modules). tsc emits even when unrelated files have
// type errors; a missing output fails loudly.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
/** What the parent loads: HOGWILD_NATIVE_PATH, else build/Release. */
export const addonPath = process.env.HOGWILD_NATIVE_PATH ?? join(root, 'build', 'Release', 'hogwild.node');

let compiled: string | undefined;

/** Absolute path of the compiled lib/index.js for child processes. */
export function compiledLib(tag: string): string {
  if (compiled) return compiled;
  const out = join(root, 'build-test-lib', `${tag}-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), '--outDir', out, '--declaration', 'false', '--sourceMap', 'false'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const index = join(out, 'index.js');
  if (!existsSync(index)) throw new Error(`tsc did not emit ${index}: ${r.stdout}${r.stderr}`);
  compiled = index;
  return index;
}

export function removeCompiledLib(): void {
  if (compiled) rmSync(dirname(compiled), { recursive: true, force: true });
  compiled = undefined;
}

/** The environment of a child: the parent's addon, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOGWILD_NATIVE_PATH: addonPath, ...extra };
  if (!('HOGWILD_CRASH_AT' in extra)) delete env.HOGWILD_CRASH_AT;
  if (!('HOGWILD_CKPT_FIXED_TMP' in extra)) delete env.HOGWILD_CKPT_FIXED_TMP;
  return env;
}
