import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { isSymbol, isWord } from '../sql-structure.ts';
import {
  type AnalyzeR2SqlOptions,
  analyzeR2Sql,
  type CheckedR2Sql,
  type R2SqlStatement,
} from './check-r2-sql.ts';
import { dataFusionColumnNames } from './datafusion-column-names.ts';
import { emitDuckDbSql } from './emit-duckdb-sql.ts';
import type { TableReference } from './resolve-references.ts';
import { hullOfMentions, mentionBounds, type TableMention, type TimeBound } from './time-bounds.ts';

export type { TableReference } from './resolve-references.ts';

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
  /**
   * Every FROM item that reads a lake table, with the bound on the time column of what that item reads
   * (see mentionBounds); keyed for {@link ToDuckDbSqlOptions.relations} by `start`.
   */
  mentions: TableMention[];
  /** Per `namespace.table`, a bound on its time column every row the query uses is within (see timeBounds). */
  timeBounds: Map<string, TimeBound>;
}

/** Per-call options of {@link toDuckDbSql}. */
export interface ToDuckDbSqlOptions extends AnalyzeR2SqlOptions {
  /** Rows returned when the outermost query has no LIMIT; null leaves it unlimited. Default 500. */
  defaultLimit?: number | null;
  /**
   * Name unaliased result columns the way R2 SQL does (`count(*)`, `sum(analytics.events.seq)`), not
   * the way DuckDB does (`count_star()`). Default true.
   */
  dataFusionNames?: boolean;
  /** The column {@link DuckDbTranslation.mentions} and `timeBounds` bound (default `ts`). */
  timeColumn?: string;
  /**
   * DuckDB relations to read instead of tables, by the `start` token index of a mention (see
   * {@link DuckDbTranslation.mentions}; a table narrowed to some of its files): that FROM item is
   * emitted as `(<relation>)`, keeping its alias (or aliased by the table's own name), in SELECT
   * statements. An index where no mention starts is ignored.
   */
  relations?: ReadonlyMap<number, string>;
}

/** Either the translation or the reason R2 SQL would refuse the query. */
export type DuckDbTranslationResult =
  | { ok: true; value: DuckDbTranslation }
  | { ok: false; problem: SqlProblem };

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** R2 SQL's `EXPLAIN [ANALYZE] [VERBOSE] [FORMAT JSON|TEXT]` options, as DuckDB's EXPLAIN takes them. */
function explainPrefix(checked: CheckedR2Sql): { text: string; inner: number } {
  const { tokens } = checked.structure;
  let i = checked.mainStart + 1;
  let analyze = false;
  let json = false;
  for (;;) {
    if (isWord(tokens[i], 'ANALYZE')) analyze = true;
    else if (isWord(tokens[i], 'VERBOSE')) {
      /* DuckDB has no verbose form */
    } else if (isWord(tokens[i], 'FORMAT') && isWord(tokens[i + 1], 'JSON', 'TEXT', 'GRAPHVIZ')) {
      json = tokens[i + 1]!.value.toUpperCase() === 'JSON';
      i++;
    } else break;
    i++;
  }
  // DuckDB takes ANALYZE and a format together only as an option list.
  const options = json ? ` (${analyze ? 'ANALYZE, ' : ''}FORMAT json)` : analyze ? ' ANALYZE' : '';
  return { text: `EXPLAIN${options} `, inner: i };
}

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
  const checked = analyzeR2Sql(sql, options);
  if ('kind' in checked) return { ok: false, problem: checked };
  const { tokens } = checked.structure;
  const tables = checked.references.tables;
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
  const mentions = mentionBounds(checked, { column: options.timeColumn });
  const base = {
    statement: checked.statement,
    tables,
    identifiers,
    selectsAll,
    mentions,
    timeBounds: hullOfMentions(mentions),
  };

  if (checked.statement === 'show') {
    const shown = translateShow(checked);
    if (typeof shown !== 'string') return { ok: false, problem: shown };
    return { ok: true, value: { ...base, sql: shown, limitApplied: false } };
  }
  let prefix = '';
  let from = 0;
  if (checked.statement === 'explain') {
    const explain = explainPrefix(checked);
    prefix = explain.text;
    from = explain.inner;
  }
  const aliases =
    checked.statement === 'select' && options.dataFusionNames !== false
      ? dataFusionColumnNames(checked.structure, checked.mainStart)
      : new Map<number, string>();
  const translated = emitDuckDbSql(
    checked,
    from,
    tokens.length,
    aliases,
    replacementsOf(checked, mentions, options.relations),
  );
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
      sql: prefix + (needsLimit ? `${translated}\nLIMIT ${limit}` : translated),
      limitApplied: needsLimit,
    },
  };
}

/** Where each FROM item `relations` names (by its start token) is emitted as that relation instead. */
function replacementsOf(
  checked: CheckedR2Sql,
  mentions: readonly TableMention[],
  relations: ReadonlyMap<number, string> | undefined,
): Map<number, { end: number; text: string }> {
  const replacements = new Map<number, { end: number; text: string }>();
  if (!relations || relations.size === 0 || checked.statement !== 'select') return replacements;
  for (const occurrence of mentions) {
    const relation = relations.get(occurrence.start);
    if (relation === undefined) continue;
    const name = checked.structure.tokens[occurrence.end]!.text;
    const text = occurrence.alias === null ? `(${relation}) AS ${name}` : `(${relation})`;
    replacements.set(occurrence.start, { end: occurrence.end, text });
  }
  return replacements;
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
