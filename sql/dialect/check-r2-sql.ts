import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { afterWithList, isSymbol, isWord, type SqlStructure, structureOf } from '../sql-structure.ts';
import { type SqlToken, tokenizeSql } from '../tokenize-sql.ts';

/** What kind of statement a query is, once it passed the checks. */
export type R2SqlStatement = 'select' | 'explain' | 'show' | 'describe';

/** A query R2 SQL would accept: its tokens (without a trailing `;`) and where its main part starts. */
export interface CheckedR2Sql {
  sql: string;
  structure: SqlStructure;
  statement: R2SqlStatement;
  /** Index of the first token after the WITH list (the main SELECT), for `select` statements. */
  mainStart: number;
}

const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'UPSERT', 'REPLACE', 'TRUNCATE', 'COPY']);
const DDL = new Set([
  'CREATE',
  'DROP',
  'ALTER',
  'ATTACH',
  'DETACH',
  'RENAME',
  'COMMENT',
  'GRANT',
  'REVOKE',
  'VACUUM',
  'CHECKPOINT',
  'EXPORT',
  'IMPORT',
]);
const SESSION = new Set([
  'PRAGMA',
  'SET',
  'RESET',
  'INSTALL',
  'LOAD',
  'USE',
  'CALL',
  'BEGIN',
  'START',
  'COMMIT',
  'ROLLBACK',
  'ABORT',
  'PREPARE',
  'EXECUTE',
  'DEALLOCATE',
  'SUMMARIZE',
  'PIVOT',
  'UNPIVOT',
  'FROM',
  'VALUES',
  'TABLE',
  'UNLISTEN',
  'LISTEN',
  'NOTIFY',
  'LOCK',
]);
const READS: Record<string, R2SqlStatement> = {
  SELECT: 'select',
  WITH: 'select',
  EXPLAIN: 'explain',
  SHOW: 'show',
  DESCRIBE: 'describe',
  DESC: 'describe',
};

/** Functions R2 SQL does not have, with what to use instead. */
const UNSUPPORTED_FUNCTIONS: Record<string, string> = {
  PERCENTILE_CONT: 'use approx_percentile_cont(x, p)',
  PERCENTILE_DISC: 'use approx_percentile_cont(x, p)',
  MEDIAN: 'use approx_median(x)',
  QUANTILE: 'use approx_percentile_cont(x, p)',
  QUANTILE_CONT: 'use approx_percentile_cont(x, p)',
  QUANTILE_DISC: 'use approx_percentile_cont(x, p)',
  ARRAY_AGG: 'it is not supported, for memory safety',
  STRING_AGG: 'it is not supported, for memory safety',
  LIST: 'it is not supported, for memory safety',
  GROUP_CONCAT: 'it is not supported, for memory safety',
  LISTAGG: 'it is not supported, for memory safety',
  UNNEST: 'UNNEST is not supported',
};

/** DuckDB functions that read files or the engine's own state: R2 SQL reads tables, nothing else. */
const ENGINE_FUNCTION =
  /^(READ_\w+|PARQUET_\w+|ICEBERG_\w+|DELTA_\w+|DUCKDB_\w+|PRAGMA_\w+|SNIFF_CSV|GLOB|GETENV|QUERY|QUERY_TABLE|SQLITE_\w+|POSTGRES_\w+|MYSQL_\w+|JSON_EXECUTE_SERIALIZED_SQL|CURRENT_SETTING|HTTP_\w+)$/;

const WILDCARD_MODIFIERS = new Set(['EXCLUDE', 'REPLACE', 'RENAME', 'ILIKE', 'LIKE', 'SIMILAR', 'COLUMNS']);

