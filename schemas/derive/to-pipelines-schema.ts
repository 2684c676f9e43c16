import type { z } from 'zod';
import { columnsOf, type LakeType } from '../columns.ts';

/**
 * The field types a Pipelines stream schema documents (PLATFORM.md; wrangler 4.86 also knows uint32,
 * uint64 and decimal128, which the docs do not list, so nothing here emits them).
 *
 * @example
 * ```ts
 * import { PIPELINES_FIELD_TYPES } from './to-pipelines-schema.ts';
 * PIPELINES_FIELD_TYPES.includes('int64'); // true
 * ```
 */
export const PIPELINES_FIELD_TYPES = [
  'string',
  'int32',
  'int64',
  'float32',
  'float64',
  'bool',
  'timestamp',
  'json',
  'binary',
  'list',
  'struct',
] as const;

/** A documented Pipelines field type. */
export type PipelinesFieldType = (typeof PIPELINES_FIELD_TYPES)[number];

/** Timestamp units, spelled as wrangler's own schema builder writes them. */
export type PipelinesTimestampUnit = 'second' | 'millisecond' | 'microsecond' | 'nanosecond';

/** A field of a Pipelines stream schema file (`wrangler pipelines streams create --schema-file`). */
export interface PipelinesField {
  name: string;
  type: PipelinesFieldType;
  required: boolean;
  unit?: PipelinesTimestampUnit;
  items?: Omit<PipelinesField, 'name' | 'required'> & { name?: string; required?: boolean };
  fields?: PipelinesField[];
}

/** A Pipelines stream schema file. */
export interface PipelinesSchema {
  fields: PipelinesField[];
}

const FIELD_TYPES: Record<LakeType, PipelinesFieldType> = {
  string: 'string',
  json: 'json',
  int32: 'int32',
  int64: 'int64',
  float64: 'float64',
  bool: 'bool',
  timestamp: 'timestamp',
};

/**
 * The Pipelines stream schema of a table, derived from its zod schema. A nullable or optional column is
 * `required: false`; timestamps are microseconds.
 *
 * @example
 * ```ts
 * import { eventRow, toPipelinesSchema } from '../index.ts';
 * toPipelinesSchema(eventRow).fields[0]; // { name: 'schema_version', type: 'int32', required: true }
 * ```
 */
export function toPipelinesSchema(table: z.ZodObject): PipelinesSchema {
  return {
    fields: columnsOf(table).map((c) => ({
      name: c.name,
      type: FIELD_TYPES[c.lakeType],
      required: !c.nullable,
      ...(c.lakeType === 'timestamp' ? { unit: 'microsecond' as const } : {}),
    })),
  };
}

/**
 * The text of the committed stream schema file of a table: stable, two-space JSON with a final newline,
 * so `schema generate` rewrites it byte for byte and a drift shows as a diff.
 *
 * @example
 * ```ts
 * import { eventRow, renderPipelinesSchema } from '../index.ts';
 * writeFileSync('schemas/pipelines/events.json', renderPipelinesSchema(eventRow));
 * ```
 */
export function renderPipelinesSchema(table: z.ZodObject): string {
  return `${JSON.stringify(toPipelinesSchema(table), null, 2)}\n`;
}

/**
 * Whether a value has the shape of a Pipelines stream schema file (a `fields` array of named, typed
 * fields using only documented types).
 *
 * @example
 * ```ts
 * import { isPipelinesSchema } from './to-pipelines-schema.ts';
 * isPipelinesSchema(JSON.parse(readFileSync('schemas/pipelines/events.json', 'utf8'))); // true
 * ```
 */
export function isPipelinesSchema(value: unknown): value is PipelinesSchema {
  if (typeof value !== 'object' || value === null) return false;
  const fields = (value as { fields?: unknown }).fields;
  return (
    Array.isArray(fields) &&
    fields.every(
      (f) =>
        typeof f === 'object' &&
        f !== null &&
        typeof f.name === 'string' &&
        typeof f.required === 'boolean' &&
        (PIPELINES_FIELD_TYPES as readonly string[]).includes(f.type),
    )
  );
}
