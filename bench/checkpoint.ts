/**
 * Checkpoint save and load throughput (docs/checkpoints.md), side by side with
 * what the machine can do without us, on the same disk and file sizes:
 *   - save vs `dd if=/dev/zero of=F bs=1M count=N conv=fsync`;
 *   - load vs a plain read of the same file: `dd if=F of=/dev/null bs=1M`
 *     (streams through one reused buffer) and `fs.readFileSync(F)` (reads it
 *     into fresh memory, as a load must); from the page cache, and cold
 *     (page cache dropped, root only).
 * Also the peak extra memory of a save: VmHWM - VmRSS of this process around
 * it, with the peak reset through /proc/self/clear_refs.
 * Targets: save >= 0.8x dd, load >= 0.8x the plain read, save peak extra <= 64 MiB.
 *
 *   npx tsc -p bench/tsconfig.json
 *   HOGWILD_NATIVE_PATH=$PWD/build/Release/hogwild.node node dist-bench/bench/checkpoint.js [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadCheckpoint, saveCheckpoint } from '../lib/checkpoint/index.js';
import { Workspace } from '../lib/runtime/index.js';
import type { BenchRow, SuiteOptions } from './harness/types.js';

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

function dd(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync('dd', [...args, 'status=none']);
  if (r.status !== 0) throw new Error(`dd ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return (performance.now() - t0) / 1000;
}

export async function run(opts: Pick<SuiteOptions, 'quick' | 'log' | 'outDir'>): Promise<BenchRow[]> {
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

    const loadOnce = async () => {
      const target = new Workspace();
      const t0 = performance.now();
      await loadCheckpoint(target, path);
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
    const warm = { load: [] as number[], dd: [] as number[], rf: [] as number[] };
    await loadOnce(); // page cache warm
    for (let r = 0; r < reps; r++) {
      warm.load.push(await loadOnce());
      warm.dd.push(ddRead());
      warm.rf.push(readFile());
    }
    const c = `load ${label} (page cache)`;
    rows.push({ case: c, impl: 'hogwild', metrics: { 'MB/s': mbps(fileBytes, median(warm.load)), s: Math.round(median(warm.load) * 1000) / 1000 }, note: 'staging + CRC32C + swap' });
    rows.push({ case: c, impl: 'dd of=/dev/null', metrics: { 'MB/s': mbps(fileBytes, median(warm.dd)), s: Math.round(median(warm.dd) * 1000) / 1000 } });
    rows.push({ case: c, impl: 'fs.readFileSync', metrics: { 'MB/s': mbps(fileBytes, median(warm.rf)), s: Math.round(median(warm.rf) * 1000) / 1000 } });

    if (canCold) {
      const cold = { load: [] as number[], dd: [] as number[], rf: [] as number[] };
      for (let r = 0; r < reps; r++) {
        dropCaches();
        cold.load.push(await loadOnce());
        dropCaches();
        cold.dd.push(ddRead());
        dropCaches();
        cold.rf.push(readFile());
      }
      const cc = `load ${label} (cold)`;
      rows.push({ case: cc, impl: 'hogwild', metrics: { 'MB/s': mbps(fileBytes, median(cold.load)), s: Math.round(median(cold.load) * 1000) / 1000 } });
      rows.push({ case: cc, impl: 'dd of=/dev/null', metrics: { 'MB/s': mbps(fileBytes, median(cold.dd)), s: Math.round(median(cold.dd) * 1000) / 1000 } });
      rows.push({ case: cc, impl: 'fs.readFileSync', metrics: { 'MB/s': mbps(fileBytes, median(cold.rf)), s: Math.round(median(cold.rf) * 1000) / 1000 } });
    }
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
      for (const r of rows) console.log(`${r.case.padEnd(28)} ${r.impl.padEnd(18)} ${JSON.stringify(r.metrics)}`);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
