// Records the file-system operations a command makes under a directory, with
// strace: every write/pwrite64 (with its bytes), fallocate/ftruncate, fsync
// and fdatasync (of files and of directories), rename, link, unlink, mkdir,
// and creating/truncating opens. A `<root>/.crashcheck-<name>` file opened by
// the workload is a marker ("the call returned: from here on it must be
// durable"), not a file. Used by the power-loss checker (fsmodel.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export type Op =
  | { k: 'open'; path: string; create: boolean; trunc: boolean }
  | { k: 'write'; path: string; off: number; data: Buffer }
  | { k: 'fallocate'; path: string; off: number; len: number }
  | { k: 'truncate'; path: string; size: number }
  | { k: 'fsync'; path: string }
  | { k: 'rename'; from: string; to: string }
  | { k: 'link'; from: string; to: string }
  | { k: 'unlink'; path: string }
  | { k: 'mkdir'; path: string }
  | { k: 'marker'; name: string };

export const MARKER = '.crashcheck-';

export const haveStrace = spawnSync('strace', ['-V']).status === 0;

const SYSCALLS = 'openat,open,creat,write,pwrite64,fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,ftruncate,fallocate,link,linkat';

/** Runs `cmd args` under strace; returns the ops on paths under `root` (in the order the kernel completed them). */
export function traceOps(cmd: string, args: readonly string[], o: { root: string; env?: NodeJS.ProcessEnv; cwd?: string; log: string }): { ops: Op[]; status: number | null; stderr: string } {
  const r = spawnSync('strace', ['-f', '-qq', '-y', '-xx', '-s', String(1 << 24), '-o', o.log, '-e', `trace=${SYSCALLS}`, cmd, ...args], {
    encoding: 'utf8',
    env: o.env ?? process.env,
    cwd: o.cwd ?? process.cwd(),
    maxBuffer: 64 << 20,
  });
  return { ops: parseStrace(readFileSync(o.log, 'latin1'), o.root), status: r.status, stderr: r.stderr };
}

const unhex = (s: string): Buffer => Buffer.from(s.replace(/\\x([0-9a-f]{2})/g, '$1'), 'hex');

/** Splits the arguments of a syscall line (strings are hex-escaped, so commas inside them are \x2c). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{' || ch === '<') depth++;
    if (ch === ')' || ch === ']' || ch === '}' || ch === '>') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `"\x2f…"` → the path; `3<\x2f…>` → the fd's path. */
function str(arg: string): string {
  const m = /^"((?:\\x[0-9a-f]{2})*)"/.exec(arg);
  if (!m) throw new Error(`crashcheck: expected a string argument, got ${arg.slice(0, 60)}`);
  return unhex(m[1]!).toString('utf8');
}
function fdPath(arg: string): string | undefined {
  const m = /^-?\d+<((?:\\x[0-9a-f]{2})*)>/.exec(arg);
  return m ? unhex(m[1]!).toString('utf8') : undefined;
}
function fdNum(arg: string): number {
  return Number(/^(-?\d+)/.exec(arg)![1]);
}
function atPath(dirArg: string, pathArg: string, cwd: string): string {
  const p = str(pathArg);
  if (isAbsolute(p)) return p;
  return resolve(fdPath(dirArg) ?? cwd, p);
}

