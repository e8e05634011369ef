/**
 * BlobRecord schemas in Caffe2's flattened form (caffe2/python/schema.py): a
 * schema is a tree of scalars, lists and structs, stored as a flat list of
 * fields, one tensor each. A list field `x` becomes `x:lengths` (int32, one
 * entry per row) and `x:values…` (the concatenated items), so variable-length
 * and sparse features are plain tensors a cursor can slice.
 *
 * @example
 * const s = schema({ label: 'int32', pixels: scalar('float32', [784]), tokens: list('int32') });
 * s.fieldNames(); // ['label', 'pixels', 'tokens:lengths', 'tokens:values']
 */
import { inspect } from 'node:util';

import { InvalidArgumentError } from '../errors/index.js';
import type { DType } from '../native/coreTypes.js';
import { BlobReference, blobName, type BlobLike } from '../net/BlobReference.js';

const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool'];

/** One flattened field: its name, element type and the shape of one row. */
export interface FieldInfo {
  readonly name: string;
  readonly dtype: DType;
  /** Shape of one entry (the batch dim is not included): [] for scalars, [784] for an image row. */
  readonly shape: readonly number[];
}

/** A node of a schema tree. */
export abstract class Field {
  /** The flattened fields under this node, names relative to it ('' for a bare scalar). */
  abstract fields(): FieldInfo[];

  fieldNames(): string[] {
    return this.fields().map((f) => f.name);
  }

  fieldTypes(): DType[] {
    return this.fields().map((f) => f.dtype);
  }

  /** Structural equality (same names, dtypes and row shapes). */
  equals(other: Field): boolean {
    const a = this.fields(), b = other.fields();
    return a.length === b.length && a.every((f, i) => f.name === b[i]!.name && f.dtype === b[i]!.dtype && sameShape(f.shape, b[i]!.shape));
  }

  [inspect.custom](): string {
    return `Schema(${this.fields().map((f) => `${f.name || '<scalar>'}: ${f.dtype}${f.shape.length ? `[${f.shape.join(', ')}]` : ''}`).join(', ')})`;
  }
}

export class Scalar extends Field {
  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[] = [],
  ) {
    super();
    if (!DTYPES.includes(dtype)) throw new InvalidArgumentError(`Expected a dtype (${DTYPES.join(', ')}) for a schema field but received ${inspect(dtype)}`);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new InvalidArgumentError(`Expected non-negative integer dims for a schema field but received [${shape.join(', ')}]`);
    }
  }

  fields(): FieldInfo[] {
    return [{ name: '', dtype: this.dtype, shape: [...this.shape] }];
  }
}

/** A variable-length list per row: `lengths` (int32) then the items under `values`. */
export class List extends Field {
  constructor(readonly values: Field) {
    super();
  }

  fields(): FieldInfo[] {
    return [{ name: 'lengths', dtype: 'int32', shape: [] }, ...prefix('values', this.values.fields())];
  }
}

export class Struct extends Field {
  readonly children: readonly (readonly [string, Field])[];

  constructor(children: readonly (readonly [string, Field])[] | Record<string, FieldSpec>) {
    super();
    const list = Array.isArray(children)
      ? (children as readonly (readonly [string, Field])[])
      : Object.entries(children as Record<string, FieldSpec>).map(([k, v]) => [k, toField(v)] as const);
    const seen = new Set<string>();
    for (const [name] of list) {
      if (typeof name !== 'string' || name.length === 0 || name.includes(':')) {
        throw new InvalidArgumentError(`Expected schema field names without ':' but received ${inspect(name)}`);
      }
      if (seen.has(name)) throw new InvalidArgumentError(`Expected unique schema field names but '${name}' appears twice`);
      seen.add(name);
    }
    this.children = list;
  }

  fields(): FieldInfo[] {
    return this.children.flatMap(([name, f]) => prefix(name, f.fields()));
  }

  /** The child named `name`. */
  get(name: string): Field {
    const c = this.children.find(([n]) => n === name);
    if (!c) throw new InvalidArgumentError(`Expected one of ${this.children.map(([n]) => `'${n}'`).join(', ')} but received '${name}'`);
    return c[1];
  }
}

