import { z } from 'zod';
import { type ParsedRef, parseRef, parseRefTime } from '../../../schemas/parse-ref.ts';

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * A ref to a thing in the lake as a param: the thing's full URL with a selector, in the grammar the
 * Durable Object resolves (`https://startups.studio/acme`, `…/acme@v12`, `…/acme@~1`,
 * `…/acme@2024-01-08`, `…/acme@2024-01-08T12:00:00Z`, `…/acme@experiment`, `…/acme?v=12`). Parsed with
 * the same `parseRef`; a local ref (`acme@v12`) is refused, the lake holding every namespace.
 *
 * @example
 * ```ts
 * import { refParam } from './ref-params.ts';
 * refParam().parse('https://x.test/acme@~1').selector; // { kind: 'relative', back: 1 }
 * ```
 */
export function refParam() {
  return z
    .string()
    .max(2048)
    .transform((text, ctx): ParsedRef => {
      let parsed: ParsedRef;
      try {
        parsed = parseRef(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: reason(error) });
        return z.NEVER;
      }
      if (!parsed.absolute) {
        ctx.addIssue({
          code: 'custom',
          message: `ref "${text}" needs the thing's full URL (e.g. https://startups.studio/acme@v12)`,
        });
        return z.NEVER;
      }
      return parsed;
    });
}

/**
 * A point in time as a param, read as a ref's time is (epoch microseconds out): a date
 * (`2024-01-08`) is the end of that day UTC, an RFC 3339 date-time that instant; a number is epoch
 * microseconds.
 *
 * @example
 * ```ts
 * import { refTimeParam } from './ref-params.ts';
 * refTimeParam().parse('2024-01-08T00:00:00.000001Z'); // 1704672000000001
 * ```
 */
export function refTimeParam() {
  return z
    .union([z.string().max(40), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)], {
      error: 'expected a date (2024-01-08), an RFC 3339 date-time or epoch microseconds',
    })
    .transform((value, ctx): number => {
      if (typeof value === 'number') return value;
      try {
        return parseRefTime(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: reason(error) });
        return z.NEVER;
      }
    });
}
