import { z } from 'zod';
import { type SqlFragment, sql } from '../../../sql/index.ts';
import { fieldSql } from '../../field-path.ts';

/** The comparisons a property predicate takes. */
export const PREDICATE_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;
/** At most this many predicates per query. */
export const MAX_PREDICATES = 8;

/** The comparisons a property predicate takes, one of {@link PREDICATE_OPS}. */
export type PredicateOp = (typeof PREDICATE_OPS)[number];

/**
 * A JSON property path inside a thing's `data`: `data.` then up to 8 plain keys (`data.stage`,
 * `data.address.city`).
 *
 * @example
 * ```ts
 * import { DATA_PATH } from './property-predicates.ts';
 * DATA_PATH.test('data.address.city'); // true
 * DATA_PATH.test("data.a') OR 1=1 --"); // false
 * ```
 */
export const DATA_PATH = /^data(\.[A-Za-z_$][A-Za-z0-9_$-]*){1,8}$/;
const PATH = new RegExp(`${DATA_PATH.source}|^name$`);
const COMPARE: Record<Exclude<PredicateOp, 'contains'>, string> = {
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
 * A property compared with a value, as SQL over a things row: the property is read with the
 * `json_get_*` of the value's type (a number as a JSON number, a boolean as a JSON boolean, a string as
 * a JSON string), so an absent property or one of another JSON type is NULL and matches no op (`ne`
 * included); `contains` matches a substring. The one place both the cross-DO and the search
 * predicates become SQL.
 *
 * @example
 * ```ts
 * import { propertyComparisonSql } from './property-predicates.ts';
 * propertyComparisonSql('data.open', 'ne', true).text; // "json_get_bool(\"data\", 'open') <> TRUE"
 * propertyComparisonSql('name', 'contains', 'cme').text; // "strpos(\"name\", 'cme') > 0"
 * ```
 */
export function propertyComparisonSql(
  path: string,
  op: PredicateOp,
  value: string | number | boolean,
): SqlFragment {
  const type = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
  const field = fieldSql(path, type);
  if (op === 'contains') return sql`strpos(${field}, ${value}) > 0`;
  return sql`${field} ${sql.raw(COMPARE[op])} ${value}`;
}

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
  return propertyComparisonSql(p.path, p.op, p.value);
}
