import type { z } from 'zod';
import { columnsOf, type LakeType } from '../columns.ts';

const DUCKDB_TYPES: Record<LakeType, string> = {
  string: 'VARCHAR',
  json: 'VARCHAR',
  int32: 'INTEGER',
  int64: 'BIGINT',
  float64: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
};

/**
 * The DuckDB type each lake type reads as (Parquet INT64 TIMESTAMP(UTC, micros) reads as TIMESTAMPTZ).
 *
 * @example
 * ```ts
 * import { duckDbTypeOf } from './to-duckdb-ddl.ts';
 * duckDbTypeOf('int64'); // 'BIGINT'
 * ```
 */
export const duckDbTypeOf = (lakeType: LakeType): string => DUCKDB_TYPES[lakeType];

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The column list of a table in DuckDB DDL, derived from its zod schema.
 *
 * @example
 * ```ts
 * import { eventRow, toDuckDbColumns } from '../index.ts';
 * `CREATE TABLE events (${toDuckDbColumns(eventRow)})`;
 * ```
 */
export function toDuckDbColumns(table: z.ZodObject): string {
  return columnsOf(table)
    .map((c) => `${quoteIdent(c.name)} ${DUCKDB_TYPES[c.lakeType]}${c.nullable ? '' : ' NOT NULL'}`)
    .join(', ');
}

/**
 * A complete `CREATE TABLE` statement for a table, derived from its zod schema.
 *
 * @example
 * ```ts
 * import { eventRow, toDuckDbDdl } from '../index.ts';
 * await connection.run(toDuckDbDdl('events', eventRow));
 * ```
 */
export function toDuckDbDdl(name: string, table: z.ZodObject): string {
  return `CREATE TABLE ${quoteIdent(name)} (${toDuckDbColumns(table)})`;
}
