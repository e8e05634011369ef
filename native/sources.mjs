#!/usr/bin/env node
// The one list of native sources and per-ISA flags, read by binding.gyp
// (`<!@(node native/sources.mjs …)`) and CMakeLists.txt (execute_process), so
// the two builds cannot drift apart. Files are found by folder:
//   native/kernels/<isa>/*.cc  -> compiled with that ISA's flags only
//   native/napi/*.cc           -> the N-API binding (addon only)
//   native/tests/**            -> C++ unit tests and fuzz targets (CMake only)
//   native/distributed/**      -> the optional Gloo module (its own CMake target)
//   every other native/**/*.cc -> the core library
import { readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/** Flags per instruction set. Never -march=native: a prebuilt binary must run anywhere. */
export const isaFlags = {
  avx2: ['-mavx2', '-mfma', '-mf16c'],
  avx512: ['-mavx512f', '-mavx512bw', '-mavx512dq', '-mavx512vl', '-mavx2', '-mfma', '-mf16c'],
};

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.cc') ? [join(dir, e.name)] : [],
  );
}

export function sources(group) {
  const all = walk(root)
    .map((f) => 'native/' + relative(root, f).split(sep).join('/'))
    .sort();
  const isaOf = (f) => /^native\/kernels\/([a-z0-9]+)\//.exec(f)?.[1];
  switch (group) {
    case 'core':
      return all.filter((f) => !f.startsWith('native/napi/') && !f.startsWith('native/tests/') && !f.startsWith('native/distributed/') && !(isaOf(f) in isaFlags) && isaOf(f) !== 'neon');
    case 'distributed':
      return all.filter((f) => f.startsWith('native/distributed/'));
    case 'addon':
      return all.filter((f) => f.startsWith('native/napi/'));
    case 'neon':
      return all.filter((f) => isaOf(f) === 'neon');
    default:
      if (group in isaFlags) return all.filter((f) => isaOf(f) === group);
      throw new Error(`Unknown source group '${group}'`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [what, arg] = process.argv.slice(2);
  const list = what === 'flags' ? isaFlags[arg] : sources(what);
  if (!list) throw new Error(`Unknown ISA '${arg}'`);
  process.stdout.write(list.join(' ') + '\n');
}