/** Parses `strace -f -y -xx` output into ops under `root`. */
export function parseStrace(text: string, root: string, cwd = process.cwd()): Op[] {
  const rootDir = resolve(root);
  const under = (p: string) => p === rootDir || p.startsWith(`${rootDir}/`);
  const ops: Op[] = [];
  const pending = new Map<string, string>(); // pid -> text before "<unfinished ...>"
  const pos = new Map<string, number>(); // "fd:path" -> file offset of write()
  for (const raw of text.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (!m) continue;
    const [, pid, rest0] = m as unknown as [string, string, string];
    let rest = rest0;
    if (rest.endsWith('<unfinished ...>')) {
      pending.set(pid, rest.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(rest);
    if (resumed) {
      rest = (pending.get(pid) ?? '') + resumed[1];
      pending.delete(pid);
    }
    const call = /^(\w+)\((.*)\)\s+=\s+(-?\d+)(<[^>]*>)?/.exec(rest);
    if (!call) continue;
    const [, name, argText, retText, retPath] = call as unknown as [string, string, string, string, string | undefined];
    const ret = Number(retText);
    if (ret < 0) continue; // failed: no effect
    const a = splitArgs(argText);
    switch (name) {
      case 'openat':
      case 'open':
      case 'creat': {
        const path = name === 'openat' ? atPath(a[0]!, a[1]!, cwd) : resolve(cwd, str(a[0]!));
        const flags = name === 'creat' ? 'O_CREAT|O_TRUNC' : (name === 'openat' ? a[2] : a[1]) ?? '';
        const real = retPath ? unhex(retPath.slice(1, -1)).toString('utf8') : path;
        pos.set(`${ret}:${real}`, 0);
        if (!under(real)) break;
        const base = real.slice(real.lastIndexOf('/') + 1);
        if (base.startsWith(MARKER)) {
          if (flags.includes('O_CREAT')) ops.push({ k: 'marker', name: base.slice(MARKER.length) });
          break;
        }
        if (flags.includes('O_CREAT') || flags.includes('O_TRUNC')) ops.push({ k: 'open', path: real, create: flags.includes('O_CREAT'), trunc: flags.includes('O_TRUNC') });
        break;
      }
      case 'write':
      case 'pwrite64': {
        const path = fdPath(a[0]!);
        if (!path) break;
        const data = unhex(/^"((?:\\x[0-9a-f]{2})*)"/.exec(a[1]!)![1]!).subarray(0, ret);
        const key = `${fdNum(a[0]!)}:${path}`;
        const off = name === 'pwrite64' ? Number(a[3]) : (pos.get(key) ?? 0);
        if (name === 'write') pos.set(key, off + ret);
        if (under(path) && !path.slice(path.lastIndexOf('/') + 1).startsWith(MARKER)) ops.push({ k: 'write', path, off, data });
        break;
      }
      case 'fallocate': {
        const path = fdPath(a[0]!);
        if (path && under(path) && Number(a[1]) === 0) ops.push({ k: 'fallocate', path, off: Number(a[2]), len: Number(a[3]) });
        break;
      }
      case 'ftruncate': {
        const path = fdPath(a[0]!);
        if (path && under(path)) ops.push({ k: 'truncate', path, size: Number(a[1]) });
        break;
      }
      case 'fsync':
      case 'fdatasync': {
        const path = fdPath(a[0]!);
        if (path && under(path)) ops.push({ k: 'fsync', path });
        break;
      }
      case 'rename':
      case 'link': {
        const from = resolve(cwd, str(a[0]!));
        const to = resolve(cwd, str(a[1]!));
        if (under(from) || under(to)) ops.push({ k: name, from, to });
        break;
      }
      case 'renameat':
      case 'renameat2':
      case 'linkat': {
        const from = atPath(a[0]!, a[1]!, cwd);
        const to = atPath(a[2]!, a[3]!, cwd);
        if (under(from) || under(to)) ops.push({ k: name === 'linkat' ? 'link' : 'rename', from, to });
        break;
      }
      case 'unlink':
      case 'unlinkat': {
        const path = name === 'unlink' ? resolve(cwd, str(a[0]!)) : atPath(a[0]!, a[1]!, cwd);
        if (name === 'unlinkat' && (a[2] ?? '').includes('AT_REMOVEDIR')) break;
        if (under(path)) ops.push({ k: 'unlink', path });
        break;
      }
      case 'mkdir':
      case 'mkdirat': {
        const path = name === 'mkdir' ? resolve(cwd, str(a[0]!)) : atPath(a[0]!, a[1]!, cwd);
        if (under(path)) ops.push({ k: 'mkdir', path });
        break;
      }
    }
  }
  return ops;
}

