import type { z } from 'zod';
import { columnsOf, type LakeType } from '../../schemas/index.ts';

/** The Iceberg primitive types the lake's columns map to. */
export type IcebergPrimitive = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'timestamptz';

/** A top-level field of an Iceberg schema. */
export interface IcebergField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergPrimitive;
  doc?: string;
}

/** An Iceberg schema (a struct), as it appears in table metadata. */
export interface IcebergSchema {
  type: 'struct';
  'schema-id': number;
  fields: IcebergField[];
}

const ICEBERG_TYPES: Record<LakeType, IcebergPrimitive> = {
  string: 'string',
  json: 'string',
  int32: 'int',
  int64: 'long',
  float64: 'double',
  bool: 'boolean',
  timestamp: 'timestamptz',
};

/**
 * The Iceberg type each lake type is stored as (JSON is stored as text).
 *
 * @example
 * ```ts
 * import { icebergTypeOf } from './iceberg-schema.ts';
 * icebergTypeOf('timestamp'); // 'timestamptz'
 * ```
 */
export const icebergTypeOf = (lakeType: LakeType): IcebergPrimitive => ICEBERG_TYPES[lakeType];

/**
 * The Iceberg schema of a table, derived from its zod schema: field ids 1..n in declaration order
 * (columns are only ever appended, so ids stay stable), `required` for non-nullable columns.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { toIcebergSchema } from './iceberg-schema.ts';
 * toIcebergSchema(eventRow).fields[0]; // { id: 1, name: 'schema_version', required: true, type: 'int', ... }
 * ```
 */
export function toIcebergSchema(table: z.ZodObject, schemaId = 0): IcebergSchema {
  return {
    type: 'struct',
    'schema-id': schemaId,
    fields: columnsOf(table).map((column, index) => ({
      id: index + 1,
      name: column.name,
      required: !column.nullable,
      type: ICEBERG_TYPES[column.lakeType],
      ...(column.description ? { doc: column.description } : {}),
    })),
  };
}
