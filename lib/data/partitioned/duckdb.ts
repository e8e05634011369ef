/**
 * Loads DuckDB (`@duckdb/node-api`, an optional peer dependency) on first use,
 * so hogwild itself never needs it. Only the few calls the partitioned
 * readers make are typed here: the public surface stays free of DuckDB types.
 */
import { createRequire } from 'node:module';

import { MissingDependencyError } from '../../errors/index.js';

/** A DuckDB logical type, as far as the readers look at it. */
export interface DuckType {
  readonly typeId: number;
  readonly valueType?: DuckType;
  readonly length?: number;
  toString(): string;
}

/** The raw chunk handle the vector accessors take. */
export type RawChunk = object;
export type RawVector = object;

export interface DuckChunk {
  readonly rowCount: number;
  readonly chunk: RawChunk;
}

export interface DuckResult {
  columnNames(): string[];
  columnTypes(): DuckType[];
  fetchChunk(): Promise<DuckChunk | null>;
}

export interface DuckConnection {
  run(sql: string): Promise<{ getRowObjectsJS(): Promise<Record<string, unknown>[]> } & DuckResult>;
  stream(sql: string): Promise<DuckResult>;
  closeSync(): void;
}

export interface DuckInstance {
  connect(): Promise<DuckConnection>;
  closeSync(): void;
}

/** The vector accessors of `@duckdb/node-bindings` (vector_get_data returns a copy of the bytes asked for). */
export interface DuckBindings {
  data_chunk_get_vector(chunk: RawChunk, column: number): RawVector;
  vector_get_data(vector: RawVector, byteCount: number): Uint8Array;
  vector_get_validity(vector: RawVector, byteCount: number): Uint8Array | null;
  list_vector_get_child(vector: RawVector): RawVector;
  list_vector_get_size(vector: RawVector): number;
  array_vector_get_child(vector: RawVector): RawVector;
}

export interface DuckDb {
  DuckDBInstance: { create(path?: string, options?: Record<string, string>): Promise<DuckInstance> };
  bindings: DuckBindings;
  version: string;
}

/** Type ids of DuckDB's C API (stable across releases). */
export const TypeId = {
  BOOLEAN: 1,
  INTEGER: 4,
  BIGINT: 5,
  UTINYINT: 6,
  FLOAT: 10,
  DOUBLE: 11,
  LIST: 24,
  ARRAY: 33,
} as const;

export const INSTALL_HINT = 'npm install @duckdb/node-api';

let loaded: Promise<DuckDb> | undefined;

/** The DuckDB module, imported once; a clear HOGWILD_MISSING_DEPENDENCY error when it is not installed. */
export function loadDuckDb(): Promise<DuckDb> {
  loaded ??= importDuckDb('@duckdb/node-api').catch((err: unknown) => {
    loaded = undefined;  // an install between two builds is picked up
    throw err;
  });
  return loaded;
}

/** Imports the DuckDB Node API from `specifier` (tests pass a missing one). @internal */
export async function importDuckDb(specifier: string): Promise<DuckDb> {
  let api: Record<string, unknown>;
  let bindings: DuckBindings;
  try {
    api = (await import(specifier)) as Record<string, unknown>;
    // node-bindings is node-api's own dependency: resolve it from there (works with any package layout).
    const fromApi = createRequire(createRequire(import.meta.url).resolve(specifier));
    const b = fromApi('@duckdb/node-bindings') as { default?: DuckBindings } & DuckBindings;
    bindings = b.default ?? b;
  } catch (err) {
    throw new MissingDependencyError(
      `Reading Parquet or SQL partitions needs DuckDB, which is an optional peer dependency: run \`${INSTALL_HINT}\` (${(err as Error).message.split('\n')[0]})`,
      { cause: err },
    );
  }
  const mod = (api.default as Record<string, unknown> | undefined) ?? api;
  return {
    DuckDBInstance: mod.DuckDBInstance as DuckDb['DuckDBInstance'],
    bindings,
    version: typeof mod.version === 'function' ? String((mod.version as () => string)()) : 'unknown',
  };
}
