import { R2SQL_AGGREGATE_FUNCTIONS, R2SQL_WINDOW_FUNCTIONS } from './r2-sql-aggregate-functions.ts';
import { R2SQL_ARRAY_FUNCTIONS } from './r2-sql-array-functions.ts';
import type { R2SqlFunction } from './r2-sql-function.ts';
import { R2SQL_SCALAR_FUNCTIONS } from './r2-sql-scalar-functions.ts';

/**
 * Every function R2 SQL documents (scalar, complex-type, aggregate) plus the aggregates of the
 * 2026 changelog and the window functions R2 SQL's engine (DataFusion) provides.
 *
 * @example
 * ```ts
 * import { R2SQL_FUNCTION_LIST } from './r2-sql-function-list.ts';
 * R2SQL_FUNCTION_LIST.filter((f) => f.gap).map((f) => f.name); // the declared gaps
 * ```
 */
export const R2SQL_FUNCTION_LIST: readonly R2SqlFunction[] = [
  ...R2SQL_SCALAR_FUNCTIONS,
  ...R2SQL_ARRAY_FUNCTIONS,
  ...R2SQL_AGGREGATE_FUNCTIONS,
  ...R2SQL_WINDOW_FUNCTIONS,
];

const BY_NAME = new Map<string, R2SqlFunction>();
for (const f of R2SQL_FUNCTION_LIST) if (!BY_NAME.has(f.name)) BY_NAME.set(f.name, f);

/**
 * The function R2 SQL knows by this (case-folded) name, or undefined.
 *
 * @example
 * ```ts
 * import { lookupR2SqlFunction } from './r2-sql-function-list.ts';
 * lookupR2SqlFunction('IFNULL')?.aliasOf; // 'nvl'
 * lookupR2SqlFunction('read_csv'); // undefined
 * ```
 */
export function lookupR2SqlFunction(name: string): R2SqlFunction | undefined {
  return BY_NAME.get(name.toLowerCase());
}
