import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { isSymbol, type SqlStructure } from '../sql-structure.ts';

/**
 * The bounds on a query, comparable to R2 SQL's own (its statements are ~100 KB at most): larger or
 * deeper queries are refused with 40004 naming the limit, before any work proportional to them.
 *
 * @example
 * ```ts
 * import { R2SQL_LIMITS } from './check-r2-sql.ts';
 * R2SQL_LIMITS.maxQueryBytes; // 102400
 * ```
 */
export const R2SQL_LIMITS = { maxQueryBytes: 102_400, maxNestingDepth: 64 } as const;

/**
 * A 40004 when the query is over {@link R2SQL_LIMITS}.maxQueryBytes (in UTF-8), or null. Runs before
 * tokenizing, so an oversized query costs one pass over its characters.
 *
 * @example
 * ```ts
 * import { checkQuerySize } from './r2-sql-limits.ts';
 * checkQuerySize('x'.repeat(200_000))?.construct; // 'query size'
 * ```
 */
export function checkQuerySize(sql: string): SqlProblem | null {
  const bytes = utf8Length(sql);
  if (bytes <= R2SQL_LIMITS.maxQueryBytes) return null;
  return createSqlProblem(
    sql,
    0,
    R2SQL_ERROR_CODES.unsupported,
    `the query is ${bytes} bytes; the limit is ${R2SQL_LIMITS.maxQueryBytes} bytes (maxQueryBytes)`,
    'query size',
  );
}

/**
 * A 40004 at the first `(` that opens a level past {@link R2SQL_LIMITS}.maxNestingDepth, or null.
 *
 * @example
 * ```ts
 * import { tokenizeSql } from '../tokenize-sql.ts';
 * import { structureOf } from '../sql-structure.ts';
 * import { checkNestingDepth } from './r2-sql-limits.ts';
 * const sql = `SELECT ${'('.repeat(65)}1${')'.repeat(65)}`;
 * checkNestingDepth(sql, structureOf(sql, tokenizeSql(sql) as never) as never)?.construct; // 'nesting depth'
 * ```
 */
export function checkNestingDepth(sql: string, { tokens, depth }: SqlStructure): SqlProblem | null {
  const deepest = depth.findIndex((d, i) => d >= R2SQL_LIMITS.maxNestingDepth && isSymbol(tokens[i], '('));
  if (deepest === -1) return null;
  return createSqlProblem(
    sql,
    tokens[deepest]!.start,
    R2SQL_ERROR_CODES.unsupported,
    `the query nests parentheses more than ${R2SQL_LIMITS.maxNestingDepth} levels deep (maxNestingDepth): flatten it, for example with a CTE`,
    'nesting depth',
  );
}

/** The length of `text` in UTF-8 bytes (lone surrogates count as the 3 bytes of U+FFFD). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (
      c >= 0xd800 &&
      c < 0xdc00 &&
      i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
