/**
 * Reader builders (docs/caffe2.md §7.3–7.4): objects that set up a data source once
 * and then make readers over it, possibly piped or combined.
 */
import { inspect } from 'node:util';

import { InvalidArgumentError } from '../errors/index.js';
import { Reader } from './Reader.js';
import { CompositeReader } from './readers.js';
import { Struct, type Field } from './schema.js';

/** Options passed through `setup()` / `newReader()` (a `limiter`, a workspace…). */
export type BuilderOptions = Record<string, unknown>;

/** Something with a `reader()` method (a queue, a dataset, a stream). */
export interface HasReader {
  reader(): Reader;
}

export function hasReader(x: unknown): x is HasReader {
  return typeof (x as HasReader | null)?.reader === 'function';
}

export abstract class ReaderBuilder {
  abstract schema(): Field;
  /** One-time setup; returns the data-finished blobs it made, by name. */
  abstract setup(options?: BuilderOptions): Record<string, unknown>;
  abstract newReader(options?: BuilderOptions): Reader | HasReader;
}

/** A builder whose readers go through `piper(reader, options)` (which may return a Reader or a pipe). */
export class PipedReaderBuilder extends ReaderBuilder {
  constructor(
    readonly builder: ReaderBuilder,
    readonly piper: (reader: Reader, options: BuilderOptions) => Reader | HasReader,
  ) {
    super();
  }

  schema(): Field {
    return this.builder.schema();
  }

  setup(options: BuilderOptions = {}): Record<string, unknown> {
    return this.builder.setup(options);
  }

  newReader(options: BuilderOptions = {}): Reader {
    const inner = asReader(this.builder.newReader(options));
    return asReader(this.piper(inner, options));
  }
}

/**
 * Builds CompositeReaders over several builders. `setup()` merges their
 * data-finished blobs (overlaps are an error); a `limiter` option goes to the
 * last builder only, so the batch counter advances only when every reader had data.
 */
export class CompositeReaderBuilder extends ReaderBuilder {
  private readonly _schema: Struct;

  constructor(
    readonly names: readonly string[],
    readonly builders: readonly ReaderBuilder[],
  ) {
    super();
    if (names.length !== builders.length) {
      throw new InvalidArgumentError(`Expected as many names as builders but received ${names.length} and ${builders.length}`);
    }
    this._schema = new Struct(names.map((n, i) => [n, builders[i]!.schema()] as const));
  }

  schema(): Field {
    return this._schema;
  }

  setup(options: BuilderOptions = {}): Record<string, unknown> {
    const { limiter, ...rest } = options;
    const merged: Record<string, unknown> = {};
    this.builders.forEach((b, i) => {
      const opts = i === this.builders.length - 1 && limiter !== undefined ? { ...rest, limiter } : rest;
      const got = b.setup(opts) ?? {};
      for (const [k, v] of Object.entries(got)) {
        if (k in merged) throw new InvalidArgumentError(`Expected distinct data-finished keys but '${k}' overlaps`);
        if (Object.values(merged).includes(v)) throw new InvalidArgumentError(`Expected distinct data-finished blobs but ${inspect(v)} overlaps`);
        merged[k] = v;
      }
    });
    return merged;
  }

  newReader(options: BuilderOptions = {}): Reader {
    const readers = this.builders.map((b) => {
      const r = b.newReader(options);
      if (r instanceof Reader) return r;
      if (hasReader(r)) return r.reader();
      throw new InvalidArgumentError('reader must be an instance of Reader or Pipe');
    });
    const reader = new CompositeReader(this.names, readers);
    if (!reader.schema().equals(this._schema)) throw new InvalidArgumentError('Expected the composite reader to have the builders\' schema');
    return reader;
  }
}

function asReader(x: Reader | HasReader): Reader {
  if (x instanceof Reader) return x;
  if (hasReader(x)) return x.reader();
  throw new InvalidArgumentError(`Expected a Reader or something with reader() but received ${inspect(x)}`);
}
