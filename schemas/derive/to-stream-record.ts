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
 * Microseconds since the epoch of an ISO-8601 UTC instant, keeping up to six fractional digits.
 *
 * @example
 * ```ts
 * import { isoToMicros } from './to-stream-record.ts';
 * isoToMicros('1970-01-01T00:00:01.000002Z'); // 1000002
 * ```
 */
export function isoToMicros(text: string): number {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!match) throw new Error(`"${text}" is not an ISO-8601 instant`);
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) throw new Error(`"${text}" is not an ISO-8601 instant`);
  return seconds * 1000 + Number((match[2] ?? '').padEnd(6, '0'));
}
