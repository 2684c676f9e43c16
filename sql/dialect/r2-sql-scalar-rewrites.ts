import { bind, type FunctionRewrite, literalString, needs, quote, quoteId } from './function-rewrite.ts';

/** Arrow type names (arrow_cast's second argument) and the DuckDB type each becomes. */
const ARROW_TYPES: Record<string, string> = {
  Int8: 'TINYINT',
  Int16: 'SMALLINT',
  Int32: 'INTEGER',
  Int64: 'BIGINT',
  UInt8: 'UTINYINT',
  UInt16: 'USMALLINT',
  UInt32: 'UINTEGER',
  UInt64: 'UBIGINT',
  Float32: 'FLOAT',
  Float64: 'DOUBLE',
  Utf8: 'VARCHAR',
  LargeUtf8: 'VARCHAR',
  Utf8View: 'VARCHAR',
  Boolean: 'BOOLEAN',
  Date32: 'DATE',
  Binary: 'BLOB',
  LargeBinary: 'BLOB',
  'Timestamp(Microsecond, None)': 'TIMESTAMP',
  'Timestamp(Nanosecond, None)': 'TIMESTAMP_NS',
  'Timestamp(Millisecond, None)': 'TIMESTAMP_MS',
  'Timestamp(Second, None)': 'TIMESTAMP_S',
  'Timestamp(Microsecond, Some("UTC"))': 'TIMESTAMPTZ',
  'Timestamp(Nanosecond, Some("UTC"))': 'TIMESTAMPTZ',
};

/** DuckDB's type names as Arrow names (what arrow_typeof answers on R2 SQL). */
const DUCKDB_TO_ARROW: [string, string][] = [
  ...Object.entries(ARROW_TYPES)
    .filter(
      ([arrow]) =>
        !['LargeUtf8', 'Utf8View', 'LargeBinary', 'Timestamp(Nanosecond, Some("UTC"))'].includes(arrow),
    )
    .map(([arrow, duck]): [string, string] => [
      duck === 'TIMESTAMPTZ' ? 'TIMESTAMP WITH TIME ZONE' : duck,
      arrow,
    ]),
];

/** The algorithms `digest` knows locally, as DuckDB calls. */
const DIGESTS: Record<string, (x: string) => string> = {
  md5: (x) => `md5(${x})`,
  sha256: (x) => `sha256(${x})`,
};

/**
 * Scalar functions of R2 SQL that DuckDB lacks or names differently: core, crypto, encoding, string
 * and unicode functions (the JSON, date and regex ones are in `r2-sql-functions.ts`).
 *
 * @example
 * ```ts
 * import { R2SQL_SCALAR_REWRITES } from './r2-sql-scalar-rewrites.ts';
 * typeof R2SQL_SCALAR_REWRITES.initcap; // 'function'
 * ```
 */
