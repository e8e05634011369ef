/**
 * The context classes lib/net looks up without importing them (type-only
 * imports below are erased, so no module cycle and no upward value import).
 * @internal
 */
import type { TaskGroup } from '../job/TaskGroup.js';
import type { NetBuilder } from '../net/NetBuilder.js';
import { ContextSlot } from './ContextSlot.js';

export const taskGroupSlot = new ContextSlot<TaskGroup>('TaskGroup');
export const netBuilderSlot = new ContextSlot<NetBuilder>('NetBuilder');
