/**
 * Running peer programs and measuring them: wall time, and peak memory as the larger of
 * /usr/bin/time's maximum RSS (one process, exact) and the peak of the summed RSS of
 * the process tree sampled from /proc every 50 ms (catches multi-process peers).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

export interface MeasuredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallSeconds: number;
  /** 0 when neither /usr/bin/time nor /proc is available. */
  peakRssBytes: number;
  /** User + system CPU seconds of the command and its children (from /usr/bin/time), when known. */
  cpuSeconds?: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** The executable a command name resolves to on `env.PATH`, or undefined. */
export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = isAbsolute(command) || command.includes('/')
    ? [command]
    : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

const GNU_TIME = '/usr/bin/time';

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone, or no CONFIG_PROC_CHILDREN
  }
  return out;
}

/** Summed RSS of a process and all its descendants. */
function treeRss(root: number): number {
  let total = 0;
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += rssOf(pid);
    stack.push(...childrenOf(pid));
  }
  return total;
}

/** Runs a command to completion and measures it (never throws for a non-zero exit). */
export function runMeasured(command: string, args: string[], options: RunOptions = {}): Promise<MeasuredRun> {
  const env = options.env ?? process.env;
  const useTime = existsSync(GNU_TIME);
  const scratch = useTime ? mkdtempSync(join(tmpdir(), 'hogwild-bench-')) : undefined;
  const timeFile = scratch ? join(scratch, 'time.txt') : undefined;
  const [file, argv] = timeFile ? [GNU_TIME, ['-v', '-o', timeFile, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    // Its own process group, so a timeout ends the peer's workers too, not only /usr/bin/time.
    const child = spawn(file, argv, { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    let polled = 0;
    const poll = setInterval(() => {
      if (child.pid !== undefined) polled = Math.max(polled, treeRss(child.pid));
    }, 50);
    const timer = options.timeoutMs
      ? setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }, options.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      let timeRss = 0;
      let cpuSeconds: number | undefined;
      if (timeFile && existsSync(timeFile)) {
        const text = readFileSync(timeFile, 'utf8');
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
        if (m) timeRss = Number(m[1]) * 1024;
        const user = /User time \(seconds\): ([0-9.]+)/.exec(text);
        const sys = /System time \(seconds\): ([0-9.]+)/.exec(text);
        if (user && sys) cpuSeconds = Number(user[1]) + Number(sys[1]);
        // GNU time exits with the command's status; a command killed by a signal shows here.
        const killed = /Command terminated by signal (\d+)/.exec(text);
        if (killed && code === 0) code = 128 + Number(killed[1]);
      }
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      resolve({
        code, signal, stdout, stderr, wallSeconds, peakRssBytes: Math.max(timeRss, polled),
        ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
      });
    });
  });
}

/** The last JSON object line a peer script printed, or an error naming what it printed instead. */
export function lastJsonLine<T>(run: MeasuredRun, what: string): T {
  const line = run.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (run.code !== 0 || !line) {
    const tail = `${run.stderr}\n${run.stdout}`.trim().split('\n').slice(-8).join('\n');
    throw new Error(`${what} exited with ${run.signal ?? run.code}:\n${tail}`);
  }
  return JSON.parse(line) as T;
}
