/**
 * Build-time access to the native op registry (schemas, gradients). Building
 * nets works without the addon; when it is loadable, op types, input/output
 * counts and argument names are checked as ops are added.
 */
import { native } from '../native/binding.js';
import type { GradientSpec, OpDef, OpSchemaInfo } from '../native/coreTypes.js';

let cache: Map<string, OpSchemaInfo | null> | null | undefined;

function load(): Map<string, OpSchemaInfo | null> | null {
  if (cache !== undefined) return cache;
  try {
    const n = native();
    cache = typeof n.opSchema === 'function' && typeof n.opTypes === 'function' && n.opTypes().length > 0 ? new Map() : null;
  } catch {
    cache = null;
  }
  return cache;
}

/** True when the native registry can be queried. */
export function registryAvailable(): boolean {
  return load() !== null;
}

/** The schema of `type`; undefined when the registry is unavailable, null when the op is unknown. */
export function schemaOf(type: string): OpSchemaInfo | null | undefined {
  const m = load();
  if (!m) return undefined;
  if (!m.has(type)) m.set(type, native().opSchema(type));
  return m.get(type) ?? null;
}

/** All registered op types ([] when unavailable). */
export function registeredOpTypes(): string[] {
  return load() ? native().opTypes() : [];
}

/** Whether op `type` accepts argument `arg` (false when unknown). */
export function acceptsArg(type: string, arg: string): boolean {
  const s = schemaOf(type);
  return !!s && s.args.includes(arg);
}

/** The gradient ops of one forward op (native registry); `wanted` flags the inputs whose gradient is needed. */
export function gradientOf(op: OpDef, outputGrads: string[], wanted?: boolean[]): { ops: OpDef[]; inputs: GradientSpec[] } {
  return native().gradientFor(op, outputGrads, wanted);
}

/** @internal For tests: forget the cached registry state. */
export function resetRegistryCache(): void {
  cache = undefined;
}
