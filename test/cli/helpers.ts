// Shared by test/cli, test/server and test/docs: the CLI compiled once per test
// file into node_modules/.cache (bin scripts must be JavaScript), spawned like a
// user would, and seeded corpora written to a scratch directory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
/** What lib/native/binding.ts loads: HOGWILD_NATIVE_PATH, else build/Release. */
export const addonPath = process.env.HOGWILD_NATIVE_PATH ?? join(root, 'build', 'Release', 'hogwild.node');

/**
 * Compiles lib/ with the project's tsc into node_modules/.cache/hogwild-test/<name>
 * (inside the package, so the loader finds package.json and node_modules). Returns
 * the dist directory.
 */
export function compileLib(name: string): string {
  const out = join(root, 'node_modules', '.cache', 'hogwild-test', `${name}-${process.pid}`, 'dist');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', out, '--sourceMap', 'false', '--declaration', 'false'], {
    cwd: root,
    stdio: 'pipe',
  });
  if (!existsSync(join(out, 'cli', 'main.js'))) throw new Error(`tsc wrote no ${join(out, 'cli', 'main.js')}`);
  return out;
}

/** Removes what compileLib wrote. */
export function removeCompiled(dist: string): void {
  rmSync(join(dist, '..'), { recursive: true, force: true });
}

export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hogwild-${prefix}-`));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** Starts `node <dist>/cli/main.js args…`; `done` resolves when it exits. */
export function startCli(dist: string, args: readonly string[], o: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult>; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [join(dist, 'cli', 'main.js'), ...args], {
    cwd: o.cwd ?? root,
    env: { ...process.env, HOGWILD_NATIVE_PATH: addonPath, HOGWILD_DEBUG: '', ...o.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (o.input !== undefined) child.stdin!.end(o.input);
  else child.stdin!.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

export function runCli(dist: string, args: readonly string[], o: CliOptions = {}): Promise<CliResult> {
  return startCli(dist, args, o).done;
}

/** JSON lines of a --json run. */
export function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Polls `check` every 25 ms until it holds (or throws after timeoutMs). */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Whether `dir` holds a checkpoint `fasttext.N` with N >= `epoch`. Retention
 * keeps only the newest few, so a fast run deletes any one epoch's file soon
 * after it appears: wait for "this epoch or later", never one exact file.
 */
export function hasCheckpointFrom(dir: string, epoch: number): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((f) => {
    const m = /^fasttext\.(\d+)$/.exec(f);
    return m !== null && Number(m[1]) >= epoch;
  });
}

/** Whether Debian's fasttext binary is on PATH. */
export function hasFasttext(): boolean {
  try {
    execFileSync('fasttext', [], { stdio: 'pipe' });
    return true;
  } catch (err) {
    return (err as { status?: number }).status !== undefined && (err as { code?: string }).code !== 'ENOENT';
  }
}
