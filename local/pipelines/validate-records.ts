import { z } from 'zod';

/** Why one record was rejected. */
export interface RecordProblem {
  index: number;
  field: string;
  message: string;
}

// The platform reads a field that is not `required` from a record that leaves it out as null, so a
// nullable column may be absent as well as null.
const lenient = new WeakMap<z.ZodObject, z.ZodObject>();
function lenientOf(schema: z.ZodObject): z.ZodObject {
  let found = lenient.get(schema);
  if (!found) {
    const shape = Object.fromEntries(
      Object.entries(schema.shape).map(([name, field]) => {
        const type = field as z.ZodType;
        return [name, type.safeParse(null).success ? type.optional() : type];
      }),
    );
    found = z.object(shape).strict();
    lenient.set(schema, found);
  }
  return found;
}

/**
 * Validates each record against a table schema and names every bad field as `records[i].field`. A
 * nullable column may be null or left out, as the platform's optional fields may.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { validateRecords } from './validate-records.ts';
 * validateRecords(eventRow, [{}])[0]; // { index: 0, field: 'schema_version', message: '...' }
 * ```
 */
export function validateRecords(schema: z.ZodObject, records: unknown[]): RecordProblem[] {
  const problems: RecordProblem[] = [];
  const strict = lenientOf(schema);
  records.forEach((record, index) => {
    const result = strict.safeParse(record);
    if (result.success) return;
    for (const issue of result.error.issues) {
      const path =
        issue.path.length > 0
          ? issue.path.join('.')
          : ((issue as { keys?: string[] }).keys?.join(',') ?? '(record)');
      problems.push({ index, field: path, message: issue.message });
    }
  });
  return problems;
}

/**
 * Sets every column a valid record left out to null, in place: the row as the platform stores it.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { fillAbsent } from './validate-records.ts';
 * fillAbsent(eventRow, [{ seq: 1 }])[0].data; // null
 * ```
 */
export function fillAbsent(
  schema: z.ZodObject,
  records: Record<string, unknown>[],
): Record<string, unknown>[] {
  const columns = Object.keys(schema.shape);
  for (const record of records)
    for (const column of columns) if (record[column] === undefined) record[column] = null;
  return records;
}
