/**
 * Checkpoint save and load throughput (docs/checkpoints.md §6), side by side with
 * peers on the same disk, files and sizes, each peer in a fresh process:
 *   - save vs `dd if=/dev/zero of=F bs=1M count=N conv=fsync` and `torch.save` (+ fsync);
 *   - load: hogwild validated (CRC32C of every tensor) served from the mapping
 *     (`readOnly`, a model loaded for prediction) and copied into fresh memory,
 *     in this process and in a fresh one; vs `dd of=/dev/null`, `fs.readFileSync`,
 *     `numpy.fromfile`, `torch.load` (of the torch.save file), `safetensors`
 *     `load_file` and `safe_open` + `get_tensor` ("not installed" rows without
 *     the module); from the page cache, and cold (page cache dropped, root only;
 *     otherwise a row says so);
 *   - asynchronous save: a training epoch during which a save of the model runs
 *     vs the same epoch without a save (and with a synchronous save).
 * Also the peak extra memory of a save (VmHWM - VmRSS around it, peak reset
 * through /proc/self/clear_refs).
 * Targets: load 1 GiB fresh process >= 3x safetensors.load_file, >= 0.8x
 * safe_open; cold >= 0.8x dd; async-save epoch <= 1.1x the plain epoch; save >= 1.0x dd.
 *
 *   npx tsc -p bench/tsconfig.json
 *   HOGWILD_NATIVE_PATH=$PWD/build/Release/hogwild.node node dist-bench/bench/checkpoint.js [--quick]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AsyncCheckpointSaver, loadCheckpoint, saveCheckpoint } from '../lib/checkpoint/index.js';
import { Workspace } from '../lib/runtime/index.js';
import { type BenchRow, type SuiteOptions, SuiteUnavailable } from './harness/types.js';
import { peerPython } from './peers/python.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const peerScript = join(here, '..', '..', 'bench', 'peers', 'checkpoint_peers.py');
const childScript = join(here, 'checkpoint_child.js');

type Outcome = { s: number } | { skipped: string };

/** Runs one operation in a fresh process; its own timing of the operation alone. */
function fresh(cmd: string, args: string[]): Outcome {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, env: process.env });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  }
  const o = JSON.parse(line) as { s?: number; skipped?: string };
  return o.skipped !== undefined ? { skipped: o.skipped } : { s: o.s! };
}

const MiB = 1 << 20;

function statusKb(field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Resets this process's peak RSS (VmHWM); false where /proc does not allow it. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function dropCaches(): boolean {
  spawnSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function model(bytes: number): Promise<{ ws: Workspace; names: string[] }> {
  const parts = bytes >= 64 * MiB ? 16 : 1;
  const names = Array.from({ length: parts }, (_, i) => `layer${i}/w`);
  const ws = new Workspace();
  await ws.run({
    name: 'fill',
    nets: [{ name: 'fill', ops: names.map((n, i) => ({ type: 'ConstantFill', inputs: [], outputs: [n], args: { shape: [bytes / 4 / parts], value: i + 0.5 } })) }],
    steps: [{ name: 'fill', nets: ['fill'] }],
  });
  return { ws, names };
}

const round3 = (s: number) => Math.round(s * 1000) / 1000;

/** Runs `iterations` in-place updates of every parameter (a memory-bound stand-in for a training epoch). */
function epochPlan(names: string[], iterations: number) {
  return {
    name: 'epoch',
    nets: [{ name: 'update', ops: names.map((n) => ({ type: 'Scale', inputs: [n], outputs: [n], args: { scale: 1.0000001 } })) }],
    steps: [{ name: 'epoch', nets: ['update'], numIter: iterations }],
  };
}

/**
 * An epoch during which an asynchronous save runs vs the same epoch without one
 * (and with a synchronous save before it, as JobRunner does without asyncSave).
 * The epoch is sized to about 2 s without a save.
 */
async function asyncSaveRows(bytes: number, label: string, dir: string, reps: number, log: (m: string) => void): Promise<BenchRow[]> {
  log(`checkpoint async save ${label}`);
  const { ws, names } = await model(bytes);
  const path = join(dir, 'async.1');
  let iterations = 1;
  for (;;) {
    const t0 = performance.now();
    await ws.run(epochPlan(names, iterations));
    const s = (performance.now() - t0) / 1000;
    if (s >= 1.5 || iterations >= 4096) break;
    iterations = Math.max(iterations * 2, Math.ceil((iterations * 2) / Math.max(s, 0.01)));
  }
  const plan = epochPlan(names, iterations);
  const saver = new AsyncCheckpointSaver();
  await saver.save(ws, names, path, { epoch: 0, node: 'trainer_0' }).written; // first snapshot maps its memory
  const plain: number[] = [];
  const withAsync: number[] = [];
  const withSync: number[] = [];
  const writes: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    await ws.run(plan);
    plain.push((performance.now() - t0) / 1000);

    rmSync(path, { force: true });
    t0 = performance.now();
    const { written } = saver.save(ws, names, path, { epoch: r + 1, node: 'trainer_0' });
    const committedAt = written.then(() => performance.now());
    await ws.run(plan);
    withAsync.push((performance.now() - t0) / 1000);
    writes.push(((await committedAt) - t0) / 1000);

    rmSync(path, { force: true });
    t0 = performance.now();
    await saveCheckpoint(ws, names, path, { epoch: r + 1, node: 'trainer_0' });
    await ws.run(plan);
    withSync.push((performance.now() - t0) / 1000);
  }
  ws.dispose();
  rmSync(path, { force: true });
  const c = `epoch with a save of ${label}`;
  const note = `${iterations} in-place updates of every parameter`;
  return [
    { case: c, impl: 'hogwild', primary: 's', lowerIsBetter: true, metrics: { s: round3(median(withAsync)), 'x plain epoch': Math.round((median(withAsync) / median(plain)) * 100) / 100, 'save committed s': round3(median(writes)) }, note: `asyncSave (snapshot, then a native thread writes); ${note}` },
    { case: c, impl: 'no save', primary: 's', lowerIsBetter: true, metrics: { s: round3(median(plain)) }, note },
    { case: c, impl: 'hogwild sync save', primary: 's', lowerIsBetter: true, metrics: { s: round3(median(withSync)), 'x plain epoch': Math.round((median(withSync) / median(plain)) * 100) / 100 }, note: 'save, then the epoch' },
  ];
}

