import { R2SQL_ERROR_CODES } from '../../sql/sql-problem.ts';

/**
 * Codes an {@link R2SqlError} carries: the platform's numeric codes (40003 syntax, 40004 invalid or
 * unsupported, 80001 retryable, 10000 authentication), or what went wrong before an answer arrived.
 */
export type R2SqlErrorCode = number | 'timeout' | 'network' | 'malformed_response' | 'http';

/** Construction fields of an {@link R2SqlError}. */
export interface R2SqlErrorInit {
  code: R2SqlErrorCode;
  message: string;
  /** HTTP status, when an answer arrived. */
  status?: number;
  /** The query that failed. */
  sql: string;
  /** How many requests were sent. */
  attempts: number;
  /** Where in the SQL the platform located the problem, when it said. */
  position?: { line: number; column: number };
}

/**
 * A failed R2 SQL query: the platform's code and message, the HTTP status, the SQL and the attempts made.
 *
 * @example
 * ```ts
 * import { isR2SqlError } from './r2sql-error.ts';
 * try {
 *   await engine.query('SELECT * FROM analytics.events OFFSET 5');
 * } catch (error) {
 *   if (isR2SqlError(error) && error.code === 40004) console.log(error.message);
 * }
 * ```
 */
export class R2SqlError extends Error {
  override readonly name = 'R2SqlError';
  readonly code: R2SqlErrorCode;
  readonly status?: number;
  readonly sql: string;
  readonly attempts: number;
  readonly position?: { line: number; column: number };

  constructor(init: R2SqlErrorInit) {
    super(`R2 SQL ${init.code}: ${init.message}`);
    this.code = init.code;
    this.sql = init.sql;
    this.attempts = init.attempts;
    if (init.status !== undefined) this.status = init.status;
    if (init.position) this.position = init.position;
  }

  /** True for failures worth retrying: code 80001 and connection errors. */
  get retryable(): boolean {
    return this.code === R2SQL_ERROR_CODES.retryable || this.code === 'network';
  }
}

/**
 * Tells an {@link R2SqlError} from any other value (also across bundles, by name and code).
 *
 * @example
 * ```ts
 * import { isR2SqlError } from './r2sql-error.ts';
 * isR2SqlError(new Error('x')); // false
 * ```
 */
export function isR2SqlError(value: unknown): value is R2SqlError {
  return (
    value instanceof R2SqlError ||
    (value instanceof Error && value.name === 'R2SqlError' && 'code' in value && 'attempts' in value)
  );
}
