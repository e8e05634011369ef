import { NetBuilder, type NetBuilderOptions } from './NetBuilder.js';

/**
 * A builder whose body runs once even when it uses `ops.stop()`/`ops.stopIf()`
 * (a final `stop` is appended at exit).
 */
export class RunOnce extends NetBuilder {
  constructor(options: NetBuilderOptions = {}) {
    super(options);
  }

  /** @internal */
  override _onExit(failed: boolean): void {
    if (!failed && this._stopBlob !== undefined) this.stopIf(this.currentNet().Const(true));
    super._onExit(failed);
  }
}
