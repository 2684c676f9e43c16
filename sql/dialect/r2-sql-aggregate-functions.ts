import { defineR2SqlFunctions, type R2SqlFunction } from './r2-sql-function.ts';

const BETWEEN_2_AND_3 = {
  check: '$ BETWEEN 2 AND 3',
  note: 'approximate: checked to lie between the 2nd and 3rd value',
};

/**
 * R2 SQL's aggregate functions (`r2-sql/sql-reference/aggregate-functions.mdx`, and the exact
 * aggregates the 2026-06 changelog added), each with an example over `R2SQL_SAMPLE_TABLE`.
 *
 * @example
 * ```ts
 * import { R2SQL_AGGREGATE_FUNCTIONS } from './r2-sql-aggregate-functions.ts';
 * R2SQL_AGGREGATE_FUNCTIONS.find((f) => f.name === 'approx_distinct')?.example; // 'approx_distinct(s)'
 * ```
 */
export const R2SQL_AGGREGATE_FUNCTIONS: R2SqlFunction[] = [
  ...defineR2SqlFunctions('aggregate', 'Basic', 'aggregate-functions', [
    ['count', 'Int64', 'count(*)', 4],
    ['sum', 'Int64', 'sum(x)', 10],
    ['avg', 'Float64', 'avg(x)', 2.5, { aliases: ['mean'] }],
    ['min', 'Int64', 'min(x)', 1],
    ['max', 'Int64', 'max(x)', 4],
  ]),
  ...defineR2SqlFunctions('aggregate', 'Approximate', 'aggregate-functions', [
    ['approx_percentile_cont', 'Int64', 'approx_percentile_cont(x, 0.5)', true, BETWEEN_2_AND_3],
    [
      'approx_percentile_cont_with_weight',
      'Int64',
      null,
      undefined,
      { gap: 'DuckDB has no weighted quantile; use approx_percentile_cont(x, p)' },
    ],
    ['approx_median', 'Int64', 'approx_median(x)', true, BETWEEN_2_AND_3],
    ['approx_distinct', 'UInt64', 'approx_distinct(s)', 3],
    [
      'approx_top_k',
      'List',
      null,
      undefined,
      { gap: "R2 SQL answers values with their counts; DuckDB's approx_top_k returns the values only" },
    ],
  ]),
  ...defineR2SqlFunctions('aggregate', 'Statistical', 'aggregate-functions', [
    ['var', 'Float64', 'var(x)', 5 / 3, { aliases: ['var_samp'] }],
    ['var_pop', 'Float64', 'var_pop(x)', 1.25],
    ['stddev', 'Float64', 'stddev(x)', Math.sqrt(5 / 3), { aliases: ['stddev_samp'] }],
    ['stddev_pop', 'Float64', 'stddev_pop(x)', Math.sqrt(1.25)],
    ['covar_samp', 'Float64', 'covar_samp(x, y)', 10 / 3, { aliases: ['covar'] }],
    ['covar_pop', 'Float64', 'covar_pop(x, y)', 2.5],
    ['corr', 'Float64', 'corr(x, y)', 1, { check: 'round($, 9)' }],
    ['regr_slope', 'Float64', 'regr_slope(y, x)', 2],
    ['regr_intercept', 'Float64', 'regr_intercept(y, x)', 0],
    ['regr_count', 'UInt64', 'regr_count(y, x)', 4],
    ['regr_r2', 'Float64', 'regr_r2(y, x)', 1, { check: 'round($, 9)' }],
    ['regr_avgx', 'Float64', 'regr_avgx(y, x)', 2.5],
    ['regr_avgy', 'Float64', 'regr_avgy(y, x)', 5],
    ['regr_sxx', 'Float64', 'regr_sxx(y, x)', 5],
    ['regr_syy', 'Float64', 'regr_syy(y, x)', 20],
    ['regr_sxy', 'Float64', 'regr_sxy(y, x)', 10],
  ]),
  ...defineR2SqlFunctions('aggregate', 'Bitwise', 'aggregate-functions', [
    ['bit_and', 'Int64', 'bit_and(x)', 0],
    ['bit_or', 'Int64', 'bit_or(x)', 7],
    ['bit_xor', 'Int64', 'bit_xor(x)', 4],
  ]),
  ...defineR2SqlFunctions('aggregate', 'Boolean', 'aggregate-functions', [
    ['bool_and', 'Boolean', 'bool_and(b)', false],
    ['bool_or', 'Boolean', 'bool_or(b)', true],
  ]),
  ...defineR2SqlFunctions('aggregate', 'Positional', 'aggregate-functions', [
    ['first_value', 'Utf8', 'first_value(s ORDER BY x)', 'a', { note: 'also a window function' }],
    ['last_value', 'Utf8', 'last_value(s ORDER BY x)', 'c', { note: 'also a window function' }],
  ]),
  ...defineR2SqlFunctions('aggregate', 'Exact (2026-06 changelog)', 'changelog', [
    [
      'median',
      'Float64',
      'median(y)',
      5,
      { note: 'R2 SQL keeps an integer input type (Int64); locally DOUBLE, the same value when exact' },
    ],
    ['percentile_cont', 'Float64', 'percentile_cont(0.5) WITHIN GROUP (ORDER BY y)', 5],
    ['array_agg', 'List', 'array_agg(x ORDER BY x DESC)', [4, 3, 2, 1]],
    ['string_agg', 'Utf8', "string_agg(s, ',' ORDER BY x)", 'a,b,b,c'],
    [
      'grouping',
      'Int32',
      null,
      undefined,
      { note: 'with GROUPING SETS, ROLLUP and CUBE (tested in the conformance probes)' },
    ],
  ]),
];

/**
 * Window functions of R2 SQL's engine (DataFusion), each with an example over
 * `R2SQL_SAMPLE_TABLE`; `expected` lists the values in `x` order.
 *
 * @example
 * ```ts
 * import { R2SQL_WINDOW_FUNCTIONS } from './r2-sql-aggregate-functions.ts';
 * R2SQL_WINDOW_FUNCTIONS.map((f) => f.name).includes('row_number'); // true
 * ```
 */
export const R2SQL_WINDOW_FUNCTIONS: R2SqlFunction[] = defineR2SqlFunctions(
  'window',
  'Window',
  'datafusion',
  [
    ['row_number', 'UInt64', 'row_number() OVER (ORDER BY x)', [1, 2, 3, 4]],
    ['rank', 'UInt64', 'rank() OVER (ORDER BY s)', [1, 2, 2, 4]],
    ['dense_rank', 'UInt64', 'dense_rank() OVER (ORDER BY s)', [1, 2, 2, 3]],
    ['percent_rank', 'Float64', 'percent_rank() OVER (ORDER BY x)', [0, 1 / 3, 2 / 3, 1]],
    ['cume_dist', 'Float64', 'cume_dist() OVER (ORDER BY x)', [0.25, 0.5, 0.75, 1]],
    ['ntile', 'UInt64', 'ntile(2) OVER (ORDER BY x)', [1, 1, 2, 2]],
    ['lag', 'Int64', 'lag(x) OVER (ORDER BY x)', [null, 1, 2, 3]],
    ['lead', 'Int64', 'lead(x) OVER (ORDER BY x)', [2, 3, 4, null]],
    ['nth_value', 'Int64', 'nth_value(x, 2) OVER (ORDER BY x)', [null, 2, 2, 2]],
  ],
);
