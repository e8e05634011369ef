/**
 * Model averaging for Hogwild across nodes. A native thread, every K batches
 * (`everyBatches`) or T milliseconds (`everyMs`), copies the live parameters
 * to a snapshot, allreduces the snapshot in a staging buffer and adds
 * `mean − snapshot` to the live values. The live buffers are never reduced in
 * place, so the local Hogwild updates made while a round is on the wire are
 * kept.
 *
 * Trade-off: a short interval keeps the replicas close (accuracy near one
 * big model) but spends more time copying and on the network; a long one
 * trains faster per node but lets the replicas drift apart. Each round moves
 * 2 × the parameter bytes per rank (ring allreduce); pick T well above the
 * time of one round, and well under the group timeout (a rank that waits
 * longer than the timeout for its peers' next round fails with PEER_LOST).
 */
import { InvalidArgumentError } from '../errors/index.js';
import { DistributedError, fromGlooError } from './errors.js';
import type { NativeAverager, NativeGroup } from './native.js';

export interface ModelAveragerOptions {
  /** Average after this many tick()ed batches (0 or absent: not by batches). */
  everyBatches?: number;
  /** Average every this many milliseconds (0 or absent: not by time). */
  everyMs?: number;
}

export interface AveragerStats {
  /** Averaging rounds completed. */
  rounds: number;
  /** False once a rank asked to stop or a round failed. */
  running: boolean;
}

export class ModelAverager {
  private native: NativeAverager | undefined;
  private constructor(native: NativeAverager) {
    this.native = native;
  }

  /** @internal Use ProcessGroup.averageModel. */
  static start(group: NativeGroup, params: readonly Float32Array[], options: ModelAveragerOptions): ModelAverager {
    const everyBatches = options.everyBatches ?? 0;
    const everyMs = options.everyMs ?? 0;
    for (const [name, v] of [['everyBatches', everyBatches], ['everyMs', everyMs]] as const)
      if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`Expected ${name} to be a non-negative integer but received ${String(v)}`);
    if (everyBatches === 0 && everyMs === 0) throw new InvalidArgumentError('Expected everyBatches > 0 or everyMs > 0 for model averaging');
    params.forEach((p, i) => {
      if (!(p instanceof Float32Array)) throw new InvalidArgumentError(`Expected parameter ${i} to be a Float32Array`);
    });
    try {
      return new ModelAverager(group.startAveraging([...params], everyBatches, everyMs));
    } catch (err) {
      throw fromGlooError(err);
    }
  }

  /** Counts `batches` finished batches (cheap; call from the training loop). */
  tick(batches = 1): void {
    this.native?.tick(batches);
  }

  /** Rounds so far; throws the round's DistributedError if averaging failed. */
  stats(): AveragerStats {
    if (!this.native) return { rounds: 0, running: false };
    const s = this.native.stats();
    if (s.errorCode) throw new DistributedError(s.errorCode, s.errorMessage ?? s.errorCode);
    return { rounds: s.rounds, running: s.running };
  }

  /**
   * Votes to stop and waits for the thread to end: it keeps joining the other
   * ranks' rounds until every rank has voted, so all leave after the same
   * round, whose snapshots hold every rank's last update (the replicas end
   * equal). Call it on every rank once training is over. Rejects with the
   * failed round's error.
   */
  async stop(): Promise<{ rounds: number }> {
    const n = this.native;
    if (!n) throw new DistributedError('HOGWILD_DISPOSED', 'Expected a running averager but it was already stopped');
    this.native = undefined;
    try {
      return await n.stop();
    } catch (err) {
      throw fromGlooError(err);
    }
  }
}
