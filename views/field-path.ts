import { type SqlFragment, sql } from '../sql/index.ts';

/** How a field is read: a JSON property is extracted with R2 SQL's `json_get_*` of that type. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean';

const COLUMN = /^[a-z_][a-z0-9_]*$/;
const KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const JSON_GETTERS: Record<FieldType, SqlFragment> = {
  string: sql`json_get_str`,
  number: sql`json_get_float`,
  integer: sql`json_get_int`,
  boolean: sql`json_get_bool`,
};

/**
 * A field of a lake row as SQL: a column (`actor`, `ts`), or a property path inside a JSON column
 * (`data.customer`, `data.address.city`) read with R2 SQL's `json_get_str|float|int|bool`.
 *
 * @example
 * ```ts
 * import { fieldSql } from './field-path.ts';
 * fieldSql('data.amount', 'number').text; // 'json_get_float("data", \'amount\')'
 * fieldSql('actor').text; // '"actor"'
 * ```
 */
export function fieldSql(path: string, type: FieldType = 'string'): SqlFragment {
  const [column, ...keys] = path.split('.');
  if (!column || !COLUMN.test(column))
    throw new Error(`field "${path}": "${column}" is not a column name (snake_case)`);
  if (keys.length === 0) return sql.id(column);
  for (const key of keys) {
    if (!KEY.test(key)) throw new Error(`field "${path}": property "${key}" is not a plain name`);
  }
  return sql`${JSON_GETTERS[type]}(${sql.id(column)}, ${sql.join(keys)})`;
}

/**
 * The column name a field path answers under: its last part (`data.customer` → `customer`).
 *
 * @example
 * ```ts
 * import { fieldAlias } from './field-path.ts';
 * fieldAlias('data.address.city'); // 'city'
 * ```
 */
export function fieldAlias(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}
