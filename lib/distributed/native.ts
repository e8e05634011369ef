/**
 * Loads the optional Gloo module (hogwild_gloo.node) on first use. The main
 * addon never needs it; a multi-node call on a machine without it throws
 * HOGWILD_NO_DISTRIBUTED with how to get it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DISTRIBUTED_CODES, DistributedError } from './errors.js';

export interface NativeGroup {
  readonly rank: number;
  readonly size: number;
  allreduce(data: Float32Array, op: string): Promise<void>;
  broadcast(data: Float32Array, root: number): Promise<void>;
  barrier(): Promise<void>;
  allgather(input: Float32Array, output: Float32Array): Promise<void>;
  startAveraging(params: Float32Array[], everyBatches: number, everyMs: number): NativeAverager;
  /** An external for the main addon's setCollectiveBackend (the collective ops). */
  collectiveBackend(): unknown;
  close(): void;
}

export interface NativeAverager {
  tick(batches?: number): void;
  stop(): Promise<{ rounds: number }>;
  stats(): { rounds: number; running: boolean; errorCode?: string; errorMessage?: string };
}

export interface NativeConnectOptions {
  rank: number;
  size: number;
  storeKind: 'file' | 'redis';
  path?: string;
  host?: string;
  port?: number;
  prefix: string;
  fingerprint: string;
  hostname: string;
  timeoutMs: number;
  rendezvousTimeoutMs: number;
}

export interface GlooBinding {
  Group: { connect(options: NativeConnectOptions): Promise<NativeGroup> };
}

const require = createRequire(import.meta.url);
let cached: GlooBinding | undefined;
let failure: string | undefined;

function packageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Where the module may be: HOGWILD_GLOO_PATH, then the build folders. */
export function glooCandidates(): string[] {
  const root = packageDir();
  const env = process.env.HOGWILD_GLOO_PATH;
  if (env) return [env];
  return [join(root, 'build', 'Release', 'hogwild_gloo.node'), join(root, 'build', 'Debug', 'hogwild_gloo.node')];
}

/** Whether the Gloo module can be loaded here (never throws). */
export function distributedAvailable(): boolean {
  try {
    loadGloo();
    return true;
  } catch {
    return false;
  }
}

/** The Gloo module, or a HOGWILD_NO_DISTRIBUTED error saying how to get it. */
export function loadGloo(): GlooBinding {
  if (cached) return cached;
  if (failure === undefined) {
    const tried: string[] = [];
    for (const path of glooCandidates()) {
      if (!existsSync(path)) {
        tried.push(`${path} (missing)`);
        continue;
      }
      try {
        cached = require(path) as GlooBinding;
        return cached;
      } catch (err) {
        tried.push(`${path} (${(err as Error).message.split('\n')[0]})`);
      }
    }
    failure = tried.join('; ');
  }
  throw new DistributedError(
    DISTRIBUTED_CODES.NO_DISTRIBUTED,
    `Multi-node training needs the optional Gloo module, which is not built here (tried ${failure}). ` +
      'To get it: apt-get install libgloo-dev libhiredis-dev pkg-config, then rebuild with npm run build.',
  );
}
