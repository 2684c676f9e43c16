import { bind, type FunctionRewrite, needs, rename } from './function-rewrite.ts';

/** The number of elements of `a` before index `i` (inclusive) equal to `v`. */
const seen = (a: string, v: string) => `len(list_filter(${a}[1:__i], lambda __f: __f = ${v}))`;

/**
 * R2 SQL's array functions (DataFusion names, 1-based) that DuckDB lacks or names differently.
 *
 * @example
 * ```ts
 * import { R2SQL_ARRAY_REWRITES } from './r2-sql-array-rewrites.ts';
 * typeof R2SQL_ARRAY_REWRITES.make_array; // 'function'
 * ```
 */
export const R2SQL_ARRAY_REWRITES: Record<string, FunctionRewrite> = {
  make_array: (args) => (args.length === 0 ? '[]' : `list_value(${args.map((a) => a.text).join(', ')})`),
  cardinality: needs(1, 1, 'cardinality', ([a]) => `CAST(len(${a!.text}) AS UBIGINT)`),
  empty: needs(1, 1, 'empty', ([a]) => `(len(${a!.text}) = 0)`),
  array_ndims: needs(1, 1, 'array_ndims', ([a]) =>
    bind(
      [a!],
      (x) => `CAST((length(typeof(${x})) - length(replace(typeof(${x}), '[]', ''))) // 2 AS UBIGINT)`,
    ),
  ),
  array_position: needs(
    2,
    3,
    'array_position',
    ([a, v]) => `coalesce(list_position(${a!.text}, ${v!.text}), 0)`,
  ),
  array_positions: needs(2, 2, 'array_positions', (args) =>
    bind(args, (a, v) => `list_filter(range(1, len(${a}) + 1), lambda __i: ${a}[__i] = ${v})`),
  ),
  array_concat: rename('list_concat'),
  array_remove: needs(2, 2, 'array_remove', (args) =>
    bind(args, (a, v) => `list_filter(${a}, lambda __e, __i: __i <> coalesce(list_position(${a}, ${v}), 0))`),
  ),
  array_remove_all: needs(2, 2, 'array_remove_all', ([a, v]) =>
    bind([v!], (x) => `list_filter(${a!.text}, lambda __e: __e IS DISTINCT FROM ${x})`),
  ),
  array_remove_n: needs(3, 3, 'array_remove_n', (args) =>
    bind(
      args,
      (a, v, n) =>
        `list_filter(${a}, lambda __e, __i: NOT coalesce(__e = ${v} AND ${seen(a, v)} <= ${n}, false))`,
    ),
  ),
  array_replace: needs(3, 3, 'array_replace', (args) =>
    bind(
      args,
      (a, from, to) =>
        `list_transform(${a}, lambda __e, __i: CASE WHEN __i = list_position(${a}, ${from}) THEN ${to} ELSE __e END)`,
    ),
  ),
  array_replace_n: needs(4, 4, 'array_replace_n', (args) =>
    bind(
      args,
      (a, from, to, n) =>
        `list_transform(${a}, lambda __e, __i: CASE WHEN __e = ${from} AND ${seen(a, from)} <= ${n} THEN ${to} ELSE __e END)`,
    ),
  ),
  array_replace_all: needs(3, 3, 'array_replace_all', ([a, from, to]) =>
    bind(
      [from!, to!],
      (f, t) => `list_transform(${a!.text}, lambda __e: CASE WHEN __e = ${f} THEN ${t} ELSE __e END)`,
    ),
  ),
  array_repeat: needs(2, 2, 'array_repeat', ([v, n]) =>
    bind([v!], (x) => `list_transform(range(${n!.text}), lambda __i: ${x})`),
  ),
  array_union: needs(2, 2, 'array_union', ([a, b]) => `list_distinct(list_concat(${a!.text}, ${b!.text}))`),
  array_except: needs(2, 2, 'array_except', ([a, b]) =>
    bind([b!], (x) => `list_distinct(list_filter(${a!.text}, lambda __e: NOT list_contains(${x}, __e)))`),
  ),
  array_max: needs(1, 1, 'array_max', rename('list_max')),
  array_min: needs(1, 1, 'array_min', rename('list_min')),
  array_any_value: needs(1, 1, 'array_any_value', rename('list_any_value')),
  array_element: needs(2, 2, 'array_element', rename('list_extract')),
};
