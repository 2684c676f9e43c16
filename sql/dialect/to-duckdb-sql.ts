import { parenthesizeJsonArrows } from './parenthesize-json-arrows.ts';
import { analyzeR2Sql, type CheckedR2Sql, type R2SqlStatement } from './check-r2-sql.ts';
import { AGGREGATE_ONLY_RENAMES, type CallArgument, R2SQL_FUNCTIONS } from './r2-sql-functions.ts';
import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { argumentRanges, isSymbol, isWord } from '../sql-structure.ts';

/**
 * R2 SQL returns at most this many rows when the outermost query has no LIMIT.
 *
 * @example
 * ```ts
 * import { R2SQL_DEFAULT_LIMIT } from './to-duckdb-sql.ts';
 * R2SQL_DEFAULT_LIMIT; // 500
 * ```
 */
export const R2SQL_DEFAULT_LIMIT = 500;

/** A `namespace.table` the query names. */
export interface TableReference {
  namespace: string;
  table: string;
}

/** A query translated into DuckDB SQL, with what it reads. */
export interface DuckDbTranslation {
  sql: string;
  statement: R2SqlStatement;
  /** Every `namespace.table` pair the query names (deduplicated). */
  tables: TableReference[];
  /** Lower-cased identifiers the query mentions, to estimate the columns it reads. */
  identifiers: Set<string>;
  /** True when the query selects `*` (or `t.*`): every column is read. */
  selectsAll: boolean;
  /** True when LIMIT 500 was appended because the outermost query had none. */
  limitApplied: boolean;
}

/** Per-call options of {@link toDuckDbSql}. */
export interface ToDuckDbSqlOptions {
  /** Rows returned when the outermost query has no LIMIT; null leaves it unlimited. Default 500. */
  defaultLimit?: number | null;
}

/** Either the translation or the reason R2 SQL would refuse the query. */
export type DuckDbTranslationResult =
  | { ok: true; value: DuckDbTranslation }
  | { ok: false; problem: SqlProblem };

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * Checks a query in R2 SQL's dialect and translates it into DuckDB SQL: function names and semantics
 * that differ are rewritten (`json_get_str(data, 'name')`, `approx_distinct`, `date_bin`, …), SHOW is
 * answered from information_schema, and LIMIT 500 is appended when the outermost query has none —
 * so a query that runs here behaves as it does on R2 SQL.
 *
 * @example
 * ```ts
 * import { toDuckDbSql } from './to-duckdb-sql.ts';
 * const result = toDuckDbSql("SELECT json_get_str(data, 'name') AS name FROM analytics.events");
 * if (result.ok) result.value.sql; // "SELECT (CASE WHEN json_type(data, '/name') ... LIMIT 500"
 * else result.problem.code; // 40003 or 40004
 * ```
 */
export function toDuckDbSql(sql: string, options: ToDuckDbSqlOptions = {}): DuckDbTranslationResult {
  const checked = analyzeR2Sql(sql);
  if ('kind' in checked) return { ok: false, problem: checked };
  const { tokens } = checked.structure;
  const tables = referencedTables(checked);
  const identifiers = new Set(
    tokens
      .filter((t) => t.kind === 'word' || t.kind === 'quoted')
      .map((t) => (t.kind === 'word' ? t.value.toLowerCase() : t.value)),
  );
  const selectsAll = tokens.some(
    (t, i) =>
      isSymbol(t, '*') &&
      (isWord(tokens[i - 1], 'SELECT', 'DISTINCT') ||
        isSymbol(tokens[i - 1], ',') ||
        isSymbol(tokens[i - 1], '.')),
  );
  const base = { statement: checked.statement, tables, identifiers, selectsAll };

  if (checked.statement === 'show') {
    const shown = translateShow(checked);
    if (typeof shown !== 'string') return { ok: false, problem: shown };
    return { ok: true, value: { ...base, sql: shown, limitApplied: false } };
  }
  const translated = emit(checked, 0, tokens.length);
  if (typeof translated !== 'string') return { ok: false, problem: translated };
  const limit = options.defaultLimit === undefined ? R2SQL_DEFAULT_LIMIT : options.defaultLimit;
  const needsLimit =
    checked.statement === 'select' &&
    limit !== null &&
    !tokens.some((t, i) => i >= checked.mainStart && checked.structure.depth[i] === 0 && isWord(t, 'LIMIT'));
  return {
    ok: true,
    value: {
      ...base,
      // DuckDB binds -> and ->> looser than AND and comparisons; DataFusion binds them to their operand.
      sql: parenthesizeJsonArrows(needsLimit ? `${translated}\nLIMIT ${limit}` : translated),
      limitApplied: needsLimit,
    },
  };
}

