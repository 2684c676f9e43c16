import { z } from 'zod';
import { col, type LakeType, TABLES } from '../../../schemas/index.ts';
import type { sinkSchemaConfig } from '../pipelines-config.ts';

const BUILDERS: Record<LakeType, () => z.ZodType> = {
  string: () => col.string(),
  int32: () => col.int32(),
  int64: () => col.int64(),
  float64: () => col.float64(),
  bool: () => col.bool(),
  timestamp: () => col.timestamp(),
  json: () => col.json(),
};

/**
 * The row schema of a named sink: the table `schemas/TABLES` names, or one built from the sink's own
 * columns (a stream view's sink), each column with its lake type.
 *
 * @example
 * ```ts
 * import { sinkTableSchema } from './sink-table-schema.ts';
 * sinkTableSchema({ columns: [{ name: 'n', lakeType: 'int64', nullable: true }] }).parse({ n: '7' }); // { n: 7 }
 * ```
 */
export function sinkTableSchema(schema: z.output<typeof sinkSchemaConfig>): z.ZodObject {
  if (typeof schema === 'string') return TABLES[schema];
  const shape: Record<string, z.ZodType> = {};
  for (const column of schema.columns) {
    const type = BUILDERS[column.lakeType]();
    shape[column.name] = column.nullable ? type.nullable() : type;
  }
  return z.object(shape);
}
