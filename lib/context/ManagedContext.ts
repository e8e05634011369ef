/**
 * Build-time contexts (docs/caffe2.md §2): per-class stacks of the active Job,
 * TaskGroup, Task, Node, Cluster and NetBuilder.
 *
 * The stacks live in an AsyncLocalStorage frame, so they follow async flows:
 * two requests of one server building jobs at once never see each other's
 * contexts. A frame is immutable (a map of per-class linked lists); entering
 * makes a new frame, and exiting marks the entry dead, so a frame that leaked
 * into another flow (see below) never shows a context that was exited.
 *
 * Two ways in:
 * - `ctx.scope(fn)` runs `fn` in a fresh async scope (AsyncLocalStorage.run):
 *   fully isolated, async functions included (the context is exited when the
 *   returned promise settles).
 * - `using _ = ctx.enter()` (AsyncLocalStorage.enterWith): the context stays
 *   active for the rest of the current flow, until disposed. JavaScript has no
 *   hook for "an async function suspended", so an async function that enters a
 *   context and then awaits leaves that frame visible to its caller until it
 *   exits; run concurrent async builders started by one caller through
 *   `scope()` or `isolated()`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import { ContextError, InvalidArgumentError } from '../errors/index.js';

interface Entry {
  readonly value: ManagedContext;
  live: boolean;
  readonly below: Entry | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClass = abstract new (...args: any[]) => ManagedContext;
type Frame = ReadonlyMap<AnyClass, Entry>;

interface Activation {
  readonly ctx: ManagedContext;
  readonly entries: Entry[];
  readonly children: Activation[];
}

const storage = new AsyncLocalStorage<Frame>();
const EMPTY: Frame = new Map();
const registered = new Map<AnyClass, { fallback?: () => ManagedContext }>();

/** Options of `X.current()`. */
export interface CurrentOptions {
  /** When false, returns undefined instead of throwing (or making a default). Default true. */
  required?: boolean;
}

function frame(): Frame {
  return storage.getStore() ?? EMPTY;
}

function topLive(cls: AnyClass, f: Frame = frame()): Entry | undefined {
  for (let e = f.get(cls); e; e = e.below) if (e.live) return e;
  return undefined;
}

/** Declares `cls` as a context class with its own stack (`fallback` makes a default, as Caffe2's DefaultManaged). */
export function registerContext(cls: AnyClass, options: { fallback?: () => ManagedContext } = {}): void {
  registered.set(cls, options);
}

/**
 * `Cls.current(value, options)` (docs/caffe2.md §2.1): `value` when given (checked),
 * else the innermost active one, else undefined (`required: false`), else the
 * class default, else HOGWILD_NO_ACTIVE_CONTEXT.
 */
export function currentOf<T extends ManagedContext>(
  cls: abstract new (...args: never[]) => T,
  value: T | null | undefined,
  options: CurrentOptions | undefined,
): T | undefined {
  if (value != null) {
    if (!(value instanceof cls)) {
      throw new InvalidArgumentError(
        `Expected a ${cls.name} for ${cls.name}.current(value) but received ${describe(value)}`,
      );
    }
    return value;
  }
  const top = topLive(cls as unknown as AnyClass);
  if (top) return top.value as T;
  if (options?.required === false) return undefined;
  const fallback = registered.get(cls as unknown as AnyClass)?.fallback;
  if (fallback) return fallback() as T;
  const lower = cls.name.charAt(0).toLowerCase() + cls.name.slice(1);
  throw new ContextError(
    'HOGWILD_NO_ACTIVE_CONTEXT',
    `Expected an active ${cls.name} for ${cls.name}.current() but none is active; ` +
      `use ${lower}.scope(() => …) or \`using _ = ${lower}.enter()\``,
  );
}

function describe(v: unknown): string {
  if (v === null || typeof v !== 'object') return `${String(v)} of type ${typeof v}`;
  return `an instance of ${(v as object).constructor?.name ?? 'Object'}`;
}

function chain(ctx: ManagedContext): AnyClass[] {
  const out: AnyClass[] = [];
  for (let p = ctx.constructor as AnyClass | null; p && p !== ManagedContext; p = Object.getPrototypeOf(p)) {
    if (registered.has(p)) out.push(p);
  }
  return out;
}

