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

/** The DuckDB type each lake type reads as. */
export const duckDbTypeOf = (lakeType: LakeType): string => DUCKDB_TYPES[lakeType];

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
    .map((c) => `"${c.name}" ${DUCKDB_TYPES[c.lakeType]}${c.nullable ? '' : ' NOT NULL'}`)
    .join(', ');
}
