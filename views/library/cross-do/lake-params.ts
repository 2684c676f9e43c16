import { z } from 'zod';
import { type SqlFragment, sql } from '../../../sql/index.ts';

const BRANCH = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * A branch as a param: `main` (the default; stored as NULL in the lake) or a branch name.
 *
 * @example
 * ```ts
 * import { branchParam } from './lake-params.ts';
 * branchParam().parse(undefined); // 'main'
 * ```
 */
export function branchParam() {
  return z
    .string()
    .regex(BRANCH, 'expected main or a branch name (a-z, 0-9, _ and -, starting with a letter)')
    .default('main');
}

/**
 * The predicate selecting one branch's rows: `main` is `branch IS NULL`, as the Durable Object writes it.
 *
 * @example
 * ```ts
 * import { branchSql } from './lake-params.ts';
 * branchSql('main').text; // 'branch IS NULL'
 * branchSql('experiment').text; // "branch = 'experiment'"
 * ```
 */
export function branchSql(branch: string): SqlFragment {
  return branch === 'main' ? sql`branch IS NULL` : sql`branch = ${branch}`;
}

/**
 * An absolute URL as a param (a thing, a type, a namespace, an actor), at most 2048 characters.
 *
 * @example
 * ```ts
 * import { urlParam } from './lake-params.ts';
 * urlParam().safeParse('acme').success; // false
 * ```
 */
export function urlParam() {
  return z.string().max(2048).url();
}

/**
 * The conjunction of the given predicates (`TRUE` when there are none).
 *
 * @example
 * ```ts
 * import { sql } from '../../../sql/index.ts';
 * import { allOf } from './lake-params.ts';
 * allOf([sql`a = 1`, undefined, sql`b = 2`]).text; // 'a = 1 AND b = 2'
 * allOf([]).text; // 'TRUE'
 * ```
 */
export function allOf(predicates: readonly (SqlFragment | undefined | false)[]): SqlFragment {
  const kept = predicates.filter((p): p is SqlFragment => Boolean(p));
  return kept.length === 0 ? sql`TRUE` : sql.join(kept, ' AND ');
}

const ISO_MICROS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A lake timestamp as a param, kept to the microsecond (a keyset cursor must not lose digits): an ISO
 * 8601 instant with up to six fractional digits, or epoch microseconds. Parsed to epoch microseconds,
 * which `sql.timestamp` renders.
 *
 * @example
 * ```ts
 * import { microsParam } from './lake-params.ts';
 * microsParam().parse('2026-11-25T09:00:00.000001Z'); // 1795597200000001
 * ```
 */
export function microsParam() {
  return z
    .union([z.string().max(40), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)], {
      error: 'expected an ISO 8601 time with up to 6 fractional digits, or epoch microseconds',
    })
    .transform((value, ctx): number => {
      if (typeof value === 'number') return value;
      const match = ISO_MICROS.exec(value);
      const ms = match ? Date.parse(`${match[1]}${match[3]}`) : Number.NaN;
      if (!match || Number.isNaN(ms)) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected an ISO 8601 time such as 2026-11-25T09:00:00.000001Z',
        });
        return z.NEVER;
      }
      return ms * 1000 + Number((match[2] ?? '').padEnd(6, '0'));
    });
}
