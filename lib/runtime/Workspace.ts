import { DisposedError } from '../errors/index.js';
import { native } from '../native/binding.js';
import type { DType, NativeWorkspace, PlanDef, Report, TensorData, TypedArray } from '../native/coreTypes.js';
import { captureStack } from '../errors/index.js';
import { CompiledPlan, compilePlan } from './CompiledPlan.js';
import { callNative, toHogwildError } from './errors.js';
import { toFeed, type TensorInput } from './tensorInput.js';
import { checkBoolean, checkFunction, checkObject, checkOptions, checkString, expected } from './validate.js';

export type { TensorInput };

/** Options of {@link Workspace.run}. */
export interface RunOptions {
  /** Aborting cancels the run between nets (blocking ops wake up); it then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Called on the JS thread with the values of a step's `reportBlobs` after it runs (report steps run
   * every `runEveryMs`, and once more at the end). Coalesced per step when JS is slow: the latest wins.
   * If it throws, the run is cancelled and rejects with what it threw.
   */
  onReport?: (report: Report) => void;
}

/**
 * Blobs by name, in native memory (docs/caffe2.md §1.1). A child workspace reads and
 * writes its parent's existing blobs and keeps the blobs it creates to itself.
 * Feeds and fetches copy. While a plan runs anywhere in a workspace's tree,
 * reading or writing blob contents from JS throws `HOGWILD_BUSY`.
 *
 * @example
 * using ws = new Workspace();
 * ws.feed('x', new Float32Array([1, 2, 3]));
 * await ws.run(plan, { signal: AbortSignal.timeout(60_000) });
 * const { data } = ws.fetch('y');
 */
export class Workspace {
  /** @internal */
  _native: NativeWorkspace | undefined;

  constructor();
  /** @internal */
  constructor(nativeWorkspace: NativeWorkspace);
  constructor(nativeWorkspace?: NativeWorkspace) {
    this._native = nativeWorkspace ?? callNative(() => native().createWorkspace());
  }

  get disposed(): boolean {
    return this._native === undefined;
  }

  /** Copies a typed array (dtype from its type, shape [length] by default) or `{ dtype, shape, data }` into a blob. */
  feed(name: string, value: TensorInput): void {
    const n = this._live();
    checkString(name, 'name', { nonEmpty: true });
    const { dtype, shape, data } = toFeed(value, 'value');
    callNative(() => n.feed(name, dtype, shape, data));
  }

  /** A copy of a tensor blob. */
  fetch(name: string): TensorData {
    const n = this._live();
    checkString(name, 'name', { nonEmpty: true });
    return callNative(() => n.fetch(name));
  }

  has(name: string): boolean {
    const n = this._live();
    checkString(name, 'name');
    return n.has(name);
  }

  /** Sorted blob names, the parent chain's included unless `localOnly`. */
  list(options: { localOnly?: boolean } = {}): string[] {
    const n = this._live();
    checkObject(options, 'options');
    const localOnly = options.localOnly === undefined ? false : checkBoolean(options.localOnly, 'options.localOnly');
    return n.list(localOnly);
  }

  /** "tensor", "empty", "counter", "timer", "stringList", … */
  kind(name: string): string {
    const n = this._live();
    checkString(name, 'name', { nonEmpty: true });
    return callNative(() => n.kind(name));
  }

  remove(name: string): boolean {
    const n = this._live();
    checkString(name, 'name', { nonEmpty: true });
    return callNative(() => n.remove(name));
  }

  /** A child workspace; it keeps this one alive natively until both are gone. */
  createChild(): Workspace {
    const n = this._live();
    return new Workspace(callNative(() => n.createChild()));
  }

  /** Object blobs (counters, cursors…) encoded for a checkpoint; null for tensors and kinds that cannot be saved. */
  serializeBlob(name: string): TensorData | null {
    const n = this._live();
    checkString(name, 'name', { nonEmpty: true });
    return callNative(() => n.serializeBlob(name));
  }

  /** Restores a blob of `kind` from its encoding ("tensor": the tensor itself). */
  deserializeBlob(name: string, kind: string, tensor: TensorData): void {
    const n = this._live();
    checkString(name, 'name', { nonEmpty: true });
    checkString(kind, 'kind', { nonEmpty: true });
    const t = toFeed(tensor, 'tensor');
    callNative(() => n.deserializeBlob(name, kind, t));
  }

  /**
   * Runs a plan on native threads (one crossing per run). Resolves when it ends; rejects with the first
   * op error, or with `signal.reason` when aborted. Either way the native threads are done with the
   * workspace by then.
   */
  async run(plan: CompiledPlan | PlanDef, options: RunOptions = {}): Promise<void> {
    const n = this._live();
    checkOptions(options, 'options', ['signal', 'onReport']);
    const { signal, onReport } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw expected('an AbortSignal', 'options.signal', signal);
    if (onReport !== undefined) checkFunction(onReport, 'options.onReport');
    signal?.throwIfAborted();
    const compiled = plan instanceof CompiledPlan ? plan : compilePlan(plan);
    const stack = captureStack();
    const cancel = native().createCancel();
    let thrown: { value: unknown } | undefined;
    const report = onReport
      ? (r: Report) => {
          try {
            onReport(r);
          } catch (err) {
            thrown ??= { value: err };
            throw err;
          }
        }
      : null;
    const onAbort = () => cancel.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await callNative(() => n.run(compiled._native, cancel, report));
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (thrown) throw thrown.value;
      throw toHogwildError(err, stack);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Frees the workspace (after the plans running on it end; they are cancelled). Idempotent. */
  dispose(): void {
    this._native?.dispose();
    this._native = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private _live(): NativeWorkspace {
    if (!this._native) throw new DisposedError('Workspace');
    return this._native;
  }
}

export type { DType, TypedArray };
