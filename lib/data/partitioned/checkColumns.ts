// The build-time check of a partitioned source: every partition's columns against the schema.
import { DataError } from '../../errors/index.js';
import { expectedSqlType, typeMismatch, type ColumnSpec } from './columns.js';
import { TypeId, type DuckConnection } from './duckdb.js';
import { duckMessage, sqlIdent, type Partition } from './sources.js';

/**
 * Checks every partition's columns against the schema (names, then types) and
 * returns the SELECT list. Arrays of a fixed shape may be stored as lists
 * (Parquet keeps no array size): they are cast, and a row of another length fails in DuckDB.
 */
export async function checkColumns(conn: DuckConnection, parts: readonly Partition[], specs: readonly ColumnSpec[], exprs: Record<string, string>): Promise<string> {
  const raw = specs.map((s) => `${exprs[s.name] ?? sqlIdent(s.name)} AS ${sqlIdent(s.name)}`).join(', ');
  let needCast = false;
  for (const part of parts) {
    const all = await describe(conn, part.select('*', 0), part.name);
    for (const s of specs) {
      if (exprs[s.name] === undefined && !all.names.includes(s.name)) {
        throw new DataError('HOGWILD_SCHEMA_MISMATCH', `Expected column '${s.name}' (${expectedSqlType(s)}) in partition '${part.name}' but it has only ${all.names.map((n) => `'${n}'`).join(', ')}`);
      }
    }
    const got = await describe(conn, part.select(raw, 0), part.name);
    specs.forEach((s, i) => {
      const t = got.types[i]!;
      if (s.kind === 'scalar' && s.shape.length > 0 && t.typeId === TypeId.LIST) {
        // A list of the right element type: cast to the array (lengths are checked by DuckDB per row).
        if (!typeMismatch({ ...s, kind: 'list', shape: [], width: 1 }, t)) {
          needCast = true;
          return;
        }
      }
      const why = typeMismatch(s, t);
      if (why) throw new DataError('HOGWILD_SCHEMA_MISMATCH', `Expected column '${s.name}' of partition '${part.name}' to fit the schema but it ${why}; cast it with columns: { ${s.name}: "CAST(${s.name} AS ${expectedSqlType(s)})" }`);
    });
  }
  if (!needCast) return raw;
  return specs
    .map((s) => {
      const e = exprs[s.name] ?? sqlIdent(s.name);
      return s.kind === 'scalar' && s.shape.length > 0 ? `CAST(${e} AS ${expectedSqlType(s)}) AS ${sqlIdent(s.name)}` : `${e} AS ${sqlIdent(s.name)}`;
    })
    .join(', ');
}

async function describe(conn: DuckConnection, select: string, partition: string) {
  try {
    const r = await conn.stream(`SELECT * FROM (${select}) LIMIT 0`);
    return { names: r.columnNames(), types: r.columnTypes() };
  } catch (err) {
    const code = /No files found|Cannot open|No such file/i.test(duckMessage(err)) ? 'HOGWILD_IO' : 'HOGWILD_SCHEMA_MISMATCH';
    throw new DataError(code, `Expected partition '${partition}' to be readable with the schema's columns but ${duckMessage(err)}`, { cause: err });
  }
}