/** Emits tokens `[from, to)` with the original spacing, rewriting R2 SQL calls on the way. */
function emit(checked: CheckedR2Sql, from: number, to: number): string | SqlProblem {
  const { sql, structure } = checked;
  const { tokens, match } = structure;
  let out = '';
  let cursor = tokens[from]?.start ?? 0;
  for (let i = from; i < to; i++) {
    const token = tokens[i]!;
    const name = token.kind === 'word' ? token.value.toLowerCase() : '';
    const isCall = name !== '' && isSymbol(tokens[i + 1], '(') && !isSymbol(tokens[i - 1], '.');
    const rewrite = isCall ? R2SQL_FUNCTIONS[name] : undefined;
    const close = isCall ? match.get(i + 1)! : -1;
    const renamed = isCall && !isWord(tokens[close + 1], 'OVER') ? AGGREGATE_ONLY_RENAMES[name] : undefined;
    if (!rewrite && !renamed) continue;
    const args: CallArgument[] = [];
    for (const [a, b] of argumentRanges(structure, i + 1)) {
      const text = emit(checked, a, b);
      if (typeof text !== 'string') return text;
      args.push({ text, tokens: tokens.slice(a, b) });
    }
    let replacement: string | { error: string };
    let end = close;
    const group = withinGroup(checked, close);
    if (name === 'approx_percentile_cont' && group && args.length === 1) {
      // DataFusion's newer form: approx_percentile_cont(p) WITHIN GROUP (ORDER BY x [ASC|DESC]).
      const x = emit(checked, group.from, group.to);
      if (typeof x !== 'string') return x;
      const p = args[0]!.text;
      replacement = `approx_quantile(${x}, ${group.descending ? `1 - (${p})` : p})`;
      end = group.close;
    } else if (renamed) {
      const inner = emit(checked, i + 2, close);
      if (typeof inner !== 'string') return inner;
      replacement = `${renamed}(${inner})`;
    } else replacement = rewrite!(args);
    if (typeof replacement !== 'string')
      return createSqlProblem(sql, token.start, R2SQL_ERROR_CODES.unsupported, replacement.error, name);
    out += sql.slice(cursor, token.start) + replacement;
    cursor = tokens[end]!.end;
    i = end;
  }
  return out + sql.slice(cursor, tokens[to - 1]?.end ?? cursor);
}

/** `WITHIN GROUP (ORDER BY <expr> [ASC|DESC])` right after the paren at `close`: the expression's range. */
function withinGroup(
  { structure }: CheckedR2Sql,
  close: number,
): { from: number; to: number; close: number; descending: boolean } | null {
  const { tokens, match } = structure;
  const at = (k: number) => tokens[close + k];
  if (!isWord(at(1), 'WITHIN') || !isWord(at(2), 'GROUP') || !isSymbol(at(3), '(')) return null;
  if (!isWord(at(4), 'ORDER') || !isWord(at(5), 'BY')) return null;
  const groupClose = match.get(close + 3)!;
  const last = tokens[groupClose - 1];
  const direction = isWord(last, 'ASC', 'DESC');
  return {
    from: close + 6,
    to: direction ? groupClose - 1 : groupClose,
    close: groupClose,
    descending: direction && last!.value === 'DESC',
  };
}

function referencedTables({ structure }: CheckedR2Sql): TableReference[] {
  const { tokens, depth } = structure;
  const seen = new Map<string, TableReference>();
  const name = (i: number) => {
    const t = tokens[i];
    if (!t) return null;
    if (t.kind === 'quoted') return t.value;
    return t.kind === 'word' ? t.text.toLowerCase() : null;
  };
  // The clause each paren depth is in, so `FROM a.b, c.d` counts c.d and `SELECT a.x, b.y` does not.
  const clause: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (
      isWord(token, 'SELECT', 'FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'QUALIFY', 'ON', 'USING')
    )
      clause[depth[i]!] = token.value;
    if (!isSymbol(tokens[i + 1], '.') || isSymbol(tokens[i + 3], '.') || isSymbol(tokens[i + 3], '('))
      continue;
    const before = tokens[i - 1];
    const inFrom =
      isWord(before, 'FROM', 'JOIN', 'DESCRIBE', 'DESC') ||
      (isSymbol(before, ',') && clause[depth[i]!] === 'FROM');
    const namespace = name(i);
    const table = name(i + 2);
    if (inFrom && namespace && table) seen.set(`${namespace}.${table}`, { namespace, table });
  }
  return [...seen.values()];
}

/** SHOW DATABASES | NAMESPACES | SCHEMAS, SHOW TABLES [IN|FROM namespace], from information_schema. */
function translateShow({ sql, structure }: CheckedR2Sql): string | SqlProblem {
  const { tokens } = structure;
  const what = tokens[1];
  const hidden = `table_schema NOT IN ('main', 'information_schema', 'pg_catalog') AND table_name NOT LIKE '\\_%' ESCAPE '\\'`;
  if (isWord(what, 'DATABASES', 'NAMESPACES', 'SCHEMAS') && tokens.length === 2) {
    return `SELECT DISTINCT table_schema AS namespace FROM information_schema.tables WHERE ${hidden} ORDER BY 1`;
  }
  if (isWord(what, 'TABLES')) {
    if (tokens.length === 2)
      return `SELECT table_schema AS namespace, table_name FROM information_schema.tables WHERE ${hidden} ORDER BY 1, 2`;
    const namespace = tokens[3];
    if (isWord(tokens[2], 'IN', 'FROM') && namespace && tokens.length === 4) {
      const ns = namespace.kind === 'quoted' ? namespace.value : namespace.text.toLowerCase();
      return `SELECT table_schema AS namespace, table_name FROM information_schema.tables WHERE ${hidden} AND table_schema = ${quote(ns)} ORDER BY 2`;
    }
  }
  return createSqlProblem(
    sql,
    (what ?? tokens[0]!).start,
    R2SQL_ERROR_CODES.syntax,
    'syntax error: use SHOW DATABASES, SHOW NAMESPACES or SHOW TABLES IN <namespace>',
    'SHOW',
  );
}
