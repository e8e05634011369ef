// Shared by the multi-node tests: whether the Gloo module is built, ranks
// started as processes with the launcher's environment, and a throwaway
// redis-server on a random loopback port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { distributedAvailable } from '../../lib/distributed/native.js';

export const fixture = join(import.meta.dirname, 'fixtures', 'rank.mjs');
const root = join(import.meta.dirname, '..', '..');

/**
 * Compiles only lib/distributed (and what it imports) for the rank processes,
 * which must be JavaScript: a few seconds instead of the whole library.
 * Returns the dist directory; remove it with removeCompiled().
 */
export function compileDistributed(name: string): string {
  const base = join(root, 'node_modules', '.cache', 'hogwild-test', `${name}-${process.pid}`);
  const out = join(base, 'dist');
  rmSync(base, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const config = join(base, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { outDir: out, rootDir: join(root, 'lib'), declaration: false, sourceMap: false },
      include: [join(root, 'lib', 'distributed', '*.ts')],
    }),
  );
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: root, stdio: 'pipe' });
  if (!existsSync(join(out, 'distributed', 'index.js'))) throw new Error(`tsc wrote no ${join(out, 'distributed', 'index.js')}`);
  return out;
}

/** True when hogwild_gloo.node loads; otherwise warns loudly (once per file) and returns false. */
export function glooOrWarn(file: string): boolean {
  if (distributedAvailable()) return true;
  // scripts/ci-distributed.sh: where Gloo is installed, a skip is a failure.
  if (process.env.HOGWILD_REQUIRE_GLOO === '1') throw new Error(`${file}: HOGWILD_REQUIRE_GLOO=1 but build/Release/hogwild_gloo.node does not load`);
  console.warn(
    `\n*** SKIPPED ${file}: the optional Gloo module (build/Release/hogwild_gloo.node) is not built. ` +
      'Install libgloo-dev libhiredis-dev pkg-config and run npm run build to run the multi-node tests. ***\n',
  );
  return false;
}

export function hasRedis(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export interface RankResult {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Record<string, unknown>[];
  stderr: string;
}

export interface RankEnv {
  size: number;
  store: string;
  prefix: string;
  dist: string;
  timeoutMs?: number;
  rendezvousTimeoutMs?: number;
  fingerprint?: string;
  /** Per rank: a command to run node under (e.g. ip netns exec NS) and extra environment. */
  perRank?: (rank: number) => { wrap?: string[]; env?: Record<string, string> };
}

/** Starts `ranks` of the fixture scenario with the environment hogwild launch would give them. */
export function startRanks(ranks: readonly number[], scenario: string, e: RankEnv, killAfterMs = 30_000): Promise<RankResult[]> {
  return Promise.all(
    ranks.map(
      (rank) =>
        new Promise<RankResult>((resolve) => {
          const extra = e.perRank?.(rank) ?? {};
          const [cmd, ...args] = [...(extra.wrap ?? []), process.execPath, fixture, scenario];
          const child: ChildProcess = spawn(cmd!, args, {
            env: {
              ...process.env,
              HOGWILD_TEST_DIST: e.dist,
              HOGWILD_RANK: String(rank),
              HOGWILD_WORLD_SIZE: String(e.size),
              HOGWILD_STORE: e.store,
              HOGWILD_STORE_PREFIX: e.prefix,
              HOGWILD_FINGERPRINT: e.fingerprint ?? 'test',
              HOGWILD_TIMEOUT_MS: String(e.timeoutMs ?? 5000),
              HOGWILD_RENDEZVOUS_TIMEOUT_MS: String(e.rendezvousTimeoutMs ?? 10_000),
              ...extra.env,
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
          child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
          const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          child.on('close', (code, signal) => {
            clearTimeout(timer);
            const lines = out
              .split('\n')
              .filter((l) => l.startsWith('{'))
              .map((l) => JSON.parse(l) as Record<string, unknown>);
            resolve({ rank, code, signal, lines, stderr: err });
          });
        }),
    ),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A redis-server with no persistence on 127.0.0.1 and a free port; stop() ends it. */
export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
