import { defineR2SqlFunctions, type R2SqlFunction } from './r2-sql-function.ts';

const M = "map(make_array('a', 'b'), make_array(1, 2))";

/**
 * R2 SQL's struct, array and map functions (`r2-sql/sql-reference/complex-types.mdx`), with an
 * example each and its checked result. Arrays are 1-based, as in R2 SQL.
 *
 * @example
 * ```ts
 * import { R2SQL_ARRAY_FUNCTIONS } from './r2-sql-array-functions.ts';
 * R2SQL_ARRAY_FUNCTIONS.find((f) => f.name === 'array_element')?.expected; // 20
 * ```
 */
export const R2SQL_ARRAY_FUNCTIONS: R2SqlFunction[] = [
  ...defineR2SqlFunctions('scalar', 'Array', 'complex-types', [
    ['make_array', 'List', 'make_array(1, 2, 3)', [1, 2, 3]],
    ['string_to_array', 'List', "string_to_array('a,b', ',')", ['a', 'b']],
    ['range', 'List', 'range(0, 5)', [0, 1, 2, 3, 4]],
    ['generate_series', 'List', 'generate_series(1, 3)', [1, 2, 3]],
    ['array_length', 'UInt64', 'array_length(make_array(1, 2, 3))', 3],
    ['cardinality', 'UInt64', 'cardinality(make_array(1, 2, 3))', 3],
    ['empty', 'Boolean', 'empty(make_array(1))', false],
    ['array_ndims', 'UInt64', 'array_ndims(make_array(make_array(1, 2)))', 2],
    [
      'array_dims',
      'List',
      null,
      undefined,
      {
        gap: 'the local engine cannot walk a list of unknown depth per dimension; use array_length on each level',
      },
    ],
    ['array_has', 'Boolean', 'array_has(make_array(1, 2), 2)', true],
    ['array_has_all', 'Boolean', 'array_has_all(make_array(1, 2, 3, 4), make_array(2, 3))', true],
    ['array_has_any', 'Boolean', 'array_has_any(make_array(1, 2, 3), make_array(3, 4, 5))', true],
    ['array_position', 'UInt64', "array_position(make_array('a', 'b', 'c', 'b'), 'b')", 2],
    ['array_positions', 'List', 'array_positions(make_array(1, 2, 1, 3, 1), 1)', [1, 3, 5]],
    ['array_sort', 'List', 'array_sort(make_array(3, 1, 2))', [1, 2, 3]],
    ['array_reverse', 'List', 'array_reverse(make_array(1, 2, 3))', [3, 2, 1]],
    [
      'array_distinct',
      'List',
      'array_distinct(make_array(1, 2, 2, 3, 3, 3))',
      [1, 2, 3],
      { check: 'array_sort($)' },
    ],
    ['flatten', 'List', 'flatten(make_array(make_array(1, 2), make_array(3, 4)))', [1, 2, 3, 4]],
    ['array_slice', 'List', 'array_slice(make_array(10, 20, 30, 40, 50), 2, 4)', [20, 30, 40]],
    ['array_append', 'List', 'array_append(make_array(1, 2, 3), 4)', [1, 2, 3, 4]],
    ['array_prepend', 'List', 'array_prepend(0, make_array(1, 2, 3))', [0, 1, 2, 3]],
    ['array_concat', 'List', 'array_concat(make_array(1, 2), make_array(3, 4))', [1, 2, 3, 4]],
    ['array_remove', 'List', 'array_remove(make_array(1, 2, 3, 2), 2)', [1, 3, 2]],
    ['array_remove_all', 'List', 'array_remove_all(make_array(1, 2, 3, 2, 2), 2)', [1, 3]],
    ['array_remove_n', 'List', 'array_remove_n(make_array(1, 2, 2, 2, 3), 2, 2)', [1, 2, 3]],
    ['array_replace', 'List', 'array_replace(make_array(1, 2, 3, 2), 2, 99)', [1, 99, 3, 2]],
    ['array_replace_n', 'List', 'array_replace_n(make_array(1, 2, 2, 2, 3), 2, 99, 2)', [1, 99, 99, 2, 3]],
    ['array_replace_all', 'List', 'array_replace_all(make_array(1, 2, 3, 2), 2, 99)', [1, 99, 3, 99]],
    ['array_pop_back', 'List', 'array_pop_back(make_array(1, 2, 3))', [1, 2]],
    ['array_pop_front', 'List', 'array_pop_front(make_array(1, 2, 3))', [2, 3]],
    ['array_repeat', 'List', "array_repeat('a', 3)", ['a', 'a', 'a']],
    ['array_resize', 'List', 'array_resize(make_array(1, 2), 5, 0)', [1, 2, 0, 0, 0]],
    [
      'array_intersect',
      'List',
      'array_intersect(make_array(1, 2, 3), make_array(2, 3, 4))',
      [2, 3],
      { check: 'array_sort($)' },
    ],
    [
      'array_union',
      'List',
      'array_union(make_array(1, 2, 3), make_array(3, 4, 5))',
      [1, 2, 3, 4, 5],
      { check: 'array_sort($)' },
    ],
    [
      'array_except',
      'List',
      'array_except(make_array(1, 2, 3, 4), make_array(2, 4))',
      [1, 3],
      { check: 'array_sort($)' },
    ],
    ['array_max', 'Int64', 'array_max(make_array(1, 5, 3))', 5],
    ['array_min', 'Int64', 'array_min(make_array(4, 1, 3))', 1],
    ['array_any_value', 'Int64', 'array_any_value(make_array(NULL, 42, NULL))', 42],
    ['array_to_string', 'Utf8', "array_to_string(make_array('a', 'b'), ', ')", 'a, b'],
    ['array_element', 'Int64', 'array_element(make_array(10, 20, 30), 2)', 20],
  ]),
  ...defineR2SqlFunctions('scalar', 'Map', 'complex-types', [
    ['map', 'Map', M, [2], { check: "map_extract($, 'b')" }],
    ['map_keys', 'List', `map_keys(${M})`, ['a', 'b']],
    ['map_values', 'List', `map_values(${M})`, [1, 2]],
    ['map_extract', 'List', `map_extract(${M}, 'b')`, [2]],
  ]),
];
