/**
 * What goes wrong with a query, as R2 SQL reports it: a platform error code, a message a person can act
 * on, and where in the SQL text it happened.
 *
 * @module
 */

/**
 * R2 SQL's error codes: 40003 invalid syntax, 40004 invalid or unsupported query, 40015 a query over
 * its budget (R2 SQL's scan budget; locally also the time, memory and result-size bounds), 80001 a
 * retryable edge failure, 10000 authentication (a missing or wrong token, answered with HTTP 403).
 *
 * @example
 * ```ts
 * import { R2SQL_ERROR_CODES } from './sql-problem.ts';
 * R2SQL_ERROR_CODES.unsupported; // 40004
 * ```
 */
export const R2SQL_ERROR_CODES = {
  syntax: 40003,
  unsupported: 40004,
  budget: 40015,
  retryable: 80001,
  authentication: 10000,
} as const;

/** A place in the SQL text: 0-based offset, 1-based line and column. */
export interface SqlPosition {
  offset: number;
  line: number;
  column: number;
}

/** Why R2 SQL would refuse a query. */
export interface SqlProblem {
  readonly kind: 'sql-problem';
  code: typeof R2SQL_ERROR_CODES.syntax | typeof R2SQL_ERROR_CODES.unsupported;
  message: string;
  position: SqlPosition;
  /** The construct refused, e.g. `OFFSET`, `INSERT`, `multiple statements`. */
  construct?: string;
}

/**
 * The line and column of an offset in `sql`.
 *
 * @example
 * ```ts
 * import { positionAt } from './sql-problem.ts';
 * positionAt('SELECT 1\nOFFSET 2', 9); // { offset: 9, line: 2, column: 1 }
 * ```
 */
export function positionAt(sql: string, offset: number): SqlPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < sql.length; i++) {
    if (sql.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * Creates a problem at an offset; the message gets the position appended (`at line 1, column 8`).
 *
 * @example
 * ```ts
 * import { createSqlProblem } from './sql-problem.ts';
 * createSqlProblem('SELECT 1 OFFSET 1', 9, 40004, 'OFFSET is not supported', 'OFFSET');
 * ```
 */
export function createSqlProblem(
  sql: string,
  offset: number,
  code: SqlProblem['code'],
  message: string,
  construct?: string,
): SqlProblem {
  const position = positionAt(sql, offset);
  return {
    kind: 'sql-problem',
    code,
    message: `${message} (at line ${position.line}, column ${position.column})`,
    position,
    ...(construct ? { construct } : {}),
  };
}

/**
 * Tells a {@link SqlProblem} from any other value.
 *
 * @example
 * ```ts
 * import { checkR2Sql } from './dialect/check-r2-sql.ts';
 * import { isSqlProblem } from './sql-problem.ts';
 * isSqlProblem(checkR2Sql('DROP TABLE analytics.events')); // true
 * ```
 */
export function isSqlProblem(value: unknown): value is SqlProblem {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sql-problem';
}
