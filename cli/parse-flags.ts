import { parseArgs } from 'node:util';
import { z } from 'zod';

/** A CLI usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function innerOf(field: z.ZodType): z.ZodType {
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  return inner;
}
const isBooleanFlag = (field: z.ZodType): boolean => innerOf(field) instanceof z.ZodBoolean;
/** An array field is a flag that may repeat: `--ns a --ns b`. */
const isRepeatedFlag = (field: z.ZodType): boolean => innerOf(field) instanceof z.ZodArray;

/**
 * Parses `--flag value` arguments and validates them with a zod object whose keys are the flags
 * (camelCase keys are spelled kebab-case on the command line). Every problem names its flag.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { parseFlags } from './parse-flags.ts';
 * const flags = parseFlags(['--port', '8788'], z.object({ port: z.coerce.number().int() }));
 * flags.port; // 8788
 * ```
 */
export function parseFlags<T extends z.ZodObject>(argv: string[], schema: T): z.output<T> {
  const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    options[kebab(key)] = {
      type: isBooleanFlag(field as z.ZodType) ? 'boolean' : 'string',
      ...(isRepeatedFlag(field as z.ZodType) ? { multiple: true } : {}),
    };
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (cause) {
    throw new UsageError((cause as Error).message);
  }
  const byKey: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape))
    if (values[kebab(key)] !== undefined) byKey[key] = values[kebab(key)];
  const parsed = schema.safeParse(byKey);
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues
        .map((issue) => `--${kebab(String(issue.path[0] ?? ''))}: ${issue.message}`)
        .join('\n'),
    );
  }
  return parsed.data;
}