/**
 * Checks a query against what R2 SQL accepts and returns the first problem, or null. Syntax problems
 * (unterminated literals, unbalanced parentheses, an unknown statement) are 40003; writes, DDL, session
 * statements, several statements, OFFSET, LATERAL, UNNEST, PIVOT, the named WINDOW clause, aggregate
 * DISTINCT, wildcard modifiers, nested joins, LIMIT before a set operator and engine functions that read
 * files are 40004. Each message names the construct and its line and column.
 *
 * @example
 * ```ts
 * import { checkR2Sql } from './check-r2-sql.ts';
 * checkR2Sql('SELECT * FROM analytics.events OFFSET 10')?.code; // 40004
 * checkR2Sql("SELECT 'OFFSET 10' AS text"); // null: a literal is not a clause
 * ```
 */
export function checkR2Sql(sql: string): SqlProblem | null {
  const checked = analyzeR2Sql(sql);
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
export function analyzeR2Sql(sql: string): CheckedR2Sql | SqlProblem {
  const tokens = tokenizeSql(sql);
  if (!Array.isArray(tokens)) return tokens;
  const at = (token: SqlToken, code: SqlProblem['code'], message: string, construct?: string) =>
    createSqlProblem(sql, token.start, code, message, construct);
  if (tokens.length === 0)
    return createSqlProblem(sql, 0, R2SQL_ERROR_CODES.syntax, 'syntax error: the query is empty');

  const structure = structureOf(sql, tokens);
  if ('kind' in structure) return structure;
  const { depth } = structure;

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

  const problem = refuseConstructs(sql, structure);
  if (problem) return problem;
  return { sql, structure, statement, mainStart };
}

type Refusal = [SqlProblem['code'], string, string];

function refuseStatement(token: SqlToken | undefined): Refusal | null {
  if (!token) return [R2SQL_ERROR_CODES.syntax, 'syntax error: the statement ends too early', 'end'];
  if (token.kind !== 'word') {
    return isSymbol(token, '(')
      ? null
      : [
          R2SQL_ERROR_CODES.syntax,
          `syntax error: unexpected "${token.text}"; a query starts with SELECT, WITH, EXPLAIN, SHOW or DESCRIBE`,
          token.text,
        ];
  }
  const word = token.value;
  if (WRITES.has(word) || DDL.has(word)) {
    return [
      R2SQL_ERROR_CODES.unsupported,
      `only read-only queries are allowed: ${word} is ${WRITES.has(word) ? 'a write' : 'DDL'} and R2 SQL never changes data`,
      word,
    ];
  }
  if (SESSION.has(word)) {
    return [
      R2SQL_ERROR_CODES.unsupported,
      `${word} statements are not supported by R2 SQL; a query starts with SELECT, WITH, EXPLAIN, SHOW or DESCRIBE`,
      word,
    ];
  }
  if (word in READS) return null;
  return [
    R2SQL_ERROR_CODES.syntax,
    `syntax error at "${token.text}": a query starts with SELECT, WITH, EXPLAIN, SHOW or DESCRIBE`,
    token.text,
  ];
}

function refuseConstructs(sql: string, structure: SqlStructure): SqlProblem | null {
  const { tokens, depth, match } = structure;
  const unsupported = (token: SqlToken, message: string, construct: string) =>
    createSqlProblem(sql, token.start, R2SQL_ERROR_CODES.unsupported, message, construct);
  let limitAt: { index: number; depth: number } | null = null;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    const next = tokens[i + 1];
    if (isSymbol(token, '(')) {
      if (isNestedWrite(tokens, i + 1)) return createSqlProblem(sql, next!.start, ...refuseStatement(next)!);
      if (isWord(next, 'DISTINCT') && previous?.kind === 'word')
        return unsupported(
          next!,
          `${previous.text}(DISTINCT ...) is not supported: use approx_distinct(x) to count distinct values`,
          'aggregate DISTINCT',
        );
      continue;
    }
    if (token.kind === 'string' && isWord(previous, 'FROM', 'JOIN')) {
      return unsupported(
        token,
        `a table is namespace.table, not a file: ${token.text} cannot be read`,
        'file path',
      );
    }
    if (isSymbol(token, '*') && next?.kind === 'word') {
      if (WILDCARD_MODIFIERS.has(next.value) || (next.value === 'EXCEPT' && isSymbol(tokens[i + 2], '('))) {
        return unsupported(
          next,
          `wildcard modifiers (* ${next.value} ...) are not supported`,
          `* ${next.value}`,
        );
      }
    }
    if (token.kind !== 'word' || isSymbol(previous, '.') || isSymbol(next, '.')) continue;
    const word = token.value;
    const call = isSymbol(next, '(');
    if (word === 'OFFSET')
      return unsupported(
        token,
        'OFFSET is not supported: page with a WHERE on an ordered key and LIMIT',
        'OFFSET',
      );
    if (word === 'LATERAL') return unsupported(token, 'LATERAL derived tables are not supported', 'LATERAL');
    if (word === 'UNNEST' || word === 'PIVOT' || word === 'UNPIVOT')
      return unsupported(token, `${word} is not supported`, word);
    if (word === 'WINDOW' && tokens[i + 1]?.kind !== 'symbol' && isWord(tokens[i + 2], 'AS')) {
      return unsupported(
        token,
        'the named WINDOW clause is not supported: inline OVER (...) at each call',
        'WINDOW',
      );
    }
    if (call && word in UNSUPPORTED_FUNCTIONS) {
      return unsupported(
        token,
        `${token.text}() is not supported by R2 SQL: ${UNSUPPORTED_FUNCTIONS[word]}`,
        token.text,
      );
    }
    if (call && ENGINE_FUNCTION.test(word)) {
      return unsupported(
        token,
        `unknown function ${token.text}(): R2 SQL reads namespace.table, not files or engine state`,
        token.text,
      );
    }
    if (word === 'FROM' || word === 'JOIN') {
      if (
        isSymbol(next, '(') &&
        !isWord(tokens[i + 2], 'SELECT', 'WITH', 'VALUES') &&
        !isSymbol(tokens[i + 2], '(')
      ) {
        return unsupported(
          next!,
          'nested (parenthesized) joins are not supported: write the joins as a flat sequence',
          'nested join',
        );
      }
    }
    if (word === 'LIMIT') limitAt = { index: i, depth: depth[i]! };
    if (word === 'UNION' || word === 'INTERSECT' || word === 'EXCEPT') {
      if (limitAt && limitAt.depth === depth[i] && !closesBetween(match, limitAt.index, i)) {
        return unsupported(
          tokens[limitAt.index]!,
          `LIMIT before ${word} is not valid: wrap the query in a subquery or limit the combined result`,
          'LIMIT before set operator',
        );
      }
    }
  }
  return null;
}

