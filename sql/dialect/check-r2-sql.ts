import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { afterWithList, isSymbol, isWord, type SqlStructure, structureOf } from '../sql-structure.ts';
import { type SqlToken, tokenizeSql } from '../tokenize-sql.ts';
import { checkNestingDepth, checkQuerySize } from './r2-sql-limits.ts';
import { refuseConstructs } from './refuse-constructs.ts';
import { READS, type R2SqlStatement, refuseStatement } from './refuse-statement.ts';
import { resolveReferences, type SqlReferences, type TableReference } from './resolve-references.ts';

export type { R2SqlStatement } from './refuse-statement.ts';
export { R2SQL_LIMITS } from './r2-sql-limits.ts';

/** A query R2 SQL would accept: its tokens (without a trailing `;`) and where its main part starts. */
export interface CheckedR2Sql {
  sql: string;
  structure: SqlStructure;
  statement: R2SqlStatement;
  /** Index of the first token after the WITH list (the main SELECT), for `select` statements. */
  mainStart: number;
  /** The functions the query calls and the tables it reads. */
  references: SqlReferences;
}

/** Per-call options of {@link analyzeR2Sql}. */
export interface AnalyzeR2SqlOptions {
  /**
   * The tables the bucket holds (its catalog). When given, a query naming any other table is refused
   * (40004) with the list of known tables, as R2 SQL answers for an unknown table.
   */
  tables?: readonly TableReference[];
  /**
   * Accept one-part table names (`FROM events`), for dialects that read streams by name (Pipelines
   * SQL). Paths, table functions and introspection stay refused. Default false: R2 SQL reads
   * `namespace.table`.
   */
  unqualifiedTables?: boolean;
}

/**
 * Checks a query against what R2 SQL accepts and returns the first problem, or null. Syntax problems
 * (unterminated literals, unbalanced parentheses, an unknown statement) are 40003; writes, DDL, session
 * statements, several statements, OFFSET, LATERAL, UNNEST, PIVOT, the named WINDOW clause,
 * PERCENTILE_DISC, NOT IN (subquery), wildcard modifiers, nested joins, LIMIT before a set operator,
 * any function R2 SQL does not have, and any table that is not `namespace.table` (files, paths,
 * table functions, catalog introspection) are 40004. So are queries over
 * {@link R2SQL_LIMITS}. Each message names the construct and its line and column.
 *
 * @example
 * ```ts
 * import { checkR2Sql } from './check-r2-sql.ts';
 * checkR2Sql('SELECT * FROM analytics.events OFFSET 10')?.code; // 40004
 * checkR2Sql("SELECT 'OFFSET 10' AS text"); // null: a literal is not a clause
 * ```
 */
export function checkR2Sql(sql: string, options: AnalyzeR2SqlOptions = {}): SqlProblem | null {
  const checked = analyzeR2Sql(sql, options);
  return 'kind' in checked ? checked : null;
}

/**
 * Checks a query and returns its structure for translation, or the first problem.
 *
 * @example
 * ```ts
 * import { analyzeR2Sql } from './check-r2-sql.ts';
 * const checked = analyzeR2Sql('SELECT 1');
 * 'kind' in checked ? checked.message : checked.statement; // 'select'
 * ```
 */
