// A model of what a POSIX file system may hold after power loss, replayed
// from recorded ops (strace.ts), in the manner of ALICE/CrashMonkey: at every
// crash point (each prefix of the ops) the durable state is what fsync made
// durable — a file's data at its last fsync, a directory's entries at its
// last directory fsync — plus ANY subset of the later directory operations
// (creates, renames, links, unlinks, in order), with each file that has
// unsynced writes holding its old data, its new data, or a torn mix (only
// the first j of its changed 4 KiB blocks written, the others zero).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import type { Op } from './strace.js';

const BLOCK = 4096;

type Entry = { ino: number } | { dir: true };
interface Inode {
  data: Buffer;
  /** Data as of the last fsync. */
  synced: Buffer;
}
type DirOp = { kind: 'set'; dir: string; name: string; entry: Entry } | { kind: 'del'; dir: string; name: string };

/** One crash state: relative path -> content (directories as null). */
export type CrashState = Map<string, Buffer | null>;

export interface CrashPoint {
  /** Ops applied (volatile) when the power went. */
  prefix: number;
  /** Markers passed by then (calls that had returned). */
  markers: string[];
  states: CrashState[];
}

const split = (p: string) => ({ dir: dirname(p), name: p.slice(dirname(p).length + 1) });

class Model {
  private inodes = new Map<number, Inode>();
  private dirs = new Map<string, Map<string, Entry>>();
  private durable = new Map<string, Map<string, Entry>>();
  /** Directory ops since each directory's last fsync. */
  private pending: DirOp[] = [];
  private nextIno = 1;

  /** `snapshot`: a copy of `root` as it was before the ops. */
  constructor(
    private readonly root: string,
    snapshot: string,
  ) {
    this.loadTree(snapshot, root);
    for (const [d, m] of this.dirs) this.durable.set(d, new Map(m));
  }

  private loadTree(from: string, dir: string): void {
    const m = new Map<string, Entry>();
    this.dirs.set(dir, m);
    for (const name of readdirSync(from)) {
      const p = join(dir, name);
      const st = statSync(join(from, name));
      if (st.isDirectory()) {
        m.set(name, { dir: true });
        this.loadTree(join(from, name), p);
      } else {
        const data = readFileSync(join(from, name));
        const ino = this.nextIno++;
        this.inodes.set(ino, { data, synced: data });
        m.set(name, { ino });
      }
    }
  }

  private lookup(path: string): number | undefined {
    const { dir, name } = split(path);
    const e = this.dirs.get(dir)?.get(name);
    return e && 'ino' in e ? e.ino : undefined;
  }

  private dirOp(op: DirOp): void {
    const m = this.dirs.get(op.dir);
    if (!m) throw new Error(`crashcheck: directory ${op.dir} is not known to the model`);
    if (op.kind === 'set') m.set(op.name, op.entry);
    else m.delete(op.name);
    this.pending.push(op);
  }

  private inode(path: string): Inode {
    const ino = this.lookup(path);
    if (ino === undefined) throw new Error(`crashcheck: ${path} is written but not known to the model`);
    return this.inodes.get(ino)!;
  }

