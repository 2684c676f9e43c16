/**
 * Column builders: each returns a zod schema tagged with the lake type it maps to, so every other target
 * (Arrow, DuckDB DDL, Pipelines stream schema) is derived from the zod schema alone.
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

/** Timestamps are integers of microseconds since the Unix epoch, UTC. */
const MAX_SAFE_US = Number.MAX_SAFE_INTEGER;

/**
 * Builders for global columns. Nullable columns wrap a builder with `.nullable()`.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { col } from './columns.ts';
 * const row = z.object({ id: col.url(), seq: col.int64(), ts: col.timestamp(), data: col.json().nullable() });
 * row.parse({ id: 'https://x.dev/a', seq: 1, ts: 1_700_000_000_000_000, data: null });
 * ```
 */
export const col = {
  string: (description?: string) => tag(z.string(), 'string', description),
  /** An absolute URL (every global id is one). */
  url: (description?: string) =>
    tag(
      z.string().regex(/^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i, 'must be an absolute URL (scheme://...)'),
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
  int64: (description?: string) => tag(z.number().int(), 'int64', description),
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
