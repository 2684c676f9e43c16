import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { afterWithList, isSymbol, isWord, type SqlStructure, structureOf } from '../sql-structure.ts';
import { type SqlToken, tokenizeSql } from '../tokenize-sql.ts';
import { resolveReferences, type SqlReferences, type TableReference } from './resolve-references.ts';

/** What kind of statement a query is, once it passed the checks. */
export type R2SqlStatement = 'select' | 'explain' | 'show' | 'describe';

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

/**
 * The bounds on a query, comparable to R2 SQL's own (its statements are ~100 KB at most): larger or
 * deeper queries are refused with 40004 naming the limit, before any work proportional to them.
 *
 * @example
 * ```ts
 * import { R2SQL_LIMITS } from './check-r2-sql.ts';
 * R2SQL_LIMITS.maxQueryBytes; // 102400
 * ```
 */
export const R2SQL_LIMITS = { maxQueryBytes: 102_400, maxNestingDepth: 64 } as const;

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

/** Functions R2 SQL refuses by name, with what to use instead. */
const UNSUPPORTED_FUNCTIONS: Record<string, string> = {
  PERCENTILE_DISC: 'use percentile_cont(p) WITHIN GROUP (ORDER BY x) or approx_percentile_cont(x, p)',
  QUANTILE_DISC: 'use percentile_cont(p) WITHIN GROUP (ORDER BY x) or approx_percentile_cont(x, p)',
};

const WILDCARD_MODIFIERS = new Set(['EXCLUDE', 'REPLACE', 'RENAME', 'ILIKE', 'LIKE', 'SIMILAR', 'COLUMNS']);

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
  const bytes = utf8Length(sql);
  if (bytes > R2SQL_LIMITS.maxQueryBytes) {
    return createSqlProblem(
      sql,
      0,
      R2SQL_ERROR_CODES.unsupported,
      `the query is ${bytes} bytes; the limit is ${R2SQL_LIMITS.maxQueryBytes} bytes (maxQueryBytes)`,
      'query size',
    );
  }
  const tokens = tokenizeSql(sql);
  if (!Array.isArray(tokens)) return tokens;
  const at = (token: SqlToken, code: SqlProblem['code'], message: string, construct?: string) =>
    createSqlProblem(sql, token.start, code, message, construct);
  if (tokens.length === 0)
    return createSqlProblem(sql, 0, R2SQL_ERROR_CODES.syntax, 'syntax error: the query is empty');

  const structure = structureOf(sql, tokens);
  if ('kind' in structure) return structure;
  const { depth } = structure;
  const deepest = depth.findIndex((d, i) => d >= R2SQL_LIMITS.maxNestingDepth && isSymbol(tokens[i], '('));
  if (deepest !== -1) {
    return at(
      tokens[deepest]!,
      R2SQL_ERROR_CODES.unsupported,
      `the query nests parentheses more than ${R2SQL_LIMITS.maxNestingDepth} levels deep (maxNestingDepth): flatten it, for example with a CTE`,
      'nesting depth',
    );
  }

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
    const [ns, dot, table, extra] = tokens.slice(first + 1);
    const name = (t: SqlToken | undefined) => t?.kind === 'word' || t?.kind === 'quoted';
    if (!name(ns) || !isSymbol(dot, '.') || !name(table) || extra) {
      return at(
        tokens[first + 1] ?? leading!,
        R2SQL_ERROR_CODES.unsupported,
        'DESCRIBE takes one namespace.table (for example DESCRIBE analytics.events)',
        'DESCRIBE',
      );
    }
  }

  const problem = refuseConstructs(sql, structure);
  if (problem) return problem;
  const references = resolveReferences(sql, structure, options.unqualifiedTables === true);
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
  const token = structure.tokens.find(
    (t, i) =>
      (t.kind === 'word' ? t.value.toLowerCase() : t.value) === missing.namespace &&
      isSymbol(structure.tokens[i + 1], '.'),
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

/** The length of `text` in UTF-8 bytes (lone surrogates count as the 3 bytes of U+FFFD). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (
      c >= 0xd800 &&
      c < 0xdc00 &&
      i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
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
  const { tokens, depth, parent } = structure;
  const unsupported = (token: SqlToken, message: string, construct: string) =>
    createSqlProblem(sql, token.start, R2SQL_ERROR_CODES.unsupported, message, construct);
  let limitAt: { index: number; depth: number } | null = null;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    const next = tokens[i + 1];
    if (isSymbol(token, '(')) {
      if (isNestedWrite(tokens, i + 1)) return createSqlProblem(sql, next!.start, ...refuseStatement(next)!);
      if (isWord(previous, 'IN') && isWord(tokens[i - 2], 'NOT') && isWord(next, 'SELECT', 'WITH')) {
        // R2 SQL refuses NOT IN over a nullable column (it has no null-aware anti join). Whether the
        // subquery's column can be NULL depends on the table's schema, so refuse the form outright.
        return unsupported(
          tokens[i - 2]!,
          'NOT IN (subquery) is not supported: R2 SQL refuses it when the column can be NULL; write NOT EXISTS (SELECT 1 FROM ... WHERE ...) instead',
          'NOT IN (subquery)',
        );
      }
      continue;
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
      if (limitAt && limitAt.depth === depth[i] && parent[limitAt.index] === parent[i]) {
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
