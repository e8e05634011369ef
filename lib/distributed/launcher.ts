/**
 * Starts this host's ranks of a multi-node job as child processes and
 * supervises them. When a rank fails, the others fail too (PEER_LOST within
 * their timeout); the launcher waits for them (killing any still alive after
 * the timeout and a grace period, so it never hangs), then either gives up or
 * starts a new attempt with a fresh store prefix (bounded by maxRestarts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

import { InvalidArgumentError } from '../errors/index.js';
import { ENV } from './env.js';
import { formatStore, parseStore } from './store.js';

export interface LaunchOptions {
  /** The job module (a Node program that calls connectFromEnv()). */
  script: string;
  args?: readonly string[];
  /** World size: ranks on every host together. */
  nodes: number;
  /** First rank started on this host (default 0). */
  nodeRank?: number;
  /** Ranks started on this host (default: all of nodes − nodeRank). */
  localNodes?: number;
  /** Rendezvous store: a directory or redis://host:port. */
  store: string;
  /** Names the run in the store; every host of one run must use the same one. */
  runId?: string;
  maxRestarts?: number;
  /** Job modules: each rank checkpoints here after every epoch, and restarts resume from the newest epoch valid on every rank. */
  checkpointDir?: string;
  hostname?: string;
  timeoutMs?: number;
  rendezvousTimeoutMs?: number;
  /** Where the ranks' output goes, each line prefixed with "[rank R] ". */
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
  /** Extra grace after the timeout before surviving ranks are killed (default 5 s). */
  graceMs?: number;
}

export interface RankExit {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchResult {
  ok: boolean;
  attempts: number;
  /** The exits of the last attempt, by rank. */
  exits: RankExit[];
}

/** Same script and arguments → same fingerprint: ranks of different jobs refuse to connect. */
export function jobFingerprint(script: string, args: readonly string[]): string {
  const h = createHash('sha256');
  h.update(readFileSync(script));
  h.update('\0');
  h.update(JSON.stringify(args));
  return h.digest('hex').slice(0, 16);
}

function pipeLines(stream: NodeJS.ReadableStream | null, to: NodeJS.WritableStream, rank: number): void {
  if (!stream) return;
  createInterface({ input: stream }).on('line', (line) => to.write(`[rank ${rank}] ${line}\n`));
}

async function runAttempt(o: Required<Omit<LaunchOptions, 'out' | 'err' | 'runId' | 'hostname' | 'checkpointDir'>> & LaunchOptions, prefix: string, attempt: number, fingerprint: string): Promise<RankExit[]> {
  const first = o.nodeRank;
  const children: { rank: number; child: ChildProcess; done: Promise<RankExit> }[] = [];
  // Compiled: every rank starts through rankMain.js (trains Job modules); from TS sources, the script itself.
  const rankMain = fileURLToPath(new URL('./rankMain.js', import.meta.url));
  const entry = existsSync(rankMain) ? [rankMain, o.script] : [o.script];
  for (let rank = first; rank < first + o.localNodes; rank++) {
    const child = spawn(process.execPath, [...entry, ...o.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        [ENV.RANK]: String(rank),
        [ENV.WORLD_SIZE]: String(o.nodes),
        [ENV.STORE]: o.store,
        [ENV.PREFIX]: prefix,
        [ENV.FINGERPRINT]: fingerprint,
        [ENV.ATTEMPT]: String(attempt),
        [ENV.HOSTNAME]: o.hostname ?? '127.0.0.1',
        [ENV.TIMEOUT_MS]: String(o.timeoutMs),
        [ENV.RENDEZVOUS_TIMEOUT_MS]: String(o.rendezvousTimeoutMs),
        ...(o.checkpointDir ? { [ENV.CHECKPOINT_DIR]: resolve(o.checkpointDir) } : {}),
      },
    });
    pipeLines(child.stdout, o.out ?? process.stdout, rank);
    pipeLines(child.stderr, o.err ?? process.stderr, rank);
    const done = new Promise<RankExit>((res) => {
      child.on('exit', (code, signal) => res({ rank, code, signal }));
      child.on('error', () => res({ rank, code: 127, signal: null }));
    });
    children.push({ rank, child, done });
  }
  // After the first failure, the others get the timeout plus a grace period to notice.
  let killer: NodeJS.Timeout | undefined;
  for (const c of children) {
    void c.done.then((e) => {
      if ((e.code !== 0 || e.signal) && !killer) {
        killer = setTimeout(() => {
          for (const other of children) if (other.child.exitCode === null && other.child.signalCode === null) other.child.kill('SIGKILL');
        }, Math.max(o.timeoutMs, o.rendezvousTimeoutMs) + o.graceMs);
      }
    });
  }
  const exits = await Promise.all(children.map((c) => c.done));
  if (killer) clearTimeout(killer);
  return exits;
}

/** Runs the job; resolves when it succeeded or the restarts are spent. */
export async function launch(options: LaunchOptions): Promise<LaunchResult> {
  const nodes = options.nodes;
  if (!Number.isInteger(nodes) || nodes < 1) throw new InvalidArgumentError(`Expected --nodes to be a positive integer but received ${String(nodes)}`);
  const nodeRank = options.nodeRank ?? 0;
  if (!Number.isInteger(nodeRank) || nodeRank < 0 || nodeRank >= nodes)
    throw new InvalidArgumentError(`Expected --node-rank in [0, ${nodes}) but received ${String(nodeRank)}`);
  const localNodes = options.localNodes ?? nodes - nodeRank;
  if (!Number.isInteger(localNodes) || localNodes < 1 || nodeRank + localNodes > nodes)
    throw new InvalidArgumentError(`Expected --local-nodes in [1, ${nodes - nodeRank}] but received ${String(localNodes)}`);
  if (localNodes < nodes && !options.runId)
    throw new InvalidArgumentError('Expected --run-id when this host starts only some of the ranks (every host of the run must pass the same one)');
  const script = resolve(options.script);
  const args = options.args ?? [];
  const store = formatStore(parseStore(options.store));
  const runId = options.runId ?? `run-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const fingerprint = jobFingerprint(script, args);
  const o = {
    ...options,
    script,
    args,
    nodes,
    nodeRank,
    localNodes,
    store,
    maxRestarts: options.maxRestarts ?? 0,
    timeoutMs: options.timeoutMs ?? 30_000,
    rendezvousTimeoutMs: options.rendezvousTimeoutMs ?? 30_000,
    graceMs: options.graceMs ?? 5_000,
  };
  let exits: RankExit[] = [];
  for (let attempt = 0; attempt <= o.maxRestarts; attempt++) {
    // A fresh prefix per attempt: no rank can read a dead attempt's addresses.
    exits = await runAttempt(o, `${runId}/attempt-${attempt}`, attempt, fingerprint);
    if (exits.every((e) => e.code === 0 && !e.signal)) return { ok: true, attempts: attempt + 1, exits };
    const failed = exits.filter((e) => e.code !== 0 || e.signal).map((e) => `rank ${e.rank} (${e.signal ?? `exit ${e.code}`})`);
    (o.err ?? process.stderr).write(
      `hogwild launch: attempt ${attempt} failed: ${failed.join(', ')}${attempt < o.maxRestarts ? `; restarting (${attempt + 1} of ${o.maxRestarts})` : ''}\n`,
    );
  }
  return { ok: false, attempts: o.maxRestarts + 1, exits };
}
