import { z } from 'zod';
import type { SqlFragment } from '../../../sql/index.ts';
import { DATA_PATH, propertyComparisonSql } from '../cross-do/property-predicates.ts';
import { isSqlText } from './text-param.ts';

/**
 * A property path param: `data.` then up to 8 plain property names.
 *
 * @example
 * ```ts
 * import { propertyPathParam } from './property-predicates.ts';
 * propertyPathParam().safeParse("data.a') OR 1=1 --").success; // false
 * ```
 */
export function propertyPathParam() {
  return z
    .string()
    .max(256)
    .regex(DATA_PATH, 'expected a property path like data.stage or data.address.city');
}

const ORDERED = ['lt', 'lte', 'gt', 'gte'] as const;

/**
 * A property predicate param: `{ field: 'data.stage', op: 'eq', value: 'seed' }`. The value's JSON
 * type picks how the property is read (a string, number or boolean property; any other type never
 * matches); `lt`/`lte`/`gt`/`gte` take a number.
 *
 * @example
 * ```ts
 * import { propertyPredicateParam } from './property-predicates.ts';
 * propertyPredicateParam().safeParse({ field: 'data.stage', op: 'gt', value: 'seed' }).success; // false
 * ```
 */
export function propertyPredicateParam() {
  return z
    .strictObject({
      field: propertyPathParam(),
      op: z.enum(['eq', 'ne', ...ORDERED]).default('eq'),
      value: z.union([
        z.string().max(1000).refine(isSqlText, 'must not hold a NUL character or a lone surrogate'),
        z.number(),
        z.boolean(),
      ]),
    })
    .superRefine((p, ctx) => {
      if ((ORDERED as readonly string[]).includes(p.op) && typeof p.value !== 'number')
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `op ${p.op} compares numbers: expected a number`,
        });
    });
}

/** A parsed property predicate. */
export type PropertyPredicate = z.output<ReturnType<typeof propertyPredicateParam>>;

/**
 * A predicate as SQL over the `data` column: a missing property, or one of another JSON type, is NULL
 * and so matches no op (`ne` included).
 *
 * @example
 * ```ts
 * import { predicateSql } from './property-predicates.ts';
 * predicateSql({ field: 'data.stage', op: 'eq', value: 'seed' }).text; // 'json_get_str("data", \'stage\') = \'seed\''
 * ```
 */
export function predicateSql(p: PropertyPredicate): SqlFragment {
  return propertyComparisonSql(p.field, p.op, p.value);
}
