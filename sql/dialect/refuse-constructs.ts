import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { isSymbol, isWord, type SqlStructure } from '../sql-structure.ts';
import type { SqlToken } from '../tokenize-sql.ts';
import { isNestedWrite, refuseStatement } from './refuse-statement.ts';

/** Functions R2 SQL refuses by name, with what to use instead. */
const UNSUPPORTED_FUNCTIONS: Record<string, string> = {
  PERCENTILE_DISC: 'use percentile_cont(p) WITHIN GROUP (ORDER BY x) or approx_percentile_cont(x, p)',
  QUANTILE_DISC: 'use percentile_cont(p) WITHIN GROUP (ORDER BY x) or approx_percentile_cont(x, p)',
};

const WILDCARD_MODIFIERS = new Set(['EXCLUDE', 'REPLACE', 'RENAME', 'ILIKE', 'LIKE', 'SIMILAR', 'COLUMNS']);

/**
 * DuckDB-only syntax R2 SQL does not parse, so a query that runs locally would fail in production:
 * the word, when it is that syntax, and what to write instead.
 */
function duckDbOnly(tokens: SqlToken[], i: number): [construct: string, instead: string] | null {
  const word = tokens[i]!.value;
  const next = tokens[i + 1];
  switch (word) {
    case 'TABLESAMPLE':
      return ['TABLESAMPLE', 'filter with WHERE and LIMIT'];
    case 'SAMPLE':
      return isWord(tokens[i - 1], 'USING') ? ['USING SAMPLE', 'filter with WHERE and LIMIT'] : null;
    case 'ASOF':
    case 'POSITIONAL':
      return isWord(next, 'JOIN') ? [`${word} JOIN`, 'join on a condition'] : null;
    case 'GLOB':
      return isSymbol(next, '(') ? null : ['GLOB', 'use LIKE or regexp_like'];
    case 'ALL':
      return isWord(tokens[i - 1], 'BY')
        ? [`${tokens[i - 2]?.value ?? 'GROUP'} BY ALL`, 'list the columns']
        : null;
    default:
      return null;
  }
}

/**
 * The first construct R2 SQL does not support (OFFSET, LATERAL, UNNEST, PIVOT, the named WINDOW
 * clause, PERCENTILE_DISC, NOT IN (subquery), wildcard modifiers, nested joins, LIMIT before a set
 * operator, a write nested in parentheses), as a 40004 naming it, or null. One pass over the tokens.
 *
 * @example
 * ```ts
 * import { tokenizeSql } from '../tokenize-sql.ts';
 * import { structureOf } from '../sql-structure.ts';
 * import { refuseConstructs } from './refuse-constructs.ts';
 * const sql = 'SELECT 1 OFFSET 1';
 * refuseConstructs(sql, structureOf(sql, tokenizeSql(sql) as never) as never)?.construct; // 'OFFSET'
 * ```
 */
export function refuseConstructs(sql: string, structure: SqlStructure): SqlProblem | null {
  const { tokens, depth, parent } = structure;
  const unsupported = (token: SqlToken, message: string, construct: string) =>
    createSqlProblem(sql, token.start, R2SQL_ERROR_CODES.unsupported, message, construct);
  let limitAt: { index: number; depth: number } | null = null;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    const next = tokens[i + 1];
    if (isSymbol(token, '(')) {
      const problem = refuseAtParen(sql, tokens, i);
      if (problem) return problem;
      continue;
    }
    if (isSymbol(token, '*') && next?.kind === 'word') {
      if (WILDCARD_MODIFIERS.has(next.value) || (next.value === 'EXCEPT' && isSymbol(tokens[i + 2], '('))) {
        return unsupported(
          next,
          `unsupported feature: wildcard modifiers (* ${next.value} ...) are not supported`,
          `* ${next.value}`,
        );
      }
    }
    if (isSymbol(token, '{'))
      return unsupported(
        token,
        'unsupported feature: {...} literals are not supported: use named_struct(...) or map(...)',
        '{',
      );
    if (token.kind !== 'word' || isSymbol(previous, '.') || isSymbol(next, '.')) continue;
    const word = token.value;
    const only = duckDbOnly(tokens, i);
    if (only)
      return unsupported(token, `unsupported feature: ${only[0]} is not supported: ${only[1]}`, only[0]);
    const call = isSymbol(next, '(');
    if (word === 'OFFSET')
      return unsupported(
        token,
        'unsupported feature: OFFSET clause is not supported (page with a WHERE on an ordered key and LIMIT)',
        'OFFSET',
      );
    if (word === 'LATERAL')
      return unsupported(token, 'unsupported feature: LATERAL derived tables are not supported', 'LATERAL');
    if (word === 'UNNEST' || word === 'PIVOT' || word === 'UNPIVOT')
      return unsupported(token, `unsupported feature: ${word} is not supported`, word);
    if (word === 'WINDOW' && tokens[i + 1]?.kind !== 'symbol' && isWord(tokens[i + 2], 'AS')) {
      return unsupported(
        token,
        'unsupported feature: the named WINDOW clause is not supported (inline OVER (...) at each call)',
        'WINDOW',
      );
    }
    if (call && word in UNSUPPORTED_FUNCTIONS) {
      return unsupported(
        token,
        `unsupported feature: ${token.text}() is not supported: ${UNSUPPORTED_FUNCTIONS[word]}`,
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
          'unsupported feature: nested (parenthesized) joins are not supported (write the joins as a flat sequence)',
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

/** What R2 SQL refuses at an opening paren: a write nested in it, or `NOT IN (subquery)`. */
function refuseAtParen(sql: string, tokens: SqlToken[], i: number): SqlProblem | null {
  const next = tokens[i + 1];
  if (isNestedWrite(tokens, i + 1)) return createSqlProblem(sql, next!.start, ...refuseStatement(next)!);
  if (isWord(tokens[i - 1], 'IN') && isWord(tokens[i - 2], 'NOT') && isWord(next, 'SELECT', 'WITH')) {
    // R2 SQL refuses NOT IN over a nullable column (it has no null-aware anti join). Whether the
    // subquery's column can be NULL depends on the table's schema, so refuse the form outright.
    return createSqlProblem(
      sql,
      tokens[i - 2]!.start,
      R2SQL_ERROR_CODES.unsupported,
      'unsupported feature: NOT IN (subquery) is not supported on nullable columns (R2 SQL has no null-aware anti join); write NOT EXISTS (SELECT 1 FROM ... WHERE ...) instead',
      'NOT IN (subquery)',
    );
  }
  return null;
}
