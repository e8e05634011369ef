/**
 * Admission control: a fixed number of training slots, reserved synchronously
 * when a request arrives — before its upload is awaited — so that parallel
 * requests cannot all pass the check and then all start a job.
 */
import { HttpError } from './http.js';

export class Admission {
  private _used = 0;

  constructor(
    readonly slots: number,
    /** What a refused client is told to wait (Retry-After, seconds). */
    readonly retryAfterSeconds = 5,
  ) {}

  get used(): number {
    return this._used;
  }

  /**
   * Takes a slot or throws a 429 with Retry-After. The returned function gives
   * it back; calling it more than once is harmless.
   */
  reserve(): () => void {
    if (this._used >= this.slots) {
      throw new HttpError(429, `expected at most ${this.slots} jobs training at once; retry when one ends`, { 'retry-after': String(this.retryAfterSeconds) });
    }
    this._used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this._used--;
    };
  }
}