export function analyzeR2Sql(sql: string, options: AnalyzeR2SqlOptions = {}): CheckedR2Sql | SqlProblem {
  const oversized = checkQuerySize(sql);
  if (oversized) return oversized;
  const tokens = tokenizeSql(sql);
  if (!Array.isArray(tokens)) return tokens;
  const at = (token: SqlToken, code: SqlProblem['code'], message: string, construct?: string) =>
    createSqlProblem(sql, token.start, code, message, construct);
  if (tokens.length === 0)
    return createSqlProblem(sql, 0, R2SQL_ERROR_CODES.syntax, 'syntax error: the query is empty');

  const structure = structureOf(sql, tokens);
  if ('kind' in structure) return structure;
  const { depth } = structure;
  const tooDeep = checkNestingDepth(sql, structure);
  if (tooDeep) return tooDeep;

  // One statement per request; a trailing `;` is fine.
  const semicolon = tokens.findIndex((t, i) => isSymbol(t, ';') && depth[i] === 0);
  if (semicolon !== -1) {
    const next = tokens.slice(semicolon + 1).find((t) => !isSymbol(t, ';'));
    if (next) {
      return at(
        next,
        R2SQL_ERROR_CODES.unsupported,
        'multiple statements are not supported: send one statement per request',
        'multiple statements',
      );
    }
    tokens.length = semicolon;
    depth.length = semicolon;
    structure.parent.length = semicolon;
  }
  if (tokens.length === 0)
    return createSqlProblem(sql, 0, R2SQL_ERROR_CODES.syntax, 'syntax error: the query is empty');

  let first = 0;
  while (isSymbol(tokens[first], '(')) first++;
  const leading = tokens[first];
  const refused = refuseStatement(leading);
  if (refused) return at(leading!, ...refused);
  const statement = READS[leading!.value]!;
  if (statement === 'explain') {
    let inner = first + 1;
    while (isWord(tokens[inner], 'ANALYZE', 'VERBOSE', 'FORMAT', 'JSON', 'TEXT', 'GRAPHVIZ')) inner++;
    const explained = refuseStatement(tokens[inner]);
    if (explained) return at(tokens[inner] ?? leading!, ...explained);
  }
  const mainStart = statement === 'select' ? afterWithList(structure, first) : first;
  if (statement === 'select' && mainStart !== first) {
    const main = refuseStatement(tokens[mainStart]);
    if (main && !isSymbol(tokens[mainStart], '(')) return at(tokens[mainStart] ?? leading!, ...main);
  }

  if (statement === 'describe') {
    const problem = checkDescribe(sql, tokens, first);
    if (problem) return problem;
  }

  const problem = refuseConstructs(sql, structure);
  if (problem) return problem;
  // SHOW's namespace is not a table reference; the translation accepts its few forms only.
  const references =
    statement === 'show'
      ? { calls: [], tables: [], callParens: new Set<number>() }
      : resolveReferences(sql, structure, options.unqualifiedTables === true);
  if ('kind' in references) return references;
  if (options.tables) {
    const unknown = unknownTable(sql, structure, references, options.tables);
    if (unknown) return unknown;
  }
  return { sql, structure, statement, mainStart, references };
}

/** The first table the query names that the catalog does not hold, as a 40004 listing those it does. */
function unknownTable(
  sql: string,
  structure: SqlStructure,
  references: SqlReferences,
  catalog: readonly TableReference[],
): SqlProblem | null {
  const known = new Set(catalog.map((t) => `${t.namespace}.${t.table}`));
  const missing = references.tables.find((t) => !known.has(`${t.namespace}.${t.table}`));
  if (!missing) return null;
  const name = `${missing.namespace}.${missing.table}`;
  const { tokens } = structure;
  const part = (t: SqlToken | undefined) => (t?.kind === 'word' ? t.value.toLowerCase() : t?.value);
  const token = tokens.find(
    (t, i) =>
      part(t) === missing.namespace && isSymbol(tokens[i + 1], '.') && part(tokens[i + 2]) === missing.table,
  );
  const list = [...known].sort();
  return createSqlProblem(
    sql,
    token?.start ?? 0,
    R2SQL_ERROR_CODES.unsupported,
    `table ${name} not found: ${list.length === 0 ? 'the bucket has no tables yet' : `the bucket has ${list.slice(0, 20).join(', ')}${list.length > 20 ? `, and ${list.length - 20} more` : ''}`}`,
    name,
  );
}

/** DESCRIBE takes exactly one `namespace.table`: no path, no query, no table function. */
function checkDescribe(sql: string, tokens: SqlToken[], first: number): SqlProblem | null {
  const [ns, dot, table, extra] = tokens.slice(first + 1);
  const name = (t: SqlToken | undefined) => t?.kind === 'word' || t?.kind === 'quoted';
  if (name(ns) && isSymbol(dot, '.') && name(table) && !extra) return null;
  return createSqlProblem(
    sql,
    (tokens[first + 1] ?? tokens[first]!).start,
    R2SQL_ERROR_CODES.unsupported,
    'DESCRIBE takes one namespace.table (for example DESCRIBE analytics.events)',
    'DESCRIBE',
  );
}
