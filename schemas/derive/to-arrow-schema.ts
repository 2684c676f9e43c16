import * as arrow from 'apache-arrow';
import type { z } from 'zod';
import { type ColumnInfo, columnsOf, type LakeType } from '../columns.ts';

/** The Arrow type each lake type is written as. */
export function arrowTypeOf(lakeType: LakeType): arrow.DataType {
  switch (lakeType) {
    case 'string':
    case 'json':
      return new arrow.Utf8();
    case 'int32':
      return new arrow.Int32();
    case 'int64':
      return new arrow.Int64();
    case 'float64':
      return new arrow.Float64();
    case 'bool':
      return new arrow.Bool();
    case 'timestamp':
      return new arrow.TimestampMicrosecond('UTC');
  }
}

/**
 * The Arrow schema of a table, derived from its zod schema (timestamps as µs UTC, JSON as UTF-8 text).
 *
 * @example
 * ```ts
 * import { eventRow, toArrowSchema } from '../index.ts';
 * toArrowSchema(eventRow).fields.length; // one field per column
 * ```
 */
export function toArrowSchema(table: z.ZodObject): arrow.Schema {
  return new arrow.Schema(
    columnsOf(table).map((c: ColumnInfo) => new arrow.Field(c.name, arrowTypeOf(c.lakeType), c.nullable)),
  );
}