function dd(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync('dd', [...args, 'status=none']);
  if (r.status !== 0) throw new Error(`dd ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return (performance.now() - t0) / 1000;
}

export async function run(opts: Pick<SuiteOptions, 'quick' | 'log' | 'outDir'>): Promise<BenchRow[]> {
  if (!existsSync(childScript)) throw new SuiteUnavailable('not available from the TypeScript sources: run it compiled (npx tsc -p bench/tsconfig.json)');
  const sizes = opts.quick ? [4 * MiB, 64 * MiB] : [4 * MiB, 256 * MiB, 1024 * MiB];
  const reps = opts.quick ? 1 : 3;
  const dir = join(opts.outDir, 'checkpoint-bench');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rows: BenchRow[] = [];
  const canCold = !opts.quick && dropCaches();
  const canPeak = resetPeak();
  const mbps = (bytes: number, s: number) => Math.round(bytes / 1e6 / s);

  for (const bytes of sizes) {
    const label = bytes >= 1024 * MiB ? `${bytes / 1024 / MiB} GiB` : `${bytes / MiB} MiB`;
    opts.log(`checkpoint ${label}`);
    const path = join(dir, 'trainer_0.1');
    const ddPath = join(dir, 'dd.bin');
    const { ws, names } = await model(bytes);
    let fileBytes = 0;
    const save: number[] = [];
    const peak: number[] = [];
    const ddWrite: number[] = [];
    for (let r = 0; r < reps; r++) {
      rmSync(path, { force: true });
      const rss0 = statusKb('VmRSS');
      resetPeak();
      const t0 = performance.now();
      fileBytes = (await saveCheckpoint(ws, names, path, { epoch: 1, node: 'trainer_0' })).bytes;
      save.push((performance.now() - t0) / 1000);
      peak.push((statusKb('VmHWM') - rss0) / 1024);
      rmSync(ddPath, { force: true });
      ddWrite.push(dd(['if=/dev/zero', `of=${ddPath}`, 'bs=1M', `count=${Math.ceil(fileBytes / MiB)}`, 'conv=fsync']));
    }
    ws.dispose();
    rows.push({
      case: `save ${label}`,
      impl: 'hogwild',
      metrics: {
        'MB/s': mbps(fileBytes, median(save)),
        s: Math.round(median(save) * 1000) / 1000,
        ...(canPeak ? { 'peak extra RSS MB': Math.round(Math.max(...peak) * 10) / 10 } : {}),
      },
      note: 'temp file, fsync, rename, dir fsync; CRC32C per tensor',
    });
    rows.push({ case: `save ${label}`, impl: 'dd conv=fsync', metrics: { 'MB/s': mbps(fileBytes, median(ddWrite)), s: Math.round(median(ddWrite) * 1000) / 1000 } });

    const python = peerPython();
    const torchPath = join(dir, 'torch.pt');
    if (python) {
      const t = fresh(python, [peerScript, 'torch-save', torchPath, String(bytes)]);
      rows.push('skipped' in t
        ? { case: `save ${label}`, impl: 'torch.save', metrics: {}, skipped: t.skipped }
        : { case: `save ${label}`, impl: 'torch.save', metrics: { 'MB/s': mbps(bytes, t.s), s: round3(t.s) }, note: '+ flush + fsync, fresh process' });
    }

    const loadHere = async (readOnly: boolean) => {
      const target = new Workspace();
      const t0 = performance.now();
      await loadCheckpoint(target, path, { readOnly });
      const s = (performance.now() - t0) / 1000;
      target.dispose();
      return s;
    };
    const readFile = () => {
      const t0 = performance.now();
      const b = readFileSync(path);
      const s = (performance.now() - t0) / 1000;
      if (b.length !== fileBytes) throw new Error('short read');
      return s;
    };
    const ddRead = () => dd([`if=${path}`, 'of=/dev/null', 'bs=1M']);
    // Every implementation, as [impl, note, run]: one measurement each (seconds), or skipped.
    const impls: [string, string, () => Promise<Outcome>][] = [
      ['hogwild', 'readOnly: validated (CRC32C) in place, served from the mapping', async () => ({ s: await loadHere(true) })],
      ['hogwild copy', 'validated, copied into fresh memory (huge pages)', async () => ({ s: await loadHere(false) })],
      ['hogwild fresh process', 'readOnly, new node process', async () => fresh(process.execPath, [childScript, path, 'readOnly'])],
      ['hogwild copy fresh process', 'copy, new node process', async () => fresh(process.execPath, [childScript, path, 'copy'])],
      ['dd of=/dev/null', 'one reused 1 MiB buffer, no validation', async () => ({ s: ddRead() })],
      ['fs.readFileSync', 'into fresh memory, no validation', async () => ({ s: readFile() })],
    ];
    if (python) {
      impls.push(
        ['numpy.fromfile', 'fresh process, no validation', async () => fresh(python, [peerScript, 'numpy-fromfile', path])],
        ['torch.load', 'fresh process, its own file of the same size', async () => fresh(python, [peerScript, 'torch-load', torchPath])],
        ['safetensors.load_file', 'fresh process', async () => fresh(python, [peerScript, 'st-load-file', path])],
        ['safetensors safe_open', 'fresh process, get_tensor of every tensor', async () => fresh(python, [peerScript, 'st-safe-open', path])],
      );
    }
    const measure = async (c: string, before: () => void) => {
      for (const [impl, note, once] of impls) {
        const times: number[] = [];
        let skipped: string | undefined;
        for (let r = 0; r < reps && !skipped; r++) {
          before();
          const o = await once();
          if ('skipped' in o) skipped = o.skipped;
          else times.push(o.s);
        }
        rows.push(skipped
          ? { case: c, impl, metrics: {}, skipped }
          : { case: c, impl, metrics: { 'MB/s': mbps(fileBytes, median(times)), s: round3(median(times)) }, note });
      }
    };
    await loadHere(false); // page cache warm
    if (python) fresh(python, [peerScript, 'numpy-fromfile', torchPath]);
    await measure(`load ${label} (page cache)`, () => {});
    if (canCold) await measure(`load ${label} (cold)`, () => void dropCaches());
    else rows.push({ case: `load ${label} (cold)`, impl: 'hogwild', metrics: {}, skipped: 'not measured: writing /proc/sys/vm/drop_caches needs root' + (opts.quick ? ' (and --quick skips it)' : '') });

    if (bytes === 256 * MiB || (opts.quick && bytes === 64 * MiB)) rows.push(...(await asyncSaveRows(bytes, label, dir, reps, opts.log)));
    rmSync(torchPath, { force: true });
    rmSync(path, { force: true });
    rmSync(ddPath, { force: true });
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

// Standalone: prints the rows as a table.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const outDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  run({ quick, outDir, log: (m) => process.stderr.write(`${m}\n`) }).then(
    (rows) => {
      for (const r of rows) console.log(`${r.case.padEnd(28)} ${r.impl.padEnd(26)} ${r.skipped ?? JSON.stringify(r.metrics)}`);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
