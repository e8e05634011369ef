// binding.gyp (npm install fallback) and CMakeLists.txt (dev build) must compile
// the same sources with the same per-file ISA flags. Both are configured here
// into temp copies and their compile_commands.json compared file by file.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const nodeGyp =
  process.env.npm_config_node_gyp ??
  join(dirname(execFileSync('npm', ['root', '-g']).toString().trim()), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');

interface Entry { file: string; command?: string; arguments?: string[] }
type FlagsByFile = Map<string, string[]>;

/** Flags that change what code a file may contain: ISA (-m…) and our HOGWILD_* defines. */
function relevantFlags(cmd: string): string[] {
  return cmd.split(/\s+/).filter((f) => /^-m(avx|fma|f16c|sse|arch|tune|cpu)/.test(f) || /^"?-DHOGWILD_/.test(f)).sort();
}

function readCommands(path: string, base: string): FlagsByFile {
  const entries = JSON.parse(readFileSync(path, 'utf8')) as Entry[];
  const out: FlagsByFile = new Map();
  for (const e of entries) {
    const file = relative(base, e.file.startsWith('/') ? e.file : join(base, e.file));
    if (!file.startsWith('native/') || file.startsWith('native/tests/')) continue;
    out.set(file, relevantFlags(e.command ?? (e.arguments ?? []).join(' ')));
  }
  return out;
}

function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hogwild-parity-'));
  for (const f of ['binding.gyp', 'CMakeLists.txt', 'package.json']) cpSync(join(root, f), join(dir, f));
  cpSync(join(root, 'native'), join(dir, 'native'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

let gypDir = '';
let cmakeDir = '';
let gyp: FlagsByFile;
let cmake: FlagsByFile;

beforeAll(() => {
  gypDir = copyTree();
  execFileSync(process.execPath, [nodeGyp, 'configure', `--nodedir=${process.env.npm_config_nodedir ?? '/usr'}`, '--', '-f', 'compile_commands_json'], { cwd: gypDir, stdio: 'pipe' });
  gyp = readCommands(join(gypDir, 'build', 'Release', 'compile_commands.json'), gypDir);
  cmakeDir = copyTree();
  execFileSync('cmake', ['-S', '.', '-B', 'build-parity', '-G', 'Ninja'], { cwd: cmakeDir, stdio: 'pipe' });
  cmake = readCommands(join(cmakeDir, 'build-parity', 'compile_commands.json'), cmakeDir);
}, 120_000);

afterAll(() => {
  for (const d of [gypDir, cmakeDir]) if (d) rmSync(d, { recursive: true, force: true });
});

function nativeSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.cc'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    // native/distributed/ is the optional Gloo module: its own cmake-js target, never in binding.gyp.
    .filter((f) => !f.startsWith('native/tests/') && !f.startsWith('native/kernels/neon/') && !f.startsWith('native/distributed/'))
    .sort();
}

describe('build files', () => {
  test('both builds compile every native source', () => {
    const expected = nativeSources(join(root, 'native'));
    // The CMake dev build compiles the addon glue only under cmake-js.
    const cmakeFiles = [...cmake.keys()].concat(expected.filter((f) => f.startsWith('native/napi/'))).sort();
    expect([...new Set(cmakeFiles)]).toEqual(expected);
    expect([...gyp.keys()].sort()).toEqual(expected);
  });

  test('per-file ISA flags and defines agree', () => {
    for (const [file, flags] of cmake) expect({ file, flags: gyp.get(file) }).toEqual({ file, flags });
  });

  test('no shipped flag targets the build machine', () => {
    for (const flags of [...gyp.values(), ...cmake.values()]) {
      expect(flags.filter((f) => /-march=native|-mtune=native|-mcpu=native/.test(f))).toEqual([]);
    }
  });

  test('ISA folders get their flags and nothing else does', () => {
    for (const [file, flags] of gyp) {
      const isa = /^native\/kernels\/(avx2|avx512)\//.exec(file)?.[1];
      if (isa) expect(flags).toContain(isa === 'avx2' ? '-mavx2' : '-mavx512f');
      else expect(flags.filter((f) => f.startsWith('-m'))).toEqual([]);
    }
    expect(existsSync(join(root, 'native', 'sources.mjs'))).toBe(true);
  });
});