/** A sparse map per row: List(Struct(keys, values)). */
export function map(keys: FieldSpec, values: FieldSpec): List {
  return new List(new Struct([['keys', toField(keys)], ['values', toField(values)]]));
}

/** What `schema()` accepts for a field: a dtype, a Field, or a nested object (a struct). */
export type FieldSpec = DType | Field | { [name: string]: FieldSpec };

export function scalar(dtype: DType, shape: readonly number[] = []): Scalar {
  return new Scalar(dtype, shape);
}

export function list(values: FieldSpec): List {
  return new List(toField(values));
}

export function struct(children: Record<string, FieldSpec>): Struct {
  return new Struct(children);
}

/** A Field from a spec: a dtype is a scalar, a plain object a struct. */
export function toField(spec: FieldSpec): Field {
  if (spec instanceof Field) return spec;
  if (typeof spec === 'string') return new Scalar(spec);
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) return new Struct(spec);
  throw new InvalidArgumentError(`Expected a dtype, a schema Field or an object of fields but received ${inspect(spec)}`);
}

/** A struct schema from a plain object, or a list of column names (all float32, as Caffe2's from_column_list). */
export function schema(spec: Record<string, FieldSpec> | readonly string[]): Struct {
  if (Array.isArray(spec)) return fromColumnList(spec as readonly string[]);
  return new Struct(spec as Record<string, FieldSpec>);
}

/** Rebuilds a tree from flattened names (`a`, `b:lengths`, `b:values`); every leaf gets `dtype`. */
export function fromColumnList(names: readonly string[], dtype: DType = 'float32'): Struct {
  const root: Record<string, unknown> = {};
  for (const n of names) {
    const parts = n.split(':');
    let node = root;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = n.endsWith(':lengths') ? 'int32' : dtype;
  }
  const build = (node: Record<string, unknown>): Field => {
    const keys = Object.keys(node);
    if (keys.length === 2 && keys.includes('lengths') && keys.includes('values')) {
      const v = node.values;
      return new List(typeof v === 'string' ? new Scalar(v as DType) : build(v as Record<string, unknown>));
    }
    return new Struct(keys.map((k) => [k, typeof node[k] === 'string' ? new Scalar(node[k] as DType) : build(node[k] as Record<string, unknown>)] as const));
  };
  return build(root) as Struct;
}

/**
 * A schema with a blob for each field (Caffe2's record). Readers return
 * records, writers and processors take them.
 */
export class BlobRecord {
  readonly schema: Field;
  private readonly _blobs: BlobReference[];

  constructor(schemaField: Field, blobs: readonly BlobLike[]) {
    this.schema = schemaField;
    const names = schemaField.fieldNames();
    if (blobs.length !== names.length) {
      throw new InvalidArgumentError(`Expected ${names.length} blobs (${names.join(', ') || 'one scalar'}) for a record but received ${blobs.length}`);
    }
    this._blobs = blobs.map((b) => (typeof b === 'string' ? new BlobReference(b) : b));
  }

  fieldNames(): string[] {
    return this.schema.fieldNames();
  }

  fieldBlobs(): BlobReference[] {
    return [...this._blobs];
  }

  /** The blob of a flattened field name ('label', 'tokens:values'). */
  field(name: string): BlobReference {
    const i = this.fieldNames().indexOf(name);
    if (i < 0) throw new InvalidArgumentError(`Expected one of ${this.fieldNames().map((n) => `'${n}'`).join(', ')} but received '${name}'`);
    return this._blobs[i]!;
  }

  /** The sub-record under a struct child (its names relative to the child). */
  sub(name: string): BlobRecord {
    if (!(this.schema instanceof Struct)) throw new InvalidArgumentError(`Expected a struct record to take '${name}' from`);
    const child = this.schema.get(name);
    const names = this.fieldNames();
    const blobs = this._blobs.filter((_, i) => names[i] === name || names[i]!.startsWith(`${name}:`));
    return new BlobRecord(child, blobs);
  }

  [inspect.custom](): string {
    return `BlobRecord(${this.fieldNames().map((n, i) => `${n || '<scalar>'}=${blobName(this._blobs[i]!)}`).join(', ')})`;
  }
}

function prefix(name: string, fields: FieldInfo[]): FieldInfo[] {
  return fields.map((f) => ({ ...f, name: f.name ? `${name}:${f.name}` : name }));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
