/**
 * A reader whose setup first runs `refill` (fill the epoch's dataset once per
 * process, build per-run tables) and then rewinds the inner reader's cursor:
 * every epoch of a fastText-style job (supervised, cbow, skipgram) starts a new
 * seeded shuffle of the same encoded corpus.
 */
import { Reader, type ReadResult } from '../../data/Reader.js';
import type { Net } from '../../net/Net.js';

/** Wraps `inner`, running `refill` and a cursor reset in every setup. @internal */
export class EpochReader extends Reader {
  constructor(
    private readonly _inner: Reader,
    private readonly _refill: (initNet: Net) => void,
  ) {
    super(_inner.schema());
  }

  override setupEx(initNet: Net, finishNet: Net): void {
    this._refill(initNet);
    this._inner.setupEx(initNet, finishNet);
    this._inner.reset(initNet);
  }

  override readEx(initNet: Net, exitNet: Net): ReadResult {
    return this._inner.readEx(initNet, exitNet);
  }
}
