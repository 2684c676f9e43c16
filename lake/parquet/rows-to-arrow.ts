import * as arrow from 'apache-arrow';
import type { z } from 'zod';
import { arrowTypeOf, type ColumnInfo, columnsOf } from '../../schemas/index.ts';

// Arrow's builders take timestamps as milliseconds and int64 as lossy numbers; building the buffers
// directly keeps microseconds and int64 beyond 2^53 exact.
function int64Vector(type: arrow.DataType, values: unknown[]): arrow.Vector {
  const length = values.length;
  const data = new BigInt64Array(length);
  const validity = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      nullCount++;
      continue;
    }
    data[i] = typeof value === 'bigint' ? value : BigInt(value as number | string);
    validity[i >> 3]! |= 1 << (i & 7);
  }
  return arrow.makeVector(
    arrow.makeData({
      type: type as arrow.Int64,
      length,
      nullCount,
      nullBitmap: nullCount ? validity : undefined,
      data,
    }),
  );
}

function columnVector(column: ColumnInfo, values: unknown[]): arrow.Vector {
  const type = arrowTypeOf(column.lakeType);
  switch (column.lakeType) {
    case 'int64':
    case 'timestamp':
      return int64Vector(type, values);
    case 'json':
      return arrow.vectorFromArray(
        values.map((v) => (v === null || v === undefined ? null : JSON.stringify(v))),
        type as arrow.Utf8,
      );
    default:
      return arrow.vectorFromArray(
        values.map((v) => (v === undefined ? null : v)),
        type,
      );
  }
}

/**
 * Builds an Arrow table from rows of a table schema: column order and types come from the zod schema.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { rowsToArrow } from './rows-to-arrow.ts';
 * const table = rowsToArrow(eventRow, rows);
 * ```
 */
export function rowsToArrow(schema: z.ZodObject, rows: readonly Record<string, unknown>[]): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const column of columnsOf(schema)) {
    vectors[column.name] = columnVector(
      column,
      rows.map((row) => row[column.name]),
    );
  }
  return new arrow.Table(vectors);
}