  apply(op: Op): void {
    switch (op.k) {
      case 'open': {
        let ino = this.lookup(op.path);
        if (ino === undefined && op.create) {
          ino = this.nextIno++;
          this.inodes.set(ino, { data: Buffer.alloc(0), synced: Buffer.alloc(0) });
          const { dir, name } = split(op.path);
          this.dirOp({ kind: 'set', dir, name, entry: { ino } });
        } else if (ino !== undefined && op.trunc) this.inodes.get(ino)!.data = Buffer.alloc(0);
        break;
      }
      case 'write': {
        const f = this.inode(op.path);
        const end = op.off + op.data.length;
        const next = Buffer.alloc(Math.max(f.data.length, end));
        f.data.copy(next);
        op.data.copy(next, op.off);
        f.data = next;
        break;
      }
      case 'fallocate': {
        const f = this.inode(op.path);
        if (op.off + op.len > f.data.length) f.data = Buffer.concat([f.data, Buffer.alloc(op.off + op.len - f.data.length)]);
        break;
      }
      case 'truncate': {
        const f = this.inode(op.path);
        f.data = op.size <= f.data.length ? Buffer.from(f.data.subarray(0, op.size)) : Buffer.concat([f.data, Buffer.alloc(op.size - f.data.length)]);
        break;
      }
      case 'fsync': {
        if (this.dirs.has(op.path)) {
          // A directory fsync makes its entries durable (and nothing else).
          this.durable.set(op.path, new Map(this.dirs.get(op.path)));
          this.pending = this.pending.filter((p) => p.dir !== op.path);
        } else {
          const f = this.inode(op.path);
          f.synced = f.data;
        }
        break;
      }
      case 'rename': {
        const s = split(op.from);
        const d = split(op.to);
        const e = this.dirs.get(s.dir)?.get(s.name);
        if (!e) throw new Error(`crashcheck: rename of unknown ${op.from}`);
        // Same directory: one atomic entry change (both halves or neither).
        this.dirOp({ kind: 'set', dir: d.dir, name: d.name, entry: e });
        if (s.dir === d.dir) {
          this.dirs.get(s.dir)!.delete(s.name);
          (this.pending.at(-1) as DirOp & { alsoDel?: string }).alsoDel = s.name;
        } else this.dirOp({ kind: 'del', dir: s.dir, name: s.name });
        break;
      }
      case 'link': {
        const ino = this.lookup(op.from);
        if (ino === undefined) throw new Error(`crashcheck: link of unknown ${op.from}`);
        const d = split(op.to);
        this.dirOp({ kind: 'set', dir: d.dir, name: d.name, entry: { ino } });
        break;
      }
      case 'unlink': {
        const { dir, name } = split(op.path);
        this.dirOp({ kind: 'del', dir, name });
        break;
      }
      case 'mkdir': {
        const { dir, name } = split(op.path);
        this.dirs.set(op.path, new Map());
        this.durable.set(op.path, new Map());
        this.dirOp({ kind: 'set', dir, name, entry: { dir: true } });
        break;
      }
      case 'marker':
        break;
    }
  }

  /** Every crash state of the current point (deduplicated; at most `limit`, spread evenly). */
  crashStates(limit: number): CrashState[] {
    const ops = this.pending;
    const subsets: boolean[][] = [];
    if (ops.length <= 5) {
      for (let mask = 0; mask < 1 << ops.length; mask++) subsets.push(ops.map((_, i) => ((mask >> i) & 1) === 1));
    } else {
      // Too many for all subsets: every prefix, and every prefix with one op missing.
      for (let n = 0; n <= ops.length; n++) {
        subsets.push(ops.map((_, i) => i < n));
        for (let miss = 0; miss < n - 1; miss++) subsets.push(ops.map((_, i) => i < n && i !== miss));
      }
    }
    const seen = new Set<string>();
    const out: CrashState[] = [];
    for (const applied of subsets) {
      const dirs = new Map<string, Map<string, Entry>>();
      for (const [d, m] of this.durable) dirs.set(d, new Map(m));
      ops.forEach((op, i) => {
        if (!applied[i]) return;
        const m = dirs.get(op.dir)!;
        if (op.kind === 'set') m.set(op.name, op.entry);
        else m.delete(op.name);
        const also = (op as DirOp & { alsoDel?: string }).alsoDel;
        if (also) m.delete(also);
      });
      // The files reachable from the root, and the content choices of each.
      const files: { path: string; choices: Buffer[] }[] = [];
      const dirsSeen: string[] = [];
      const walk = (dir: string) => {
        for (const [name, e] of dirs.get(dir) ?? []) {
          const p = join(dir, name);
          if ('dir' in e) {
            dirsSeen.push(p);
            walk(p);
          } else files.push({ path: p, choices: contentChoices(this.inodes.get(e.ino)!) });
        }
      };
      walk(this.root);
      for (const combo of product(files.map((f) => f.choices.length), 64)) {
        const state: CrashState = new Map();
        for (const d of dirsSeen) state.set(relative(this.root, d), null);
        files.forEach((f, i) => state.set(relative(this.root, f.path), f.choices[combo[i]!]!));
        const key = digest(state);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(state);
      }
    }
    if (out.length <= limit) return out;
    const step = out.length / limit;
    return Array.from({ length: limit }, (_, i) => out[Math.floor(i * step)]!);
  }
}

