/**
 * How a batch of stream records enters DuckDB and how a SELECT's output comes back: the stream's table
 * has the types the lake reads (json as JSON, timestamps as TIMESTAMPTZ), and output values return to
 * the form records travel in (timestamps as µs, int64 as number or bigint, json parsed).
 *
 * @module
 */
import type { z } from 'zod';
import { columnsOf, columnsOnce, duckDbTypeOf, type LakeType } from '../../../schemas/index.ts';
import { type SqlFragment, sql } from '../../../sql/index.ts';

// Staged columns take the lake's DuckDB types, except JSON, which is staged as DuckDB's JSON type so
// `->` and `->>` work on it. Values are read from NDJSON as text where JSON numbers would lose
// precision (int64) or where the wire form differs (timestamps travel as µs).
const columnType = (lakeType: LakeType): SqlFragment =>
  sql.raw(lakeType === 'json' ? 'JSON' : duckDbTypeOf(lakeType));
const READ_TYPES: Partial<Record<LakeType, string>> = {
  int64: 'VARCHAR',
  timestamp: 'BIGINT',
  json: 'VARCHAR',
};
const readType = (lakeType: LakeType): string => READ_TYPES[lakeType] ?? duckDbTypeOf(lakeType);

/** `CREATE OR REPLACE TABLE <stream>` with the lake's DuckDB types. */
export function createStreamTable(stream: string, schema: z.ZodObject): string {
  const columns = columnsOf(schema).map((c) => sql`${sql.id(c.name)} ${columnType(c.lakeType)}`);
  return sql`CREATE OR REPLACE TABLE ${sql.id(stream)} (${sql.join(columns)})`.text;
}

/** Inserts a staged NDJSON file into the stream's table, converting to the lake's types. */
export function loadStreamTable(stream: string, schema: z.ZodObject, file: string): string {
  const columns = columnsOf(schema);
  const read = columns.map((c) => sql`${c.name}: ${readType(c.lakeType)}`);
  const select = columns.map((c) => {
    const name = sql.id(c.name);
    if (c.lakeType === 'timestamp') return sql`CAST(make_timestamp(${name}) AS TIMESTAMPTZ)`;
    if (c.lakeType === 'int64') return sql`CAST(${name} AS BIGINT)`;
    if (c.lakeType === 'json') return sql`CAST(${name} AS JSON)`;
    return name;
  });
  return sql`INSERT INTO ${sql.id(stream)} SELECT ${sql.join(select)} FROM read_json(${file}, format = 'newline_delimited', columns = {${sql.join(read)}})`
    .text;
}

/**
 * A raw record as DuckDB reads it: int64 as decimal text, json as JSON text, the rest as is. `valid`
 * says the record is known to satisfy `schema` as it stands (a fast check passed), so zod's parse is
 * skipped.
 */
export function stage(
  schema: z.ZodObject,
  record: Record<string, unknown>,
  valid = false,
): Record<string, unknown> {
  const parsed = valid ? record : (schema.parse(record) as Record<string, unknown>);
  const staged: Record<string, unknown> = {};
  for (const column of columnsOnce(schema)) {
    const value = parsed[column.name];
    if (value === null || value === undefined) continue;
    if (column.lakeType === 'int64') staged[column.name] = String(value);
    else if (column.lakeType === 'json') staged[column.name] = JSON.stringify(value);
    else staged[column.name] = value;
  }
  return staged;
}

/** The SQL that brings an output column into the form its sink column is read back in. */
export function convert(name: SqlFragment, lakeType: LakeType, type: string): SqlFragment {
  if (lakeType === 'timestamp' && type.startsWith('TIMESTAMP')) return sql`epoch_us(${name})`;
  if (lakeType === 'json' && type !== 'VARCHAR' && type !== 'JSON')
    return sql`CAST(to_json(${name}) AS VARCHAR)`;
  if (lakeType === 'json') return sql`CAST(${name} AS VARCHAR)`;
  return name;
}

/** An output value in the form records travel in, or an Error naming why it cannot be. */
export function fromDuckDb(value: unknown, lakeType: LakeType): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    const small = Number(value);
    return Number.isSafeInteger(small)
      ? small
      : lakeType === 'int64'
        ? value
        : new Error(`${value} is out of range`);
  }
  if (lakeType === 'json' && typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      return new Error(`must be JSON text for a json column, got ${JSON.stringify(value.slice(0, 80))}`);
    }
  }
  return value;
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;
/** DuckDB output types each lake type takes (json takes any: it is encoded as JSON text). */
const TAKES: Record<LakeType, (type: string) => boolean> = {
  string: (type) => type === 'VARCHAR' || type === 'JSON',
  int32: (type) => INTEGER.test(type),
  int64: (type) => INTEGER.test(type),
  float64: (type) => INTEGER.test(type) || /^(DOUBLE|FLOAT|DECIMAL\(\d+,\d+\))$/.test(type),
  bool: (type) => type === 'BOOLEAN',
  timestamp: (type) => type.startsWith('TIMESTAMP'),
  json: () => true,
};

/**
 * Why a SELECT's output column of DuckDB type `type` cannot land in a sink column of `lakeType`, or
 * null when it can (a NULL literal lands in any column).
 */
export function typeMismatch(lakeType: LakeType, type: string): string | null {
  if (type === 'NULL' || type === '"NULL"' || TAKES[lakeType](type)) return null;
  return `the SELECT produces ${type}, which does not land in a ${lakeType} column: CAST it`;
}
