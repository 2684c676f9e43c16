import { type ColumnInfo, checkpointRow, columnsOf, eventRow, isoToMicros } from '../../schemas/index.ts';

/** A lake value that cannot be read as its column's type: where, and what it was. */
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

const EVENT_COLUMNS = columnsOf(eventRow);
const CHECKPOINT_COLUMNS = columnsOf(checkpointRow);
/** The events columns by name, in schema order (what `verify` selects). */
export const EVENT_COLUMN_NAMES: readonly string[] = EVENT_COLUMNS.map((c) => c.name);
/** The checkpoints columns by name, in schema order. */
export const CHECKPOINT_COLUMN_NAMES: readonly string[] = CHECKPOINT_COLUMNS.map((c) => c.name);

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

function normalize(columns: readonly ColumnInfo[], raw: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of columns) {
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

/**
 * Reads an events row as any engine or reader hands it back — R2 SQL JSON (int64 as number or decimal
 * text, timestamps as ISO text with µs, `data` as JSON text), DuckDB (bigint, `{ micros }`), a Parquet
 * reader (bigint, or Date when the reader drops µs: pass raw µs instead) — into the form its hash was
 * made over. Columns outside the schema (partition columns, file names) are left out.
 *
 * @example
 * ```ts
 * import { normalizeEventRow } from './normalize-lake-row.ts';
 * normalizeEventRow({ seq: '7', ts: '2026-01-01T00:00:00.000001Z', data: '{"a":1}' }).seq; // 7
 * ```
 */
export const normalizeEventRow = (raw: Record<string, unknown>): Record<string, unknown> =>
  normalize(EVENT_COLUMNS, raw);

/**
 * Reads a checkpoints row as any engine hands it back (see {@link normalizeEventRow}).
 *
 * @example
 * ```ts
 * import { normalizeCheckpointRow } from './normalize-lake-row.ts';
 * normalizeCheckpointRow({ head_seq: 1000n, count: '1000' }).count; // 1000
 * ```
 */
export const normalizeCheckpointRow = (raw: Record<string, unknown>): Record<string, unknown> =>
  normalize(CHECKPOINT_COLUMNS, raw);
