import { inspect } from 'node:util';

import type { ExecutionStep } from '../net/ExecutionStep.js';
import type { Net } from '../net/Net.js';

/**
 * Plain setup hook: nets to run at init and exit of a task or node
 * (docs/caffe2.md §3.6). Attach with `net.addAttribute(SetupKey.TASK_SETUP, …)`
 * or `SetupKey.LOCAL_SETUP`; one object runs once per target.
 *
 * @example
 * net.addAttribute(SetupKey.TASK_SETUP, new SetupNets([initNet]));
 */
export class SetupNets {
  /** @internal */
  _setupUsed = false;

  constructor(
    readonly initNets?: (Net | ExecutionStep)[],
    readonly exitNets?: (Net | ExecutionStep)[],
  ) {}

  setup(): (Net | ExecutionStep)[] | undefined {
    return this.initNets;
  }

  exit(): (Net | ExecutionStep)[] | undefined {
    return this.exitNets;
  }

  [inspect.custom](): string {
    const f = (l?: (Net | ExecutionStep)[]) => (l ? `[${l.map((x) => x.name).join(', ')}]` : 'None');
    return `SetupNets(init_nets=${f(this.initNets)}, exit_nets=${f(this.exitNets)})`;
  }
}
