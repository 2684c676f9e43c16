import { R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { isSymbol, isWord } from '../sql-structure.ts';
import type { SqlToken } from '../tokenize-sql.ts';

/** What kind of statement a query is, once it passed the checks. */
export type R2SqlStatement = 'select' | 'explain' | 'show' | 'describe';

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
/** The statements R2 SQL reads with, by leading keyword. */
export const READS: Record<string, R2SqlStatement> = {
  SELECT: 'select',
  WITH: 'select',
  EXPLAIN: 'explain',
  SHOW: 'show',
  DESCRIBE: 'describe',
  DESC: 'describe',
};

/** A refusal: its code, message and the construct it names. */
export type Refusal = [SqlProblem['code'], string, string];

/**
 * Why R2 SQL refuses a statement that starts with this token (a write, DDL, a session statement, or
 * not a statement at all), or null for SELECT, WITH, EXPLAIN, SHOW and DESCRIBE.
 *
 * @example
 * ```ts
 * import { refuseStatement } from './refuse-statement.ts';
 * refuseStatement({ kind: 'word', text: 'drop', value: 'DROP', start: 0, end: 4 })?.[0]; // 40004
 * ```
 */
export function refuseStatement(token: SqlToken | undefined): Refusal | null {
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

/**
 * A data-modifying statement inside parentheses (a CTE body, a subquery): `(INSERT INTO`, `(MERGE INTO`,
 * `(DELETE FROM`, `(UPDATE t SET`, `(COPY t TO|FROM`. A function or column that shares the keyword's name
 * (`replace(...)`, `(comment IS NULL)`) is not one.
 *
 * @example
 * ```ts
 * import { tokenizeSql } from '../tokenize-sql.ts';
 * import { isNestedWrite } from './refuse-statement.ts';
 * isNestedWrite(tokenizeSql('(DELETE FROM t)') as never, 1); // true
 * ```
 */
export function isNestedWrite(tokens: SqlToken[], i: number): boolean {
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
