import type { z } from 'zod';
import { columnsOf } from '../columns.ts';

/** A field of a Pipelines stream schema file (`wrangler pipelines streams create --schema-file`). */
export interface PipelinesField {
  name: string;
  type: 'string' | 'int32' | 'int64' | 'float64' | 'bool' | 'timestamp' | 'json';
  required: boolean;
  unit?: 'us';
}

/**
 * The Pipelines stream schema of a table, derived from its zod schema.
 *
 * @example
 * ```ts
 * import { eventRow, toPipelinesSchema } from '../index.ts';
 * JSON.stringify(toPipelinesSchema(eventRow), null, 2); // the committed schemas/pipelines/events.json
 * ```
 */
export function toPipelinesSchema(table: z.ZodObject): { fields: PipelinesField[] } {
  return {
    fields: columnsOf(table).map((c) => ({
      name: c.name,
      type: c.lakeType,
      required: !c.nullable,
      ...(c.lakeType === 'timestamp' ? { unit: 'us' as const } : {}),
    })),
  };
}
