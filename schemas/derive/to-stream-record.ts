import type { z } from 'zod';
import { columnsOf } from '../columns.ts';

/**
 * The JSON form of a row, as it is sent to a stream: an int64 beyond 2^53 becomes a decimal string
 * (JSON has no bigint; a Pipelines int64 field and our stand-in both read the string exactly); every
 * other value is already JSON. Columns the table does not have are dropped.
 *
 * @example
 * ```ts
 * import { toStreamRecord, checkpointRow } from '../index.ts';
 * toStreamRecord(checkpointRow, { ...row, count: 2n ** 60n }).count; // '1152921504606846976'
 * ```
 */
export function toStreamRecord(table: z.ZodObject, row: Record<string, unknown>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const column of columnsOf(table)) {
    const value = row[column.name];
    if (value === undefined) continue;
    record[column.name] = typeof value === 'bigint' ? value.toString() : value;
  }
  return record;
}

/**
 * Turns a row as a lake reader hands it back (DuckDB: int64 as bigint, timestamps as `{ micros }`, JSON as text)
 * into the row form the zod schema produces, so a round trip can be compared with `toEqual`.
 *
 * @example
 * ```ts
 * import { eventRow, fromLakeRow } from '../index.ts';
 * const row = fromLakeRow(eventRow, { seq: 7n, ts: 1_764_000_000_000_000n, data: '{"a":1}' });
 * row.seq; // 7
 * ```
 */
export function fromLakeRow(table: z.ZodObject, raw: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of columnsOf(table)) {
    if (!(column.name in raw)) continue;
    const value = raw[column.name];
    if (value === null || value === undefined) {
      row[column.name] = null;
      continue;
    }
    switch (column.lakeType) {
      case 'int64':
      case 'timestamp': {
        // DuckDB's node client hands timestamps back as objects carrying `micros`.
        const micros = typeof value === 'object' && 'micros' in value ? value.micros : value;
        const big = BigInt(micros as bigint | number | string);
        const small = Number(big);
        row[column.name] = Number.isSafeInteger(small) ? small : big;
        break;
      }
      case 'json':
        row[column.name] = JSON.parse(String(value));
        break;
      default:
        row[column.name] = value;
    }
  }
  return row;
}
