/**
 * A model loaded from one checkpoint and shared by the predictions that use
 * it. A newer checkpoint retires it; it is disposed only when it is retired
 * and its last prediction has ended, so a prediction in flight never finds
 * its model freed under it.
 */
import type { FastTextModel } from 'hogwild';

export interface ModelLease {
  model: FastTextModel;
  epoch: number;
  /** Ends this use; the model may be disposed after the last one. */
  release(): void;
}

export class SharedModel {
  private _users = 0;
  private _retired = false;
  private _freeing: Promise<void> | undefined;
  private _onFreed!: () => void;
  private readonly _freed = new Promise<void>((resolve) => (this._onFreed = resolve));

  constructor(
    readonly epoch: number,
    private readonly _model: Promise<FastTextModel>,
  ) {
    // A failed load is reported to the users that await it, not as an unhandled rejection.
    _model.catch(() => undefined);
  }

  get users(): number {
    return this._users;
  }

  /** True once retired and its last user is done (the model is then being freed). */
  get disposed(): boolean {
    return this._freeing !== undefined;
  }

  /** Counts a user at once (before the load is awaited), then waits for the model. */
  async acquire(): Promise<ModelLease> {
    if (this._retired) throw new Error(`the model of epoch ${this.epoch} was retired`);
    this._users++;
    let model: FastTextModel;
    try {
      model = await this._model;
    } catch (err) {
      this._release();
      throw err;
    }
    let done = false;
    return {
      model,
      epoch: this.epoch,
      release: () => {
        if (done) return;
        done = true;
        this._release();
      },
    };
  }

  /** No new users; the model is freed when the current ones are done. Resolves once it is freed. */
  retire(): Promise<void> {
    this._retired = true;
    this._freeIfUnused();
    return this._freed;
  }

  private _release(): void {
    this._users--;
    this._freeIfUnused();
  }

  private _freeIfUnused(): void {
    if (!this._retired || this._users > 0 || this._freeing) return;
    this._freeing = this._model.then(
      (m) => m.dispose(),
      () => undefined,
    );
    void this._freeing.then(this._onFreed, this._onFreed);
  }
}
