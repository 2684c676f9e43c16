/**
 * Why an engine that runs SQL itself (the local DuckDB engine) refused or failed a query: `syntax`
 * (its parser), `refused` (not one read-only statement), `timeout`, `memory` (DuckDB's memory limit,
 * or the engine process outgrew its bound), `too_large` (the result is over its byte cap), `busy` (too
 * many queries waiting), `crashed` (the engine process died under another query: retry), `failed`
 * (any other engine error).
 */
export type QueryEngineErrorReason =
  | 'syntax'
  | 'refused'
  | 'timeout'
  | 'memory'
  | 'too_large'
  | 'busy'
  | 'crashed'
  | 'failed';

/**
 * A query an engine did not answer, with the reason and a message that names the limit or
 * DuckDB's own error. `withR2SqlDialect` maps it onto R2 SQL's codes.
 *
 * @example
 * ```ts
 * import { isQueryEngineError } from './query-engine-error.ts';
 * try {
 *   await engine.query('SELECT count(*) FROM range(1000000000000)');
 * } catch (error) {
 *   if (isQueryEngineError(error) && error.reason === 'timeout') console.log(error.message);
 * }
 * ```
 */
export class QueryEngineError extends Error {
  override readonly name = 'QueryEngineError';
  readonly reason: QueryEngineErrorReason;

  constructor(reason: QueryEngineErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * Tells a {@link QueryEngineError} from any other value (also one rebuilt from another process).
 *
 * @example
 * ```ts
 * import { QueryEngineError, isQueryEngineError } from './query-engine-error.ts';
 * isQueryEngineError(new QueryEngineError('busy', 'too many queries')); // true
 * ```
 */
export function isQueryEngineError(value: unknown): value is QueryEngineError {
  return (
    value instanceof QueryEngineError ||
    (value instanceof Error && value.name === 'QueryEngineError' && 'reason' in value)
  );
}
