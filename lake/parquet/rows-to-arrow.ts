import * as arrow from 'apache-arrow';
import type { z } from 'zod';
import { arrowTypeOf, type ColumnInfo, columnsOf } from '../../schemas/index.ts';
import { utf8Buffers, validityOf } from './arrow-buffers.ts';

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

function utf8Vector(type: arrow.DataType, values: unknown[]): arrow.Vector {
  const strings = values.map((v) => (v === null || v === undefined ? null : String(v)));
  return arrow.makeVector(
    arrow.makeData({
      type: type as arrow.Utf8,
      length: values.length,
      ...validityOf(values),
      ...utf8Buffers(strings),
    }),
  );
}

function fixedVector(
  type: arrow.DataType,
  values: unknown[],
  TypedArray: Int32ArrayConstructor | Float64ArrayConstructor,
): arrow.Vector {
  const data = new TypedArray(values.length);
  values.forEach((v, i) => {
    if (v !== null && v !== undefined) data[i] = v as number;
  });
  return arrow.makeVector(
    arrow.makeData({ type: type as arrow.Int32, length: values.length, ...validityOf(values), data }),
  );
}

function boolVector(type: arrow.DataType, values: unknown[]): arrow.Vector {
  const data = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v === true) data[i >> 3]! |= 1 << (i & 7);
  });
  return arrow.makeVector(
    arrow.makeData({ type: type as arrow.Bool, length: values.length, ...validityOf(values), data }),
  );
}

function columnVector(column: ColumnInfo, values: unknown[]): arrow.Vector {
  const type = arrowTypeOf(column.lakeType);
  switch (column.lakeType) {
    case 'int64':
    case 'timestamp':
      return int64Vector(type, values);
    case 'json':
      return utf8Vector(
        type,
        values.map((v) => (v === null || v === undefined ? null : JSON.stringify(v))),
      );
    case 'string':
      return utf8Vector(type, values);
    case 'int32':
      return fixedVector(type, values, Int32Array);
    case 'float64':
      return fixedVector(type, values, Float64Array);
    case 'bool':
      return boolVector(type, values);
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