/**
 * A data-modifying statement inside parentheses (a CTE body, a subquery): `(INSERT INTO`, `(MERGE INTO`,
 * `(DELETE FROM`, `(UPDATE t SET`, `(COPY t TO|FROM`. A function or column that shares the keyword's name
 * (`replace(...)`, `(comment IS NULL)`) is not one.
 */
function isNestedWrite(tokens: SqlToken[], i: number): boolean {
  const word = tokens[i];
  if (word?.kind !== 'word') return false;
  switch (word.value) {
    case 'INSERT':
    case 'MERGE':
      return isWord(tokens[i + 1], 'INTO');
    case 'DELETE':
      return isWord(tokens[i + 1], 'FROM');
    case 'UPDATE':
      return isWord(tokens[i + 2], 'SET') || (isSymbol(tokens[i + 2], '.') && isWord(tokens[i + 4], 'SET'));
    case 'COPY':
      return isWord(tokens[i + 2], 'TO', 'FROM') || isSymbol(tokens[i + 2], '.');
    default:
      return false;
  }
}

/** True when a paren group closes between two tokens at the same depth (they are in different groups). */
function closesBetween(match: Map<number, number>, from: number, to: number): boolean {
  for (const [a, b] of match) if (a < from && b > from && b < to) return true;
  return false;
}
