/**
 * Column builders: each returns a zod schema tagged with the lake type it maps to, so every other target
 * (Arrow, DuckDB DDL, R2 SQL types, Pipelines stream schema) is derived from the zod schema alone.
 *
 * @module
 */
import { z } from 'zod';

/** The storage types a global column can have; the names follow the Pipelines stream schema. */
export type LakeType = 'string' | 'int32' | 'int64' | 'float64' | 'bool' | 'timestamp' | 'json';

/** What a column builder records about its column. */
export interface ColumnMeta {
  lakeType: LakeType;
  description?: string;
}

/**
 * An int64 value after parsing: a number while it is a safe integer, a bigint beyond 2^53. One canonical
 * form, so two rows holding the same int64 compare equal whichever form they arrived in.
 */
export type Int64 = number | bigint;

/**
 * The registry that holds each column's lake type.
 *
 * @example
 * ```ts
 * import { col, lakeColumns } from './columns.ts';
 * const seq = col.int64();
 * lakeColumns.get(seq)?.lakeType; // 'int64'
 * ```
 */
export const lakeColumns = z.registry<ColumnMeta>();

function tag<T extends z.ZodType>(schema: T, lakeType: LakeType, description?: string): T {
  (schema as z.ZodType).register(lakeColumns, description ? { lakeType, description } : { lakeType });
  return schema;
}

/**
 * The smallest int64.
 *
 * @example
 * ```ts
 * import { INT64_MIN, toInt64 } from './columns.ts';
 * toInt64(INT64_MIN - 1n); // null
 * ```
 */
export const INT64_MIN = -(2n ** 63n);
/**
 * The largest int64.
 *
 * @example
 * ```ts
 * import { INT64_MAX, toInt64 } from './columns.ts';
 * toInt64(INT64_MAX.toString()); // 9223372036854775807n
 * ```
 */
export const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/**
 * Reads an int64 from a number (a safe integer), a bigint, or a decimal string — the form an int64
 * beyond 2^53 takes in JSON, which has no bigint — and answers its canonical form, or null if the value
 * is not an int64.
 *
 * @example
 * ```ts
 * import { toInt64 } from './columns.ts';
 * toInt64('9007199254740993'); // 9007199254740993n
 * toInt64(42n); // 42
 * toInt64(1.5); // null
 * ```
 */
export function toInt64(value: unknown): Int64 | null {
  let big: bigint;
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? value : null;
  } else if (typeof value === 'bigint') {
    big = value;
  } else if (typeof value === 'string' && DECIMAL.test(value)) {
    big = BigInt(value);
  } else {
    return null;
  }
  if (big < INT64_MIN || big > INT64_MAX) return null;
  const small = Number(big);
  return Number.isSafeInteger(small) ? small : big;
}

const int64Schema = (): z.ZodType<Int64, number | bigint | string> =>
  z.union([z.number(), z.bigint(), z.string()]).transform((value, ctx) => {
    const parsed = toInt64(value);
    if (parsed === null) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `must be an int64: a safe integer, a bigint or a decimal string in [-2^63, 2^63), got ${typeof value === 'bigint' ? `${value}n` : JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return parsed;
  });

/**
 * Timestamps are integers of microseconds since the Unix epoch, UTC. They travel as JSON numbers (a
 * Pipelines `timestamp` field reads a number in its unit, or an RFC 3339 string), so they stay within
 * ±2^53 µs: from the year 1685 to 2255.
 */
const MAX_SAFE_US = Number.MAX_SAFE_INTEGER;

/** An absolute URL: every global id is one. */
const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i;
/** A reference to one version of a thing: its URL, `@v`, and the version number. */
const VERSION_REF = /^[a-z][a-z0-9+.-]*:\/\/[^\s@]+@v[1-9][0-9]*$/i;

/**
 * Builders for global columns. Nullable columns wrap a builder with `.nullable()`; a column added to a
 * table that already has a stream must be `.optional()` (see `schema check`).
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { col } from './columns.ts';
 * const row = z.object({ id: col.url(), seq: col.int64(), ts: col.timestamp(), data: col.json().nullable() });
 * row.parse({ id: 'https://x.dev/a', seq: '9007199254740993', ts: 1_700_000_000_000_000, data: null });
 * ```
 */
export const col = {
  string: (description?: string) => tag(z.string(), 'string', description),
  /** An absolute URL (every global id is one). */
  url: (description?: string) =>
    tag(z.string().regex(ABSOLUTE_URL, 'must be an absolute URL (scheme://...)'), 'string', description),
  /** A version reference, e.g. `https://startups.studio/acme@v1234`. */
  versionRef: (description?: string) =>
    tag(
      z.string().regex(VERSION_REF, 'must be a version reference (https://host/path@v<number>)'),
      'string',
      description,
    ),
  enum: <const T extends readonly [string, ...string[]]>(values: T, description?: string) =>
    tag(z.enum(values), 'string', description),
  int32: (description?: string) =>
    tag(
      z
        .number()
        .int()
        .min(-(2 ** 31))
        .max(2 ** 31 - 1),
      'int32',
      description,
    ),
  /** Exact over the whole int64 range; see {@link toInt64} for the accepted forms. */
  int64: (description?: string) => tag(int64Schema(), 'int64', description),
  float64: (description?: string) => tag(z.number(), 'float64', description),
  bool: (description?: string) => tag(z.boolean(), 'bool', description),
  timestamp: (description?: string) =>
    tag(z.number().int().min(-MAX_SAFE_US).max(MAX_SAFE_US), 'timestamp', description),
  /** Any JSON value; stored as JSON text. */
  json: (description?: string) => tag(z.json(), 'json', description),
};

/** A column as the derivations see it: its name, lake type and whether it may be null. */
export interface ColumnInfo {
  name: string;
  lakeType: LakeType;
  nullable: boolean;
  description?: string;
}

/**
 * Lists the columns of a table schema built with {@link col}, in declaration order.
 *
 * @example
 * ```ts
 * import { columnsOf, eventRow } from './index.ts';
 * columnsOf(eventRow).map((c) => c.name); // ['schema_version', 'id', ...]
 * ```
 */
export function columnsOf(table: z.ZodObject): ColumnInfo[] {
  return Object.entries(table.shape).map(([name, field]) => {
    let inner = field as z.ZodType;
    let nullable = false;
    while (
      inner instanceof z.ZodNullable ||
      inner instanceof z.ZodOptional ||
      inner instanceof z.ZodDefault
    ) {
      nullable ||= !(inner instanceof z.ZodDefault);
      inner = (inner as z.ZodNullable<z.ZodType>).unwrap();
    }
    const meta = lakeColumns.get(inner);
    if (!meta) throw new Error(`column "${name}" was not built with col.*: it has no lake type`);
    return {
      name,
      lakeType: meta.lakeType,
      nullable,
      ...(meta.description ? { description: meta.description } : {}),
    };
  });
}

const columnsSeen = new WeakMap<z.ZodObject, readonly ColumnInfo[]>();

/**
 * {@link columnsOf}, read once per table schema and kept: for code that reads a table's columns per
 * row (a roll stages tens of thousands of records). The list is shared: do not change it.
 *
 * @example
 * ```ts
 * import { columnsOnce, eventRow } from './index.ts';
 * columnsOnce(eventRow) === columnsOnce(eventRow); // true
 * ```
 */
export function columnsOnce(table: z.ZodObject): readonly ColumnInfo[] {
  let columns = columnsSeen.get(table);
  if (!columns) {
    columns = columnsOf(table);
    columnsSeen.set(table, columns);
  }
  return columns;
}
