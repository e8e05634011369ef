/**
 * Where partitions come from: Parquet files (paths, globs, Hive-style
 * `key=value/` directories, each file one partition) or a SQL query split by
 * the values of a partition column. A partition knows its row count (taken
 * when it is opened, so a file that changes later is caught) and how to
 * select its rows from a row offset on, in a fixed order.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

import { DataError, InvalidArgumentError } from '../../errors/index.js';
import type { DuckConnection } from './duckdb.js';

export interface Partition {
  /** The file path, or `column = value` for a SQL partition. */
  readonly name: string;
  readonly rows: number;
  /** SQL selecting `columns` from this partition, from row `offset` on, in a fixed order. */
  select(columns: string, offset: number): string;
  /** The file's size and modification time now (undefined once it is gone); absent for a SQL partition. */
  stamp?(): string | undefined;
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier. */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

async function rows(conn: DuckConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.run(sql)).getRowObjectsJS();
}

/** Short form of a DuckDB error message (its first line). */
export function duckMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

const GLOB = /[*?[{]/;

/**
 * The Parquet files of `paths` (files, globs, or directories read as
 * `dir/**\/*.parquet`), sorted, each once. A path that matches nothing is an error.
 */
export async function parquetPartitions(conn: DuckConnection, paths: readonly string[]): Promise<Partition[]> {
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.length > 0)) {
    throw new InvalidArgumentError(`Expected a non-empty list of Parquet paths, globs or directories but received ${JSON.stringify(paths)}`);
  }
  const files = new Set<string>();
  for (const p of paths) {
    let pattern = p;
    if (!GLOB.test(p)) {
      let isDir: boolean;
      try {
        isDir = statSync(p).isDirectory();
      } catch (err) {
        throw new DataError('HOGWILD_IO', `Expected Parquet partition '${p}' to exist but it cannot be read: ${(err as Error).message}`, { cause: err });
      }
      if (!isDir) {
        files.add(resolve(p));
        continue;
      }
      pattern = `${p.replace(/\/+$/, '')}/**/*.parquet`;
    }
    const found = await rows(conn, `SELECT file FROM glob(${sqlString(pattern)}) ORDER BY file`);
    if (found.length === 0) throw new DataError('HOGWILD_IO', `Expected Parquet files in partition '${p}' but '${pattern}' matches none`);
    for (const f of found) files.add(resolve(String(f.file)));
  }
  const list = [...files].sort();
  let meta: Record<string, unknown>[];
  try {
    meta = await rows(conn, `SELECT file_name, sum(num_rows) AS n FROM parquet_file_metadata([${list.map(sqlString).join(', ')}]) GROUP BY file_name`);
  } catch (err) {
    throw new DataError('HOGWILD_IO', `Expected readable Parquet partitions but ${duckMessage(err)}`, { cause: err });
  }
  const counts = new Map(meta.map((m) => [resolve(String(m.file_name)), Number(m.n)]));
  return list.map((file) => {
    const n = counts.get(file);
    if (n === undefined) throw new DataError('HOGWILD_IO', `Expected Parquet metadata for partition '${file}' but DuckDB gave none`);
    const from = `read_parquet(${sqlString(file)}, hive_partitioning = true, file_row_number = true)`;
    return {
      name: file,
      rows: n,
      // DuckDB keeps a file's row order (preserve_insertion_order); file_row_number skips to the offset.
      select: (columns: string, offset: number) => `SELECT ${columns} FROM ${from}${offset > 0 ? ` WHERE file_row_number >= ${offset}` : ''}`,
      stamp: () => fileStamp(file),
    };
  });
}

function fileStamp(file: string): string | undefined {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** A SQL source: the query, the column whose values split it into partitions, and the order inside one. */
export interface SqlSourceOptions {
  /** The query whose rows are read (it may read Parquet, CSV, attached databases…). */
  query: string;
  /** Rows with one value of this column form one partition (partitions in value order). */
  partitionColumn: string;
  /** SQL ORDER BY of the rows inside a partition; it must be a total order for exact resume. */
  orderBy: string;
}

function sqlLiteral(v: unknown, column: string): string {
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return sqlString(v);
  throw new DataError('HOGWILD_DATA', `Expected partition column '${column}' to hold numbers, strings or booleans but received ${v === null ? 'NULL' : typeof v}`);
}

/** The partitions of a SQL query: one per distinct value of `partitionColumn`. */
export async function sqlPartitions(conn: DuckConnection, options: SqlSourceOptions): Promise<Partition[]> {
  for (const k of ['query', 'partitionColumn', 'orderBy'] as const) {
    if (typeof options?.[k] !== 'string' || options[k].trim() === '') throw new InvalidArgumentError(`Expected a non-empty string for ${k} of a SQL source but received ${String(options?.[k])}`);
  }
  const col = sqlIdent(options.partitionColumn);
  let found: Record<string, unknown>[];
  try {
    found = await rows(conn, `SELECT ${col} AS p, count(*) AS n FROM (${options.query}) GROUP BY 1 ORDER BY 1`);
  } catch (err) {
    throw new DataError('HOGWILD_DATA', `Expected the SQL source to have partition column '${options.partitionColumn}' but ${duckMessage(err)}`, { cause: err });
  }
  if (found.length === 0) throw new DataError('HOGWILD_DATA', `Expected rows in the SQL source but the query returns none`);
  return found.map((r) => {
    const lit = sqlLiteral(r.p, options.partitionColumn);
    return {
      name: `${options.partitionColumn} = ${lit}`,
      rows: Number(r.n),
      select: (columns: string, offset: number) =>
        `SELECT ${columns} FROM (${options.query}) WHERE ${col} = ${lit} ORDER BY ${options.orderBy}${offset > 0 ? ` OFFSET ${offset}` : ''}`,
    };
  });
}
