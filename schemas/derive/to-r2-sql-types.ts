import type { z } from 'zod';
import { columnsOf, type LakeType } from '../columns.ts';

/** How R2 SQL sees a column: its SQL type (for CAST and docs) and the Iceberg type the sink writes. */
export interface R2SqlColumn {
  name: string;
  /** The SQL type name R2 SQL (DataFusion) uses, e.g. `BIGINT`. */
  sqlType: string;
  /** The Iceberg type of the column in an R2 Data Catalog table, e.g. `long`. */
  icebergType: string;
  nullable: boolean;
}

const R2_SQL_TYPES: Record<LakeType, { sqlType: string; icebergType: string }> = {
  string: { sqlType: 'VARCHAR', icebergType: 'string' },
  json: { sqlType: 'VARCHAR', icebergType: 'string' },
  int32: { sqlType: 'INT', icebergType: 'int' },
  int64: { sqlType: 'BIGINT', icebergType: 'long' },
  float64: { sqlType: 'DOUBLE', icebergType: 'double' },
  bool: { sqlType: 'BOOLEAN', icebergType: 'boolean' },
  timestamp: { sqlType: 'TIMESTAMP', icebergType: 'timestamptz' },
};

/**
 * The R2 SQL type of a lake type (JSON is text: read it with `json_get_str` and friends).
 *
 * @example
 * ```ts
 * import { r2SqlTypeOf } from './to-r2-sql-types.ts';
 * r2SqlTypeOf('timestamp'); // { sqlType: 'TIMESTAMP', icebergType: 'timestamptz' }
 * ```
 */
export const r2SqlTypeOf = (lakeType: LakeType): { sqlType: string; icebergType: string } => ({
  ...R2_SQL_TYPES[lakeType],
});

/**
 * The columns of a table as R2 SQL sees them, derived from its zod schema.
 *
 * @example
 * ```ts
 * import { eventRow, toR2SqlColumns } from '../index.ts';
 * toR2SqlColumns(eventRow).find((c) => c.name === 'seq'); // { sqlType: 'BIGINT', icebergType: 'long', ... }
 * ```
 */
export function toR2SqlColumns(table: z.ZodObject): R2SqlColumn[] {
  return columnsOf(table).map((c) => ({ name: c.name, ...R2_SQL_TYPES[c.lakeType], nullable: c.nullable }));
}
