import {
  bind,
  type CallArgument,
  type FunctionRewrite,
  literalString,
  needs,
  quote,
  rename,
} from './function-rewrite.ts';
import { R2SQL_ARRAY_REWRITES } from './r2-sql-array-rewrites.ts';
import { R2SQL_SCALAR_REWRITES } from './r2-sql-scalar-rewrites.ts';

export type { CallArgument, FunctionRewrite } from './function-rewrite.ts';

const pointerSegment = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The JSON path of R2 SQL's variadic keys (`json_get_str(doc, 'a', 0, 'b')`) as a DuckDB JSON Pointer
 * (`'/a/0/b'`); string keys select object members, integer keys array elements. Keys that are not
 * literals become a pointer built at run time.
 */
function jsonPath(keys: CallArgument[]): CallArgument {
  if (keys.length === 0) return { text: `'$'`, tokens: [] };
  const literal = keys.every(
    (k) => k.tokens.length === 1 && (k.tokens[0]!.kind === 'string' || k.tokens[0]!.kind === 'number'),
  );
  if (literal) {
    const path = keys.map((k) => `/${pointerSegment(k.tokens[0]!.value)}`).join('');
    return {
      text: quote(path),
      tokens: [{ kind: 'string', text: quote(path), value: path, start: 0, end: 0 }],
    };
  }
  const parts = keys.map((k) => `'/' || replace(replace(CAST(${k.text} AS VARCHAR), '~', '~0'), '/', '~1')`);
  return { text: `(${parts.join(' || ')})`, tokens: keys.flatMap((k) => k.tokens) };
}

/** `json_get_*`: the value at the path when it has the JSON type asked for, else NULL. */
const jsonTyped = (name: string, types: string[], cast: string): FunctionRewrite =>
  needs(1, Infinity, name, ([doc, ...keys]) =>
    bind(
      [doc!, jsonPath(keys)],
      (d, path) =>
        `CASE WHEN json_type(${d}, ${path}) IN (${types.map(quote).join(', ')}) THEN TRY_CAST(json_extract_string(${d}, ${path}) AS ${cast}) END`,
    ),
  );

/** Capture groups of a literal regular expression (not `(?:`, not escaped). */
function captureGroups(pattern: string): number {
  let n = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '(' && pattern[i + 1] !== '?') n++;
  }
  return n;
}

/** `doc, ...keys` → a DuckDB expression over the document `d` and the path `p`, each evaluated once. */
const jsonAt = (name: string, min: number, body: (d: string, p: string) => string): FunctionRewrite =>
  needs(min, Infinity, name, ([doc, ...keys]) => bind([doc!, jsonPath(keys)], body));

/**
 * R2 SQL functions (DataFusion names and semantics) that DuckDB names or behaves differently, by
 * lower-case name. Functions both engines share (`bool_and`, `bool_or`, `date_trunc`, `date_part`,
 * `regexp_replace`, `starts_with`, `sha256`, …) pass through untouched. A rewrite that needs an
 * argument twice binds it once ({@link bind}), so nested calls never multiply the SQL.
 *
 * @example
 * ```ts
 * import { R2SQL_FUNCTIONS } from './r2-sql-functions.ts';
 * Object.keys(R2SQL_FUNCTIONS).includes('json_get_str'); // true
 * ```
 */
