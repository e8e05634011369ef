/** What the results were measured on: CPU, cores, ISA chosen by the addon, versions. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { probeTorch } from '../peers/python.js';
import { repoRoot } from './paths.js';
import type { MachineInfo } from './types.js';

function cpuinfo(): { model?: string; physical?: number } {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim();
    const cores = new Set<string>();
    for (const block of text.split(/\n\s*\n/)) {
      const phys = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
      const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
      if (phys !== undefined && core !== undefined) cores.add(`${phys}:${core}`);
    }
    return { model, physical: cores.size || undefined };
  } catch {
    return {};
  }
}

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) return `${pretty} (${osType()} ${release()} ${process.arch})`;
  } catch {
    // not Linux
  }
  return `${osType()} ${release()} ${process.arch}`;
}

function npmVersion(): string | undefined {
  const agent = /npm\/([\w.-]+)/.exec(process.env.npm_config_user_agent ?? '')?.[1];
  if (agent) return agent;
  const r = spawnSync('npm', ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Debian package versions of the peers, when dpkg knows them. */
function debianVersions(): Record<string, string> {
  const names = ['fasttext', 'python3-torch', 'python3-numpy', 'dataset-fashion-mnist'];
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${Version} ${db:Status-Status}\\n', ...names], { encoding: 'utf8' });
  const out: Record<string, string> = {};
  for (const line of (r.stdout ?? '').split('\n')) {
    const [name, version, status] = line.trim().split(' ');
    if (name && version && status === 'installed') out[name] = version;
  }
  return out;
}

/**
 * simdInfo() from the addon: the public export when the compiled library has it, else the
 * binding. Asked in a child process, so a missing or crashing addon only blanks this field.
 */
function simdInfo(): { simd?: unknown; simdError?: string } {
  const root = repoRoot();
  const candidates = [
    join(root, 'dist', 'index.js'),
    join(root, 'dist-bench', 'lib', 'index.js'),
    join(root, 'dist', 'native', 'binding.js'),
    join(root, 'dist-bench', 'lib', 'native', 'binding.js'),
  ].filter((f) => existsSync(f)).map((f) => pathToFileURL(f).href);
  if (candidates.length === 0) return { simdError: 'no compiled hogwild library (npm run build:ts)' };
  const script = `
    let last = 'the addon has no simdInfo() yet';
    for (const url of ${JSON.stringify(candidates)}) {
      try {
        const m = await import(url);
        const f = typeof m.simdInfo === 'function' ? m.simdInfo : m.native?.().simdInfo;
        if (typeof f === 'function') { process.stdout.write(JSON.stringify({ simd: f() })); process.exit(0); }
      } catch (e) { last = String(e?.message ?? e).split('\\n')[0]; }
    }
    process.stdout.write(JSON.stringify({ simdError: last }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  try {
    return JSON.parse(r.stdout) as { simd?: unknown; simdError?: string };
  } catch {
    return { simdError: `loading the addon failed (${r.signal ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n')[0] ?? ''}` };
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const cpu = cpuinfo();
  const torch = probeTorch();
  const peers = debianVersions();
  if (torch.ok) {
    peers['torch (python)'] = torch.torch;
    peers['numpy (python)'] = torch.numpy;
    peers.python = torch.python;
  }
  const npm = npmVersion();
  return {
    cpuModel: cpu.model ?? cpus()[0]?.model ?? 'unknown',
    logicalCores: availableParallelism(),
    ...(cpu.physical ? { physicalCores: cpu.physical } : {}),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: osName(),
    node: process.version,
    ...(npm ? { npm } : {}),
    ...simdInfo(),
    peers,
  };
}
