import type { Task } from '../job/Task.js';
import type { TaskGroup } from '../job/TaskGroup.js';
import type { ExecutionStep } from '../net/ExecutionStep.js';
import type { Net } from '../net/Net.js';
import type { NetBuilder } from '../net/NetBuilder.js';
import type { Plan } from '../net/Plan.js';
import type { CompiledRunnable } from './CompiledRunnable.js';
import type { Session } from './Session.js';

/** Work done from JS with a session (checkpoint managers return these). */
export type SessionAction = (session: Session, options: { signal?: AbortSignal }) => Promise<void>;

/** What a session can run (docs/caffe2.md §4.1), plus SessionActions. */
export type Runnable = TaskGroup | Task | ExecutionStep | Plan | Net | readonly Net[] | NetBuilder | CompiledRunnable | SessionAction;
