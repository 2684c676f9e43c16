import { z } from 'zod';
import { type SqlFragment, sql } from '../../../sql/index.ts';
import { fieldSql } from '../../field-path.ts';

/** The comparisons a property predicate takes. */
export const PREDICATE_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;
/** At most this many predicates per query. */
export const MAX_PREDICATES = 8;

const PATH = /^(data(\.[A-Za-z_$][A-Za-z0-9_$-]*){1,8}|name)$/;
const COMPARE: Record<Exclude<(typeof PREDICATE_OPS)[number], 'contains'>, string> = {
  eq: '=',
  ne: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

/**
 * One property predicate as a param: a path (`data.stage`, `data.address.city`, or `name`), an op and a
 * value. A number compares with the property as a JSON number, a string with it as a JSON string, a
 * boolean (eq / ne only) with it as a JSON boolean; `contains` takes a string and matches a substring.
 * A property that is absent or of another JSON type matches no predicate (SQL's NULL).
 *
 * @example
 * ```ts
 * import { predicateParam } from './property-predicates.ts';
 * predicateParam.safeParse({ path: 'data.stage', op: 'eq', value: 'seed' }).success; // true
 * predicateParam.safeParse({ path: "data.x'--", op: 'eq', value: 1 }).success; // false
 * ```
 */
export const predicateParam = z
  .strictObject({
    path: z
      .string()
      .max(200)
      .regex(PATH, 'expected name or data.<key>[.<key>…] (plain keys, at most 8 deep)'),
    op: z.enum(PREDICATE_OPS),
    value: z.union([z.string().max(1000), z.number().finite(), z.boolean()]),
  })
  .superRefine((p, ctx) => {
    if (p.op === 'contains' && typeof p.value !== 'string')
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'contains takes a string' });
    if (typeof p.value === 'boolean' && p.op !== 'eq' && p.op !== 'ne')
      ctx.addIssue({ code: 'custom', path: ['op'], message: 'a boolean compares with eq or ne only' });
    if (p.path === 'name' && typeof p.value !== 'string')
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'name compares with a string' });
  });

/** One property predicate. */
export type PropertyPredicate = z.output<typeof predicateParam>;

/**
 * The list of predicates as a param: at most {@link MAX_PREDICATES}, all of which must hold.
 *
 * @example
 * ```ts
 * import { predicatesParam } from './property-predicates.ts';
 * predicatesParam.parse(undefined); // []
 * ```
 */
export const predicatesParam = z.array(predicateParam).max(MAX_PREDICATES).default([]);

/**
 * A predicate as SQL over a things row, the property read with the `json_get_*` of its value's type.
 *
 * @example
 * ```ts
 * import { predicateSql } from './property-predicates.ts';
 * predicateSql({ path: 'data.stage', op: 'eq', value: 'seed' }).text; // "json_get_str(\"data\", 'stage') = 'seed'"
 * predicateSql({ path: 'data.raised', op: 'gte', value: 5 }).text; // "json_get_float(\"data\", 'raised') >= 5"
 * ```
 */
export function predicateSql(p: PropertyPredicate): SqlFragment {
  const type = typeof p.value === 'number' ? 'number' : typeof p.value === 'boolean' ? 'boolean' : 'string';
  const field = fieldSql(p.path, type);
  if (p.op === 'contains') return sql`strpos(${field}, ${p.value}) > 0`;
  return sql`${field} ${sql.raw(COMPARE[p.op])} ${p.value}`;
}