function kill(act: Activation): void {
  for (const e of act.entries) e.live = false;
}

function activate(ctx: ManagedContext): Activation {
  const next = new Map(frame());
  const entries: Entry[] = [];
  for (const cls of chain(ctx)) {
    const e: Entry = { value: ctx, live: true, below: next.get(cls) };
    next.set(cls, e);
    entries.push(e);
  }
  storage.enterWith(next);
  const act: Activation = { ctx, entries, children: [] };
  try {
    for (const child of ctx._onEnter() ?? []) act.children.push(activate(child));
  } catch (err) {
    for (const c of act.children) kill(c);
    kill(act);
    throw err;
  }
  return act;
}

function deactivate(act: Activation, failed: boolean): void {
  let error: unknown;
  for (let i = act.children.length - 1; i >= 0; i--) {
    try {
      deactivate(act.children[i]!, failed);
    } catch (err) {
      error ??= err;
    }
  }
  const f = frame();
  for (const cls of chain(act.ctx)) {
    const top = topLive(cls, f);
    if (top && !act.entries.includes(top)) {
      error ??= new ContextError(
        'HOGWILD_CONTEXT_ORDER',
        `Expected ${String(act.ctx)} to be the innermost active ${cls.name} when it exits but ${String(top.value)} is; ` +
          'contexts must be exited in the reverse order of entering',
      );
    }
  }
  try {
    act.ctx._onExit(failed || error !== undefined);
  } catch (err) {
    error ??= err;
  } finally {
    kill(act);
  }
  if (error !== undefined) throw error;
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Runs `fn` in its own async scope holding the current contexts: contexts it
 * enters with `using … = x.enter()` (even across awaits) stay inside it.
 *
 * @example
 * await Promise.all([isolated(() => buildJobA()), isolated(() => buildJobB())]);
 */
export function isolated<R>(fn: () => R): R {
  return storage.run(frame(), fn);
}

/**
 * Base of every context class. Subclasses are registered with
 * `registerContext` and expose a static `current()`.
 *
 * @example
 * job.scope(() => new Task({ name: 'train' }));     // callback form
 * { using _ = job.enter(); new Task({ name: 'eval' }); } // explicit resource management
 */
export abstract class ManagedContext {
  /**
   * Called right after this context became active; returns contexts entered
   * along with it (a Job enters its epoch group, a Task its NetBuilder).
   * @internal
   */
  _onEnter(): ManagedContext[] | void {
    return undefined;
  }

  /**
   * Called while this context is still active, just before it is exited.
   * `failed` is true when the scope threw (unknown with `using`: false).
   * @internal
   */
  _onExit(_failed: boolean): void {
    // nothing by default
  }

  /**
   * Makes this context active until the returned Disposable is disposed.
   *
   * @example
   * using _ = job.enter();
   * new Task({ name: 'train' });   // lands in job.epochGroup
   */
  enter(): Disposable {
    const prev = frame();
    const act = activate(this);
    let done = false;
    return {
      [Symbol.dispose]: () => {
        if (done) return;
        done = true;
        try {
          deactivate(act, false);
        } finally {
          storage.enterWith(prev);
        }
      },
    };
  }

  /**
   * Runs `fn` with this context active and returns its result. When `fn`
   * returns a promise, the context stays active for its whole async flow and
   * is exited when it settles.
   *
   * @example
   * const task = group.scope(() => new Task({ name: 'reader' }));
   */
  scope<R>(fn: () => R): R {
    return storage.run(frame(), () => {
      const act = activate(this);
      let result: R;
      try {
        result = fn();
      } catch (err) {
        try {
          deactivate(act, true);
        } catch {
          // the original error wins
        }
        throw err;
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then(
          (v) => {
            deactivate(act, false);
            return v;
          },
          (err: unknown) => {
            try {
              deactivate(act, true);
            } catch {
              // the original error wins
            }
            throw err;
          },
        ) as R;
      }
      deactivate(act, false);
      return result;
    });
  }
}
