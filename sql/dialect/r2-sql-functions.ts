import type { SqlToken } from '../tokenize-sql.ts';

/** One argument of a call: its translated text and its original tokens. */
export interface CallArgument {
  text: string;
  tokens: SqlToken[];
}

/** Rewrites one R2 SQL call into DuckDB SQL; returns a string, or an error message (40004). */
export type FunctionRewrite = (args: CallArgument[]) => string | { error: string };

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const pointerSegment = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The JSON path of R2 SQL's variadic keys (`json_get_str(doc, 'a', 0, 'b')`) as a DuckDB JSON Pointer
 * (`'/a/0/b'`); string keys select object members, integer keys array elements. Keys that are not
 * literals become a pointer built at run time.
 */
function jsonPath(keys: CallArgument[]): string {
  if (keys.length === 0) return `'$'`;
  const literal = keys.every(
    (k) => k.tokens.length === 1 && (k.tokens[0]!.kind === 'string' || k.tokens[0]!.kind === 'number'),
  );
  if (literal) return quote(keys.map((k) => `/${pointerSegment(k.tokens[0]!.value)}`).join(''));
  const parts = keys.map((k) => `'/' || replace(replace(CAST(${k.text} AS VARCHAR), '~', '~0'), '/', '~1')`);
  return `(${parts.join(' || ')})`;
}

const needs =
  (min: number, max: number, name: string, rewrite: FunctionRewrite): FunctionRewrite =>
  (args) =>
    args.length < min || args.length > max
      ? {
          error: `${name}() takes ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} arguments, got ${args.length}`,
        }
      : rewrite(args);

/** `json_get_*`: the value at the path when it has the JSON type asked for, else NULL. */
const jsonTyped = (name: string, types: string[], cast: string): FunctionRewrite =>
  needs(1, Infinity, name, ([doc, ...keys]) => {
    const path = jsonPath(keys);
    const d = doc!.text;
    return `(CASE WHEN json_type(${d}, ${path}) IN (${types.map(quote).join(', ')}) THEN TRY_CAST(json_extract_string(${d}, ${path}) AS ${cast}) END)`;
  });

const rename =
  (to: string): FunctionRewrite =>
  (args) =>
    `${to}(${args.map((a) => a.text).join(', ')})`;

/** Capture groups of a literal regular expression (not `(?:`, not escaped). */
function captureGroups(pattern: string): number {
  let n = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '(' && pattern[i + 1] !== '?') n++;
  }
  return n;
}

/**
 * R2 SQL functions (DataFusion names and semantics) that DuckDB names or behaves differently, by
 * lower-case name. Functions both engines share (`bool_and`, `bool_or`, `date_trunc`, `date_part`,
 * `regexp_replace`, `starts_with`, `sha256`, …) pass through untouched.
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
  json_get_json: needs(
    1,
    Infinity,
    'json_get_json',
    ([doc, ...keys]) => `CAST(json_extract(${doc!.text}, ${jsonPath(keys)}) AS VARCHAR)`,
  ),
  json_get_array: needs(1, Infinity, 'json_get_array', ([doc, ...keys]) => {
    const path = jsonPath(keys);
    return `(CASE WHEN json_type(${doc!.text}, ${path}) = 'ARRAY' THEN CAST(CAST(json_extract(${doc!.text}, ${path}) AS JSON[]) AS VARCHAR[]) END)`;
  }),
  json_get: needs(
    1,
    Infinity,
    'json_get',
    ([doc, ...keys]) => `json_extract(${doc!.text}, ${jsonPath(keys)})`,
  ),
  json_as_text: needs(
    1,
    Infinity,
    'json_as_text',
    ([doc, ...keys]) => `json_extract_string(${doc!.text}, ${jsonPath(keys)})`,
  ),
  json_contains: needs(
    2,
    Infinity,
    'json_contains',
    ([doc, ...keys]) => `json_exists(${doc!.text}, ${jsonPath(keys)})`,
  ),
  json_length: needs(1, Infinity, 'json_length', ([doc, ...keys]) => {
    const path = jsonPath(keys);
    const d = doc!.text;
    return `(CASE json_type(${d}, ${path}) WHEN 'ARRAY' THEN CAST(json_array_length(${d}, ${path}) AS BIGINT) WHEN 'OBJECT' THEN len(json_keys(${d}, ${path})) END)`;
  }),

  approx_distinct: needs(1, 1, 'approx_distinct', rename('approx_count_distinct')),
  approx_median: needs(1, 1, 'approx_median', ([x]) => `approx_quantile(${x!.text}, 0.5)`),
  approx_percentile_cont: needs(
    2,
    3,
    'approx_percentile_cont',
    ([x, p]) => `approx_quantile(${x!.text}, ${p!.text})`,
  ),
  var: rename('var_samp'),
  covar: rename('covar_samp'),

  date_bin: needs(2, 3, 'date_bin', ([interval, ts, origin]) => {
    // DataFusion bins from the Unix epoch unless told otherwise; DuckDB's default origin is 2000-01-03.
    const from = origin ? `CAST(${origin.text} AS TIMESTAMPTZ)` : `TIMESTAMPTZ '1970-01-01 00:00:00+00'`;
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
  to_timestamp: (args) =>
    args.length >= 2
      ? `strptime(${args[0]!.text}, ${args[1]!.text})`
      : args[0]?.tokens.length === 1 && args[0].tokens[0]!.kind === 'string'
        ? `CAST(${args[0].text} AS TIMESTAMPTZ)`
        : rename('to_timestamp')(args),
  now: needs(0, 0, 'now', () => `time_bucket(INTERVAL '10 milliseconds', now())`),

  regexp_like: needs(2, 3, 'regexp_like', rename('regexp_matches')),
  regexp_match: needs(2, 3, 'regexp_match', ([s, p]) => {
    const literal = p!.tokens.length === 1 && p!.tokens[0]!.kind === 'string';
    const groups = literal ? captureGroups(p!.tokens[0]!.value) : 0;
    const parts =
      groups === 0
        ? [`regexp_extract(${s!.text}, ${p!.text}, 0)`]
        : Array.from({ length: groups }, (_, g) => `regexp_extract(${s!.text}, ${p!.text}, ${g + 1})`);
    return `(CASE WHEN regexp_matches(${s!.text}, ${p!.text}) THEN [${parts.join(', ')}] END)`;
  }),
  regexp_count: needs(2, 2, 'regexp_count', ([s, p]) => `len(regexp_extract_all(${s!.text}, ${p!.text}))`),

  nvl: needs(2, 2, 'nvl', rename('coalesce')),
  nvl2: needs(
    3,
    3,
    'nvl2',
    ([a, b, c]) => `(CASE WHEN ${a!.text} IS NOT NULL THEN ${b!.text} ELSE ${c!.text} END)`,
  ),
  btrim: rename('trim'),
  signum: needs(1, 1, 'signum', rename('sign')),
  iszero: needs(1, 1, 'iszero', ([x]) => `(${x!.text} = 0)`),
  nanvl: needs(
    2,
    2,
    'nanvl',
    ([a, b]) => `(CASE WHEN isnan(${a!.text}) THEN ${b!.text} ELSE ${a!.text} END)`,
  ),
  octet_length: needs(1, 1, 'octet_length', rename('strlen')),
  arrow_typeof: needs(1, 1, 'arrow_typeof', rename('typeof')),
};

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
