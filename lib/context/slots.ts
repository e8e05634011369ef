/**
 * The context classes lib/net looks up without importing them. The types
 * below say only what the lower layers use, so this file imports nothing from
 * above (not even types): TaskGroup and NetBuilder satisfy them and bind
 * themselves when their modules load.
 */
import { ContextSlot } from './ContextSlot.js';
import type { ManagedContext } from './ManagedContext.js';

/** What lib/net uses of the active TaskGroup (ops.localReporter). */
export interface ReportingGroup extends ManagedContext {
  reportStep(step: unknown, options: { intervalMs?: number }): void;
}

/** What lib/net uses of the active NetBuilder (net name prefixes). */
export interface NamedBuilder extends ManagedContext {
  readonly name: string;
}

export const taskGroupSlot = new ContextSlot<ReportingGroup>('TaskGroup');
export const netBuilderSlot = new ContextSlot<NamedBuilder>('NetBuilder');
