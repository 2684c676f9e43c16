import { type SqlFragment, sql } from '../sql/index.ts';
import { type FieldType, fieldSql } from './field-path.ts';

/** The aggregates a rollup computes. */
export type MeasureKind =
  | 'sum'
  | 'count'
  | 'avg'
  | 'min'
  | 'max'
  | 'first'
  | 'last'
  | 'count_distinct'
  | 'approx_count_distinct';

/** One measure of a rollup: an aggregate over a field. */
export interface Measure {
  readonly kind: MeasureKind;
  /** The field it reads (`data.amount`, `actor`); none for `count()`. */
  readonly field?: string;
  /** How a JSON property is read. */
  readonly type: FieldType;
  /** The aggregate as SQL. */
  readonly sql: SqlFragment;
}

const measure = (kind: MeasureKind, field: string | undefined, type: FieldType, text: SqlFragment): Measure =>
  Object.freeze({ kind, ...(field === undefined ? {} : { field }), type, sql: text });

/**
 * The sum of a numeric field.
 *
 * @example
 * ```ts
 * import { sum } from './rollup-measures.ts';
 * sum('data.amount').sql.text; // 'sum(json_get_float("data", \'amount\'))'
 * ```
 */
export function sum(field: string): Measure {
  return measure('sum', field, 'number', sql`sum(${fieldSql(field, 'number')})`);
}

/**
 * The number of (deduplicated) events.
 *
 * @example
 * ```ts
 * import { count } from './rollup-measures.ts';
 * count().sql.text; // 'count(*)'
 * ```
 */
export function count(): Measure {
  return measure('count', undefined, 'integer', sql`count(*)`);
}

/**
 * The mean of a numeric field.
 *
 * @example
 * ```ts
 * import { avg } from './rollup-measures.ts';
 * avg('duration_ms').sql.text; // 'avg("duration_ms")'
 * ```
 */
export function avg(field: string): Measure {
  return measure('avg', field, 'number', sql`avg(${fieldSql(field, 'number')})`);
}

/**
 * The smallest value of a field (numeric unless `type` says otherwise).
 *
 * @example
 * ```ts
 * import { min } from './rollup-measures.ts';
 * min('data.amount').sql.text; // 'min(json_get_float("data", \'amount\'))'
 * ```
 */
export function min(field: string, type: FieldType = 'number'): Measure {
  return measure('min', field, type, sql`min(${fieldSql(field, type)})`);
}

/**
 * The largest value of a field (numeric unless `type` says otherwise).
 *
 * @example
 * ```ts
 * import { max } from './rollup-measures.ts';
 * max('ts').sql.text; // 'max("ts")'
 * ```
 */
export function max(field: string, type: FieldType = 'number'): Measure {
  return measure('max', field, type, sql`max(${fieldSql(field, type)})`);
}

/**
 * The field's value in the earliest event of the group (ties broken by event id, so every engine
 * agrees).
 *
 * @example
 * ```ts
 * import { first } from './rollup-measures.ts';
 * first('actor').sql.text; // 'first_value("actor" ORDER BY "ts", "id")'
 * ```
 */
export function first(field: string, type: FieldType = 'string'): Measure {
  return measure('first', field, type, sql`first_value(${fieldSql(field, type)} ORDER BY "ts", "id")`);
}

/**
 * The field's value in the latest event of the group (ties broken by event id).
 *
 * @example
 * ```ts
 * import { last } from './rollup-measures.ts';
 * last('ts').sql.text; // 'last_value("ts" ORDER BY "ts", "id")'
 * ```
 */
export function last(field: string, type: FieldType = 'string'): Measure {
  return measure('last', field, type, sql`last_value(${fieldSql(field, type)} ORDER BY "ts", "id")`);
}

/**
 * The number of distinct values of a field: exact, or with `{ approximate: true }` R2 SQL's
 * `approx_distinct` (HyperLogLog; cheaper over long windows, within a few percent).
 *
 * @example
 * ```ts
 * import { countDistinct } from './rollup-measures.ts';
 * countDistinct('actor').sql.text; // 'count(DISTINCT "actor")'
 * countDistinct('actor', { approximate: true }).sql.text; // 'approx_distinct("actor")'
 * ```
 */
export function countDistinct(field: string, options: { approximate?: boolean } = {}): Measure {
  const value = fieldSql(field, 'string');
  return options.approximate
    ? measure('approx_count_distinct', field, 'string', sql`approx_distinct(${value})`)
    : measure('count_distinct', field, 'string', sql`count(DISTINCT ${value})`);
}
