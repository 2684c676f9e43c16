import type { z } from 'zod';

/** Why one record was rejected. */
export interface RecordProblem {
  index: number;
  field: string;
  message: string;
}

/**
 * Validates each record against a table schema and names every bad field as `records[i].field`.
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
  const strict = schema.strict();
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