/** Old data, new data, and torn versions at block granularity (unwritten changed blocks read as zeros). */
function contentChoices(f: Inode): Buffer[] {
  if (f.data === f.synced || f.data.equals(f.synced)) return [f.data];
  const out = [f.synced, f.data];
  const changed: number[] = [];
  const blocks = Math.ceil(f.data.length / BLOCK);
  for (let b = 0; b < blocks; b++) {
    const a = f.data.subarray(b * BLOCK, (b + 1) * BLOCK);
    const s = f.synced.subarray(b * BLOCK, (b + 1) * BLOCK);
    if (!a.equals(s)) changed.push(b);
  }
  const cuts = [...new Set([0, 1, Math.floor(changed.length / 2), changed.length - 1])].filter((j) => j >= 0 && j < changed.length);
  for (const j of cuts) {
    const torn = Buffer.alloc(f.data.length);
    f.synced.copy(torn, 0, 0, Math.min(f.synced.length, torn.length));
    for (let c = 0; c < changed.length; c++) {
      const b = changed[c]!;
      if (c < j) f.data.copy(torn, b * BLOCK, b * BLOCK, Math.min((b + 1) * BLOCK, f.data.length));
      else torn.fill(0, b * BLOCK, Math.min((b + 1) * BLOCK, torn.length));
    }
    out.push(torn);
  }
  return out;
}

/** Index combinations of the given sizes (all of them, up to `cap`; beyond it, one varying index at a time). */
function* product(sizes: number[], cap: number): Generator<number[]> {
  const total = sizes.reduce((n, s) => n * s, 1);
  if (total <= cap) {
    for (let k = 0; k < total; k++) {
      let r = k;
      yield sizes.map((s) => {
        const i = r % s;
        r = Math.floor(r / s);
        return i;
      });
    }
    return;
  }
  for (let f = 0; f < sizes.length; f++) {
    for (let v = 0; v < sizes[f]!; v++) {
      for (const base of [0, 1]) yield sizes.map((s, i) => (i === f ? v : Math.min(base, s - 1)));
    }
  }
}

function digest(state: CrashState): string {
  const h = createHash('sha1');
  for (const [p, d] of [...state].sort(([a], [b]) => (a < b ? -1 : 1))) {
    h.update(p);
    h.update(d === null ? '/' : createHash('sha1').update(d).digest('hex'));
  }
  return h.digest('hex');
}

/**
 * Replays `ops` (recorded under `root`) over `snapshot`, the copy of `root`
 * taken before them (all of it durable), and returns the crash states at
 * every prefix.
 */
export function crashPoints(root: string, snapshot: string, ops: readonly Op[], perPoint: number): CrashPoint[] {
  const model = new Model(root, snapshot);
  const points: CrashPoint[] = [];
  const markers: string[] = [];
  for (let k = 0; k <= ops.length; k++) {
    if (k > 0) {
      const op = ops[k - 1]!;
      model.apply(op);
      if (op.k === 'marker') {
        markers.push(op.name);
        continue; // no file-system change: same states as the point before
      }
    }
    points.push({ prefix: k, markers: [...markers], states: model.crashStates(perPoint) });
  }
  return points;
}

/** Writes a crash state into the empty directory `dir`. */
export function materialize(state: CrashState, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [p, d] of [...state].sort(([a], [b]) => a.length - b.length)) {
    const full = join(dir, p);
    if (d === null) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, d);
    }
  }
}
