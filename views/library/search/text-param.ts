import { z } from 'zod';

// biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL is exactly what this refuses
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether text can be a SQL string literal: no NUL character and no lone surrogate (the `sql`
 * template refuses both).
 *
 * @example
 * ```ts
 * import { isSqlText } from './text-param.ts';
 * isSqlText('50%_off'); // true
 * isSqlText('a\u0000b'); // false
 * ```
 */
export function isSqlText(text: string): boolean {
  return !UNSAFE.test(text);
}

/**
 * A text param of 1 to `max` characters that can be a SQL string literal, refused as the param
 * otherwise (not later, when the SQL is rendered).
 *
 * @example
 * ```ts
 * import { textParam } from './text-param.ts';
 * textParam(10).safeParse('a\u0000').success; // false
 * ```
 */
export function textParam(max: number) {
  return z.string().min(1).max(max).refine(isSqlText, 'must not hold a NUL character or a lone surrogate');
}

/**
 * A URL param (a type, a namespace) that can be a SQL string literal.
 *
 * @example
 * ```ts
 * import { urlParam } from './text-param.ts';
 * urlParam().safeParse('https://x.test/\u0000').success; // false
 * ```
 */
export function urlParam() {
  return z.url().max(2048).refine(isSqlText, 'must not hold a NUL character or a lone surrogate');
}