export const R2SQL_SCALAR_REWRITES: Record<string, FunctionRewrite> = {
  arrow_cast: needs(2, 2, 'arrow_cast', ([x, t]) => {
    const type = ARROW_TYPES[literalString(t) ?? ''];
    if (!type) {
      return {
        error: `arrow_cast() takes a literal Arrow type name the local engine knows (${Object.keys(ARROW_TYPES).join(', ')})`,
      };
    }
    return `CAST(${x!.text} AS ${type})`;
  }),
  arrow_typeof: needs(1, 1, 'arrow_typeof', ([x]) =>
    bind(
      [x!],
      (v) =>
        `CASE typeof(${v}) ${DUCKDB_TO_ARROW.map(([duck, arrow]) => `WHEN ${quote(duck)} THEN ${quote(arrow)}`).join(' ')} ELSE typeof(${v}) END`,
    ),
  ),
  get_field: needs(2, 2, 'get_field', ([s, f]) => `struct_extract(${s!.text}, ${f!.text})`),
  named_struct: (args) => {
    if (args.length === 0 || args.length % 2 !== 0)
      return { error: `named_struct() takes name, value pairs, got ${args.length} arguments` };
    const fields: string[] = [];
    for (let k = 0; k < args.length; k += 2) {
      const name = literalString(args[k]);
      if (name === undefined) return { error: 'named_struct() takes literal strings as field names' };
      fields.push(`${quoteId(name)} := ${args[k + 1]!.text}`);
    }
    return `struct_pack(${fields.join(', ')})`;
  },
  struct: (args) => `struct_pack(${args.map((a, k) => `c${k} := ${a.text}`).join(', ')})`,
  row: (args) => `struct_pack(${args.map((a, k) => `c${k} := ${a.text}`).join(', ')})`,
  overlay: needs(3, 4, 'overlay', ([s, r, p, n]) =>
    bind(
      [s!, r!, p!],
      (a, b, c) => `substr(${a}, 1, ${c} - 1) || ${b} || substr(${a}, ${c} + ${n ? n.text : `length(${b})`})`,
    ),
  ),

  digest: needs(2, 2, 'digest', ([x, alg]) => {
    const algorithm = literalString(alg)?.toLowerCase() ?? '';
    const digest = DIGESTS[algorithm];
    if (!digest) {
      return {
        error: `digest() with ${literalString(alg) ? quote(algorithm) : 'a computed algorithm'} is not available in the local engine: it knows 'md5' and 'sha256' (DuckDB has no built-in SHA-224/384/512)`,
      };
    }
    return digest(x!.text);
  }),
  encode: needs(2, 2, 'encode', ([x, enc]) => {
    const encoding = literalString(enc)?.toLowerCase();
    // DataFusion writes base64 without padding.
    if (encoding === 'base64') return `rtrim(to_base64(CAST(${x!.text} AS BLOB)), '=')`;
    if (encoding === 'hex') return `lower(hex(${x!.text}))`;
    return { error: "encode() takes a literal encoding: 'base64' or 'hex'" };
  }),
  decode: needs(2, 2, 'decode', ([x, enc]) => {
    const encoding = literalString(enc)?.toLowerCase();
    // DataFusion accepts base64 with or without padding; DuckDB's from_base64 needs it.
    if (encoding === 'base64')
      return bind([x!], (s) => `from_base64(${s} || repeat('=', (4 - length(${s}) % 4) % 4))`);
    if (encoding === 'hex') return `unhex(${x!.text})`;
    return { error: "decode() takes a literal encoding: 'base64' or 'hex'" };
  }),

  to_hex: needs(1, 1, 'to_hex', ([x]) => `lower(to_hex(${x!.text}))`),
  uuid: needs(0, 0, 'uuid', () => 'CAST(uuid() AS VARCHAR)'),
  find_in_set: needs(
    2,
    2,
    'find_in_set',
    ([s, list]) => `coalesce(list_position(string_split(${list!.text}, ','), ${s!.text}), 0)`,
  ),
  initcap: needs(1, 1, 'initcap', ([x]) =>
    bind(
      [x!],
      (s) =>
        `array_to_string(list_transform(range(1, length(${s}) + 1), lambda __i: CASE WHEN __i = 1 OR NOT regexp_matches(substr(${s}, __i - 1, 1), '[[:alnum:]]') THEN upper(substr(${s}, __i, 1)) ELSE lower(substr(${s}, __i, 1)) END), '')`,
    ),
  ),
  substr_index: needs(3, 3, 'substr_index', (args) => substrIndex(args)),
  substring_index: needs(3, 3, 'substring_index', (args) => substrIndex(args)),
};

/** DataFusion's substr_index: the part before the n-th delimiter (n > 0) or after the n-th from the end. */
const substrIndex: FunctionRewrite = (args) =>
  bind(
    args,
    (s, d, n) =>
      `CASE WHEN ${n} > 0 THEN array_to_string(string_split(${s}, ${d})[1:${n}], ${d}) WHEN ${n} < 0 THEN array_to_string(string_split(${s}, ${d})[${n}:], ${d}) ELSE '' END`,
  );
