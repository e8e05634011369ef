/**
 * A context class that a lower layer needs to find without importing it:
 * lib/net asks for the active TaskGroup (local reporters) and NetBuilder (net
 * name prefixes), but TaskGroup lives above it in lib/job, and NetBuilder
 * imports Net. The class binds itself to its slot when its module loads; until
 * then no instance of it can exist, so "none is active" is the true answer.
 * See docs/architecture.md (layers).
 */
import { ContextError, InvalidArgumentError } from '../errors/index.js';
import { currentOf, type CurrentOptions, type ManagedContext } from './ManagedContext.js';

export class ContextSlot<T extends ManagedContext> {
  private _cls: (abstract new (...args: never[]) => T) | undefined;

  constructor(readonly className: string) {}

  /** Called once by the class's own module, next to registerContext. */
  bind(cls: abstract new (...args: never[]) => T): void {
    if (cls.name !== this.className) throw new InvalidArgumentError(`Expected class ${this.className} for this context slot but received ${cls.name}`);
    this._cls = cls;
  }

  /** Same contract as `Cls.current(value, options)`. */
  current(value?: T | null, options?: CurrentOptions): T | undefined {
    if (this._cls) return currentOf(this._cls, value, options);
    if (value != null) throw new InvalidArgumentError(`Expected a ${this.className} for ${this.className}.current(value) but received an instance of ${(value as object).constructor?.name ?? 'Object'}`);
    if (options?.required === false) return undefined;
    throw new ContextError('HOGWILD_NO_ACTIVE_CONTEXT', `Expected an active ${this.className} but none is active`);
  }
}
