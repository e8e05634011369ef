import { inspect } from 'node:util';

import { ContextError, InvalidArgumentError } from '../errors/index.js';
import type { TensorData } from '../native/coreTypes.js';
import { BlobReference, blobName, type BlobLike } from '../net/BlobReference.js';

/** A fetched blob value. */
export type FetchedTensor = TensorData;
/** How a session reads a blob at fetch time. */
export type FetchFn = (blob: string) => FetchedTensor;

/**
 * The output of a task: one blob or a list of blobs (docs/caffe2.md §3.7). A
 * session binds it when the task's group runs; `fetch()` then reads the blob's
 * **current** value in the session's workspace (lazily, not a copy taken at the
 * end of the run).
 *
 * @example
 * const out = finalOutput(total);        // inside a Task
 * await session.run(task);
 * out.fetchScalar();                     // 45
 */
export class TaskOutput<V extends FetchedTensor | FetchedTensor[] = FetchedTensor | FetchedTensor[]> {
  /** The flat list of blob names. */
  readonly names: readonly string[];
  private readonly _isScalar: boolean;
  private _values: string[] | undefined;
  private _fetch: FetchFn | undefined;

  constructor(names: BlobLike | readonly BlobLike[]) {
    this._isScalar = !Array.isArray(names);
    const list = (this._isScalar ? [names] : names) as readonly BlobLike[];
    this.names = list.map((b) => {
      if (typeof b === 'string' ? b.length === 0 : !(b instanceof BlobReference)) {
        throw new InvalidArgumentError(`Expected a blob name or BlobReference for TaskOutput but received ${inspect(b)}`);
      }
      return blobName(b);
    });
  }

  /** True for a single-blob output. */
  get isScalar(): boolean {
    return this._isScalar;
  }

  /** Binds the output to blobs of a session (called by sessions). @internal */
  set(values: readonly string[], fetch?: FetchFn): void {
    if (values.length !== this.names.length) {
      throw new InvalidArgumentError(`Expected ${this.names.length} values for TaskOutput but received ${values.length}`);
    }
    this._values = [...values];
    this._fetch = fetch;
  }

  /** The bound blob references. */
  get(): BlobReference | BlobReference[] {
    if (!this._values) throw new ContextError('HOGWILD_OUTPUT_NOT_SET', 'Expected a TaskOutput bound by a session run but it was not run yet');
    const refs = this._values.map((v) => new BlobReference(v));
    return this._isScalar ? refs[0]! : refs;
  }

  /** The current value(s) in the session's workspace. */
  fetch(): V {
    if (!this._fetch || !this._values) {
      throw new ContextError(
        'HOGWILD_OUTPUT_NOT_SET',
        `Expected a TaskOutput (${this.names.join(', ')}) bound by a session run but it was not run yet`,
      );
    }
    const got = this._values.map((v) => this._fetch!(v));
    return (this._isScalar ? got[0] : got) as V;
  }

  /** The value of a one-element output as a JS number or boolean (int64 → number). */
  fetchScalar(): number | boolean {
    const v = this.fetch();
    if (Array.isArray(v)) {
      if (v.length !== 1) throw new InvalidArgumentError(`Expected a one-blob TaskOutput for fetchScalar but it has ${v.length}`);
      return scalarOf(v[0]!, this.names[0]!);
    }
    return scalarOf(v as FetchedTensor, this.names[0]!);
  }

  [inspect.custom](): string {
    return `TaskOutput(names=${JSON.stringify(this.names)}, values=${this._values ? JSON.stringify(this._values) : 'None'})`;
  }
}

/** The single element of a one-element tensor as number/boolean. */
export function scalarOf(t: FetchedTensor, name: string): number | boolean {
  if (t.data.length !== 1) {
    throw new InvalidArgumentError(
      `Expected a one-element tensor for '${name}' but received shape [${t.shape.join(', ')}] (${t.data.length} elements)`,
    );
  }
  const x = t.data[0]!;
  if (t.dtype === 'bool') return x !== 0 && x !== 0n;
  return typeof x === 'bigint' ? Number(x) : x;
}

/**
 * The outputs of a task in order (docs/caffe2.md §3.7); sessions bind them.
 *
 * @example
 * task.outputList().names(); // every output blob name, in order
 */
export class TaskOutputList {
  constructor(readonly outputs: readonly TaskOutput[] = []) {}

  names(): string[] {
    return this.outputs.flatMap((o) => o.names);
  }

  setValues(values: readonly string[], fetch?: FetchFn): void {
    let offset = 0;
    for (const o of this.outputs) {
      o.set(values.slice(offset, offset + o.names.length), fetch);
      offset += o.names.length;
    }
    if (offset !== values.length) {
      throw new InvalidArgumentError(`Expected ${offset} output values but received ${values.length}`);
    }
  }
}
