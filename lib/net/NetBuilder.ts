import { inspect } from 'node:util';

import { ContextError, PlanError } from '../errors/index.js';
import { currentOf, ManagedContext, registerContext, type CurrentOptions } from '../context/ManagedContext.js';
import { netBuilderSlot } from '../context/slots.js';
import { BlobReference, type BlobLike } from './BlobReference.js';
import { executionStep, ExecutionStep, type StepSource } from './ExecutionStep.js';
import { Net } from './Net.js';

/** Options of `new NetBuilder()`. */
export interface NetBuilderOptions {
  /** Joined to the parent builder's name with '/'. */
  name?: string;
  /** The exact name (exclusive with `name`). @internal */
  fullName?: string;
  /** Throw at exit unless `stop`/`stopIf` was used (loops without a count). @internal */
  stopBlobRequired?: boolean;
  /** Use this stop blob. @internal */
  stopBlob?: BlobLike;
}

/** A child of a builder: a net or a nested builder. */
export type BuilderChild = Net | NetBuilder;

/**
 * Scope-driven building of nets, loops and conditionals (docs/caffe2.md §5.1).
 * While a builder is active, `ops.X(...)` appends op X to its current net.
 * Lowered to a step named after the builder; a builder with a stop blob
 * repeats its children until the blob is true (checked after every net).
 *
 * @example
 * const nb = new NetBuilder({ name: 'countdown' });
 * nb.scope(() => {
 *   const c = ops.Const(5);
 *   ops.loop().scope(() => {
 *     ops.stopIf(ops.LE([c, ops.Const(0)]));
 *     ops.Add([c, ops.Const(-1)], [c]);
 *   });
 * });
 * await session.run(toExecutionStep(nb));
 */
export class NetBuilder extends ManagedContext implements StepSource {
  readonly name: string;
  protected _children: BuilderChild[] = [];
  protected _currentNet: Net | undefined;
  protected _stopBlob: BlobReference | undefined;
  private readonly _stopBlobRequired: boolean;
  private _frozen = false;

  constructor(options: NetBuilderOptions = {}) {
    super();
    if (options.fullName && options.name) {
      throw new ContextError('HOGWILD_INVALID_ARGUMENT', 'Expected name or fullName for NetBuilder but received both');
    }
    const parent = NetBuilder.current(undefined, { required: false });
    this.name = options.fullName ?? [parent?.name, options.name].filter((x) => x).join('/');
    this._stopBlobRequired = options.stopBlobRequired ?? false;
    if (options.stopBlob !== undefined) {
      this._stopBlob = typeof options.stopBlob === 'string' ? new BlobReference(options.stopBlob) : options.stopBlob;
    }
  }

  /** The innermost active builder. Throws HOGWILD_NO_ACTIVE_CONTEXT when none (unless `required: false`). */
  static current(value?: NetBuilder | null, options?: CurrentOptions & { required?: true }): NetBuilder;
  static current(value: NetBuilder | null | undefined, options: CurrentOptions): NetBuilder | undefined;
  static current(value?: NetBuilder | null, options?: CurrentOptions): NetBuilder | undefined {
    return currentOf(NetBuilder, value, options);
  }

  /** True once built (exited or lowered): later changes throw. */
  get frozen(): boolean {
    return this._frozen;
  }

  /** The children so far. @internal */
  get children(): readonly BuilderChild[] {
    return this._children;
  }

  /** The stop blob, if one was made. */
  get stopBlobRef(): BlobReference | undefined {
    return this._stopBlob;
  }

  /**
   * The builder's stop blob, made on first use: `<net>/stop_blob`, set false in
   * the current net (and in a first `stop_blob_init` net when the current net
   * is not the first child).
   */
  stopBlob(): BlobReference {
    if (this._stopBlob === undefined) {
      const net = this.currentNet();
      this._stopBlob = new BlobReference(net.nextName('stop_blob'), net);
      net.Const(false, { blobOut: this._stopBlob });
      if (this._currentNet !== this._children[0]) {
        const init = new Net('stop_blob_init');
        init.Const(false, { blobOut: this._stopBlob });
        this._children.unshift(init);
      }
    }
    return this._stopBlob;
  }

  /** `stop = stop OR blob`, then closes the current net so the executor checks the flag. */
  stopIf(blob: BlobLike): void {
    const stop = this.stopBlob();
    this.currentNet().Or([stop, blob], [stop]);
    this._currentNet = undefined;
  }

  /** Appends a child; a Net child becomes the current net (later ops go into it). */
  add<T extends BuilderChild>(child: T): T {
    this._assertMutable();
    this._currentNet = undefined;
    this._children.push(child);
    if (child instanceof Net) this._currentNet = child;
    return child;
  }

  /** The current net, creating one when there is none or when `name` is given. */
  currentNet(name?: string): Net {
    this._assertMutable();
    if (this._currentNet === undefined || name !== undefined) this.add(new Net(name));
    return this._currentNet!;
  }

  /** Freezes the builder and returns its children. */
  get(): BuilderChild[] {
    this.freeze();
    return [...this._children];
  }

  freeze(): void {
    for (const c of this._children) if (c instanceof NetBuilder) c.freeze();
    this._currentNet = undefined;
    this._frozen = true;
  }

  /** Lowers to a step named after the builder, repeating until its stop blob (if any) is true. */
  _toExecutionStep(): ExecutionStep {
    const children = this.get();
    const step = executionStep(this.name || 'builder', children, {});
    if (this._stopBlob !== undefined) step.set({ shouldStopBlob: this._stopBlob.name });
    return step;
  }

  /** @internal */
  override _onExit(failed: boolean): void {
    this.freeze();
    if (failed) return;
    if (this._stopBlobRequired && this._stopBlob === undefined) {
      throw new ContextError(
        'HOGWILD_NO_STOP_CONDITION',
        `Expected a stop condition for NetBuilder '${this.name}' (set with ops.stop() or ops.stopIf()) but none was set`,
      );
    }
  }

  protected _assertMutable(): void {
    if (this._frozen) {
      throw new PlanError('HOGWILD_BUILDER_FROZEN', `Expected a NetBuilder still being built but '${this.name}' has been built already`);
    }
  }

  override toString(): string {
    return this.name || 'Un-named NetBuilder';
  }

  [inspect.custom](): string {
    return `NetBuilder(${this.toString()})`;
  }
}

registerContext(NetBuilder);
netBuilderSlot.bind(NetBuilder);
