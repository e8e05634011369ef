/**
 * One process's place in a multi-node job: rank `rank` of `size`, connected
 * to the others through Gloo (TCP) after meeting them in a rendezvous store.
 * Collectives run off the JS thread and return Promises.
 *
 * @example
 * const group = await ProcessGroup.connect({ rank, size, store: '/shared/rdv', prefix: 'job-1/attempt-0' });
 * await group.allreduce(grad, { op: 'mean' });
 */
import { mkdirSync } from 'node:fs';

import { InvalidArgumentError } from '../errors/index.js';
import { collectiveNative as mainAddon } from '../runtime/nativeAreas.js';
import { DISTRIBUTED_CODES, DistributedError, fromGlooError } from './errors.js';
import { ModelAverager, type ModelAveragerOptions } from './ModelAverager.js';
import { loadGloo, type NativeGroup } from './native.js';
import { parseStore, type StoreSpec } from './store.js';

export type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

export interface ConnectOptions {
  rank: number;
  size: number;
  /** A directory every rank can see (FileStore), or redis://host:port (RedisStore). */
  store: string | StoreSpec;
  /** Key prefix in the store; must be fresh for every attempt (the launcher makes one). */
  prefix: string;
  /** Identifies the job; ranks with different fingerprints fail with HOGWILD_JOB_MISMATCH. */
  fingerprint?: string;
  /** Address this rank listens on (default 127.0.0.1; use the interface's address across hosts). */
  hostname?: string;
  /** How long a collective waits for its peers before HOGWILD_PEER_LOST (default 30 s). */
  timeoutMs?: number;
  /** How long the rendezvous waits for every rank (default 30 s). */
  rendezvousTimeoutMs?: number;
}

export interface CollectiveOptions {
  /** Abandons the wait: the Promise rejects with HOGWILD_ABORTED and the group is closed (ranks are out of step). */
  signal?: AbortSignal;
}

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(`Expected ${name} to be a positive integer but received ${String(v)}`);
  return v;
}

export class ProcessGroup {
  private group: NativeGroup | undefined;
  private lentToNets = false;
  readonly rank: number;
  readonly size: number;

  private constructor(group: NativeGroup) {
    this.group = group;
    this.rank = group.rank;
    this.size = group.size;
  }

  /** Meets the other ranks and connects to them; rejects with a DistributedError. */
  static async connect(options: ConnectOptions): Promise<ProcessGroup> {
    const gloo = loadGloo();
    const { rank, size } = options;
    if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError(`Expected size to be a positive integer but received ${String(size)}`);
    if (!Number.isInteger(rank) || rank < 0 || rank >= size)
      throw new InvalidArgumentError(`Expected rank in [0, ${size}) but received ${String(rank)}`);
    if (typeof options.prefix !== 'string' || options.prefix.length === 0 || /\s/.test(options.prefix))
      throw new InvalidArgumentError(`Expected a non-empty store prefix without spaces but received '${String(options.prefix)}'`);
    const store = typeof options.store === 'string' ? parseStore(options.store) : options.store;
    if (store.kind === 'file') mkdirSync(store.path, { recursive: true });
    try {
      const native = await gloo.Group.connect({
        rank,
        size,
        storeKind: store.kind,
        ...(store.kind === 'file' ? { path: store.path } : { host: store.host, port: store.port }),
        prefix: options.prefix,
        fingerprint: options.fingerprint ?? '',
        hostname: options.hostname ?? '127.0.0.1',
        timeoutMs: positiveInt('timeoutMs', options.timeoutMs, 30_000),
        rendezvousTimeoutMs: positiveInt('rendezvousTimeoutMs', options.rendezvousTimeoutMs, 30_000),
      });
      return new ProcessGroup(native);
    } catch (err) {
      throw fromGlooError(err);
    }
  }

  private live(): NativeGroup {
    if (!this.group) throw new DistributedError('HOGWILD_DISPOSED', 'Expected an open process group but it was closed (or a collective was aborted)');
    return this.group;
  }

  private async settle(start: (g: NativeGroup) => Promise<void>, signal: AbortSignal | undefined): Promise<void> {
    const g = this.live();
    if (signal?.aborted) throw new DistributedError(DISTRIBUTED_CODES.ABORTED, 'The collective was aborted before it started');
    const op = start(g).catch((err: unknown) => {
      throw fromGlooError(err);
    });
    if (!signal) return op;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        // The native wait cannot be cut short; it ends by itself within the
        // timeout. The other ranks are now out of step, so the group is done.
        this.close();
        reject(new DistributedError(DISTRIBUTED_CODES.ABORTED, 'The collective was aborted; the process group is closed'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    op.catch(() => {}); // settled through the race below
    try {
      return await Promise.race([op, aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** Reduces `data` in place across all ranks (every rank ends with the result). */
  allreduce(data: Float32Array, options: CollectiveOptions & { op?: ReduceOp } = {}): Promise<void> {
    return this.settle((g) => g.allreduce(data, options.op ?? 'sum'), options.signal);
  }

  /** Copies rank `root`'s `data` into every rank's `data`. */
  broadcast(data: Float32Array, root: number, options: CollectiveOptions = {}): Promise<void> {
    if (!Number.isInteger(root) || root < 0 || root >= this.size)
      return Promise.reject(new InvalidArgumentError(`Expected a root rank in [0, ${this.size}) but received ${String(root)}`));
    return this.settle((g) => g.broadcast(data, root), options.signal);
  }

  /** Resolves once every rank has called it. */
  barrier(options: CollectiveOptions = {}): Promise<void> {
    return this.settle((g) => g.barrier(), options.signal);
  }

  /** Gathers every rank's `input` into `output` (rank r's at r * input.length). */
  async allgather(input: Float32Array, output?: Float32Array, options: CollectiveOptions = {}): Promise<Float32Array> {
    const out = output ?? new Float32Array(input.length * this.size);
    await this.settle((g) => g.allgather(input, out), options.signal);
    return out;
  }

  /** True on every rank if `local` is true on any rank (one reduction). */
  async any(local: boolean, options: CollectiveOptions = {}): Promise<boolean> {
    const flag = new Float32Array([local ? 1 : 0]);
    await this.allreduce(flag, { ...options, op: 'max' });
    return flag[0]! > 0;
  }

  /** Starts averaging `params` across ranks in a native background thread (see ModelAverager). */
  averageModel(params: readonly Float32Array[], options: ModelAveragerOptions): ModelAverager {
    return ModelAverager.start(this.live(), params, options);
  }

  /**
   * Lends this group to the collective ops of nets (Allreduce, Broadcast,
   * Barrier) in this process; closing the group takes it back. One group at a time.
   */
  useInNets(): void {
    const addon = mainAddon();
    if (typeof addon.setCollectiveBackend !== 'function')
      throw new DistributedError(DISTRIBUTED_CODES.NO_DISTRIBUTED, 'The hogwild addon loaded here has no collective ops; rebuild it (npm run build)');
    addon.setCollectiveBackend(this.live().collectiveBackend());
    this.lentToNets = true;
  }

  /** Leaves the group (idempotent). Collectives already running finish or time out by themselves. */
  close(): void {
    if (this.lentToNets) {
      this.lentToNets = false;
      mainAddon().setCollectiveBackend(null);
    }
    this.group?.close();
    this.group = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
