import type { z } from 'zod';
import { type ColumnInfo, columnsOnce } from '../columns.ts';
import { isoToMicros } from './to-stream-record.ts';

/**
 * A lake value that cannot be read as its column's type: where, and what it was.
 *
 * @example
 * ```ts
 * import { eventRow, fromLakeRow, LakeRowError } from '../index.ts';
 * let error: unknown;
 * try {
 *   fromLakeRow(eventRow, { seq: 'x' });
 * } catch (caught) {
 *   error = caught;
 * }
 * (error as LakeRowError).column; // 'seq'
 * ```
 */
export class LakeRowError extends Error {
  override name = 'LakeRowError';
  readonly code = 'invalid_lake_row';
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
  }
}

function integer(column: string, value: unknown, timestamp: boolean): number | bigint {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new LakeRowError(column, `${column}: ${value} is not an integer`);
    return value;
  } else if (value instanceof Date) {
    // A reader that hands timestamps back as Date has already dropped the microseconds.
    big = BigInt(value.getTime()) * 1000n;
  } else if (typeof value === 'object' && value !== null && 'micros' in value) {
    big = BigInt((value as { micros: bigint | number }).micros);
  } else if (typeof value === 'string' && timestamp && value.includes('T')) {
    try {
      return isoToMicros(value.includes(' ') ? value.replace(' ', 'T') : value);
    } catch {
      throw new LakeRowError(column, `${column}: "${value.slice(0, 40)}" is not a timestamp`);
    }
  } else if (typeof value === 'string' && /^-?\d+$/.test(value)) big = BigInt(value);
  else throw new LakeRowError(column, `${column}: ${typeof value} is not an integer`);
  const small = Number(big);
  return Number.isSafeInteger(small) ? small : big;
}

function json(column: string, value: unknown): unknown {
  if (typeof value !== 'string') return value; // a reader that already parsed it
  try {
    return JSON.parse(value);
  } catch {
    throw new LakeRowError(column, `${column}: not JSON text`);
  }
}

function normalize(
  columns: readonly ColumnInfo[],
  raw: Record<string, unknown>,
  absentAsNull: boolean,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of columns) {
    if (!absentAsNull && !(column.name in raw)) continue;
    const value = raw[column.name];
    if (value === null || value === undefined) {
      row[column.name] = null;
      continue;
    }
    switch (column.lakeType) {
      case 'int64':
      case 'int32':
        row[column.name] = integer(column.name, value, false);
        break;
      case 'timestamp':
        row[column.name] = integer(column.name, value, true);
        break;
      case 'json':
        row[column.name] = json(column.name, value);
        break;
      case 'float64':
        row[column.name] = typeof value === 'string' ? Number(value) : value;
        break;
      case 'bool':
        row[column.name] = value === true || value === 1 || value === 'true';
        break;
      default:
        row[column.name] = value;
    }
  }
  return row;
}

/** How {@link fromLakeRow} reads one row. */
export interface FromLakeRowOptions {
  /** A column the raw row lacks: left out (`'skip'`, the default) or read as null (`'null'`). */
  absent?: 'skip' | 'null';
}

/**
 * Reads a row as any engine or reader hands it back — R2 SQL JSON (int64 as number or decimal text,
 * timestamps as ISO text with µs, JSON as text), DuckDB (bigint, `{ micros }`), a Parquet reader
 * (bigint, or Date when the reader drops µs) — into the row form the zod schema produces, so it can be
 * compared with `toEqual` or hashed as it was written. Columns outside the schema (partition columns,
 * file names) are left out; a value that is not of its column's type throws a {@link LakeRowError}.
 *
 * @example
 * ```ts
 * import { eventRow, fromLakeRow } from '../index.ts';
 * const row = fromLakeRow(eventRow, { seq: 7n, ts: 1_764_000_000_000_000n, data: '{"a":1}' });
 * row.seq; // 7
 * ```
 */
export function fromLakeRow(
  table: z.ZodObject,
  raw: Record<string, unknown>,
  options: FromLakeRowOptions = {},
): Record<string, unknown> {
  return normalize(columnsOnce(table), raw, options.absent === 'null');
}
