/**
 * The one place that loads the addon and types it. Nothing else imports the
 * raw binding. Load order (node-gyp-build): build/Release, build/Debug, then
 * prebuilds/<platform>-<arch>/.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { NativeLoadError } from '../errors/index.js';
import type { CheckpointBinding } from './checkpointTypes.js';
import type { CollectiveBinding } from './collectiveTypes.js';
import type { CoreBinding } from './coreTypes.js';
import type { DataBinding } from './dataTypes.js';
import type { KernelBinding } from './kernelTypes.js';
import type { PredictBinding } from './predictTypes.js';

export type * from './coreTypes.js';
export type NativeBinding = CoreBinding & KernelBinding & DataBinding & CheckpointBinding & PredictBinding & CollectiveBinding;

const require = createRequire(import.meta.url);

/** The package root: the folder holding package.json, above lib/native or dist/native. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new NativeLoadError('Could not find the hogwild package root');
    dir = up;
  }
  return dir;
}

function load(): NativeBinding {
  const root = packageRoot();
  const override = process.env.HOGWILD_NATIVE_PATH;
  try {
    if (override) return require(override) as NativeBinding;
    const gypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return gypBuild(root) as NativeBinding;
  } catch (cause) {
    const tried = override
      ? [override]
      : [
          join(root, 'build', 'Release'),
          join(root, 'build', 'Debug'),
          join(root, 'prebuilds', `${process.platform}-${process.arch}`),
        ];
    throw new NativeLoadError(
      [
        `Could not load the hogwild native addon for ${process.platform}-${process.arch} (Node ${process.version}, N-API ${process.versions.napi}).`,
        `Tried: ${tried.join(', ')}.`,
        `Cause: ${(cause as Error)?.message ?? String(cause)}`,
        'To fix it:',
        '  1. Reinstall so a bundled prebuild is picked: npm install hogwild',
        '  2. Or build from source (needs python3, make and a C++17 compiler): npm rebuild hogwild --build-from-source',
        '  3. Or point HOGWILD_NATIVE_PATH at a built hogwild.node',
      ].join('\n'),
      { cause },
    );
  }
}

let cached: NativeBinding | undefined;

/** The loaded addon (loaded on first use). Throws NativeLoadError (ERR_HOGWILD_NATIVE_LOAD). */
export function native(): NativeBinding {
  if (!cached) {
    cached = load();
    // Process exit does not run env cleanup hooks (docs/reliability.md §4): stop and
    // join our threads before static destructors run.
    const binding = cached;
    process.on('exit', () => binding.shutdownSync?.());
  }
  return cached;
}