export const R2SQL_FUNCTIONS: Record<string, FunctionRewrite> = {
  json_get_str: jsonTyped('json_get_str', ['VARCHAR'], 'VARCHAR'),
  json_get_int: jsonTyped('json_get_int', ['BIGINT', 'UBIGINT'], 'BIGINT'),
  json_get_float: jsonTyped('json_get_float', ['DOUBLE', 'BIGINT', 'UBIGINT'], 'DOUBLE'),
  json_get_bool: jsonTyped('json_get_bool', ['BOOLEAN'], 'BOOLEAN'),
  json_get_json: jsonAt('json_get_json', 1, (d, p) => `CAST(json_extract(${d}, ${p}) AS VARCHAR)`),
  json_get_array: jsonAt(
    'json_get_array',
    1,
    (d, p) =>
      `CASE WHEN json_type(${d}, ${p}) = 'ARRAY' THEN CAST(CAST(json_extract(${d}, ${p}) AS JSON[]) AS VARCHAR[]) END`,
  ),
  json_get: jsonAt('json_get', 1, (d, p) => `json_extract(${d}, ${p})`),
  json_as_text: jsonAt('json_as_text', 1, (d, p) => `json_extract_string(${d}, ${p})`),
  json_contains: jsonAt('json_contains', 2, (d, p) => `json_exists(${d}, ${p})`),
  json_length: jsonAt(
    'json_length',
    1,
    (d, p) =>
      `CASE json_type(${d}, ${p}) WHEN 'ARRAY' THEN CAST(json_array_length(${d}, ${p}) AS BIGINT) WHEN 'OBJECT' THEN len(json_keys(${d}, ${p})) END`,
  ),

  approx_distinct: needs(1, 1, 'approx_distinct', rename('approx_count_distinct')),
  approx_median: needs(1, 1, 'approx_median', ([x]) => `approx_quantile(${x!.text}, CAST(0.5 AS FLOAT))`),
  approx_percentile_cont: needs(
    2,
    3,
    'approx_percentile_cont',
    ([x, p]) => `approx_quantile(${x!.text}, CAST(${p!.text} AS FLOAT))`,
  ),
  var: rename('var_samp'),
  covar: rename('covar_samp'),

  date_bin: needs(2, 3, 'date_bin', ([interval, ts, origin]) => {
    // DataFusion bins from the Unix epoch unless told otherwise; DuckDB's default origin is 2000-01-03.
    // A plain TIMESTAMP origin keeps a TIMESTAMP input plain and casts implicitly for TIMESTAMPTZ.
    const from = origin ? `CAST(${origin.text} AS TIMESTAMP)` : `TIMESTAMP '1970-01-01 00:00:00'`;
    return `time_bucket(${interval!.text}, ${ts!.text}, ${from})`;
  }),
  datepart: rename('date_part'),
  datetrunc: rename('date_trunc'),
  to_timestamp_micros: needs(
    1,
    1,
    'to_timestamp_micros',
    ([n]) => `make_timestamp(CAST(${n!.text} AS BIGINT))`,
  ),
  to_timestamp_millis: needs(
    1,
    1,
    'to_timestamp_millis',
    ([n]) => `make_timestamp(CAST(${n!.text} AS BIGINT) * 1000)`,
  ),
  to_timestamp_seconds: needs(
    1,
    1,
    'to_timestamp_seconds',
    ([n]) => `make_timestamp(CAST(${n!.text} AS BIGINT) * 1000000)`,
  ),
  to_timestamp_nanos: needs(
    1,
    1,
    'to_timestamp_nanos',
    ([n]) => `make_timestamp(CAST(${n!.text} AS BIGINT) // 1000)`,
  ),
  from_unixtime: needs(
    1,
    1,
    'from_unixtime',
    ([n]) => `make_timestamp(CAST(${n!.text} AS BIGINT) * 1000000)`,
  ),
  to_unixtime: needs(1, 1, 'to_unixtime', ([ts]) => `CAST(floor(epoch(${ts!.text})) AS BIGINT)`),
  to_char: needs(2, 2, 'to_char', rename('strftime')),
  date_format: needs(2, 2, 'date_format', rename('strftime')),
  to_date: needs(1, 2, 'to_date', ([s, f]) =>
    f ? `CAST(strptime(${s!.text}, ${f.text}) AS DATE)` : `CAST(${s!.text} AS DATE)`,
  ),
  to_time: needs(1, 2, 'to_time', ([s, f]) =>
    f ? `CAST(strptime(${s!.text}, ${f.text}) AS TIME)` : `CAST(${s!.text} AS TIME)`,
  ),
  to_local_time: needs(1, 1, 'to_local_time', ([ts]) => `CAST(${ts!.text} AS TIMESTAMP)`),
  to_timestamp: (args) =>
    args.length >= 2
      ? `strptime(${args[0]!.text}, ${args[1]!.text})`
      : literalString(args[0]) !== undefined
        ? `CAST(${args[0]!.text} AS TIMESTAMP)`
        : rename('to_timestamp')(args),
  now: needs(0, 0, 'now', () => NOW),
  current_timestamp: needs(0, 0, 'current_timestamp', () => NOW),
  current_time: needs(0, 0, 'current_time', () => `CAST(timezone('UTC', ${NOW}) AS TIME)`),

  regexp_like: needs(2, 3, 'regexp_like', rename('regexp_matches')),
  regexp_match: needs(2, 3, 'regexp_match', ([s, p]) => {
    const pattern = literalString(p);
    const groups = pattern === undefined ? 0 : captureGroups(pattern);
    return bind([s!, p!], (a, b) => {
      const parts =
        groups === 0
          ? [`regexp_extract(${a}, ${b}, 0)`]
          : Array.from({ length: groups }, (_, g) => `regexp_extract(${a}, ${b}, ${g + 1})`);
      return `CASE WHEN regexp_matches(${a}, ${b}) THEN [${parts.join(', ')}] END`;
    });
  }),
  regexp_count: needs(2, 2, 'regexp_count', ([s, p]) => `len(regexp_extract_all(${s!.text}, ${p!.text}))`),
  regexp_instr: needs(2, 2, 'regexp_instr', ([s, p]) =>
    bind(
      [s!, p!],
      (a, b) =>
        `CASE WHEN regexp_matches(${a}, ${b}) THEN length(string_split_regex(${a}, ${b})[1]) + 1 ELSE 0 END`,
    ),
  ),

  nvl: needs(2, 2, 'nvl', rename('coalesce')),
  nvl2: needs(
    3,
    3,
    'nvl2',
    ([a, b, c]) => `(CASE WHEN ${a!.text} IS NOT NULL THEN ${b!.text} ELSE ${c!.text} END)`,
  ),
  btrim: rename('trim'),
  signum: needs(1, 1, 'signum', ([x]) => `CAST(sign(${x!.text}) AS DOUBLE)`),
  iszero: needs(1, 1, 'iszero', ([x]) => `(${x!.text} = 0)`),
  nanvl: needs(2, 2, 'nanvl', ([a, b]) =>
    bind([a!], (x) => `CASE WHEN isnan(${x}) THEN ${b!.text} ELSE ${x} END`),
  ),
  octet_length: needs(1, 1, 'octet_length', rename('strlen')),
  ...R2SQL_SCALAR_REWRITES,
  ...R2SQL_ARRAY_REWRITES,
};

/** R2 SQL's now(): UTC, rounded down to 10 ms. */
const NOW = `time_bucket(INTERVAL '10 milliseconds', now())`;

/**
 * Aggregates that are window functions too: renamed only when no OVER follows the call.
 *
 * @example
 * ```ts
 * import { AGGREGATE_ONLY_RENAMES } from './r2-sql-functions.ts';
 * AGGREGATE_ONLY_RENAMES.first_value; // 'first': first_value(x ORDER BY y) → first(x ORDER BY y)
 * ```
 */
export const AGGREGATE_ONLY_RENAMES: Record<string, string> = { first_value: 'first', last_value: 'last' };

/**
 * Calls whose arguments are separated by keywords rather than commas, and those keywords.
 *
 * @example
 * ```ts
 * import { KEYWORD_ARGUMENTS } from './r2-sql-functions.ts';
 * KEYWORD_ARGUMENTS.overlay; // ['PLACING', 'FROM', 'FOR']
 * ```
 */
export const KEYWORD_ARGUMENTS: Record<string, string[]> = { overlay: ['PLACING', 'FROM', 'FOR'] };
