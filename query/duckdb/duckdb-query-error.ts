import { isQueryEngineError, QueryEngineError } from '../query-engine-error.ts';

/**
 * Classifies an error DuckDB threw: a Parser Error is `syntax`, an Out of Memory Error `memory`,
 * anything else `failed`; the message keeps DuckDB's first line and its "Did you mean" hint.
 *
 * @example
 * ```ts
 * import { fromDuckDbError } from './duckdb-query-error.ts';
 * fromDuckDbError(new Error('Parser Error: syntax error at or near "FORM"')).reason; // 'syntax'
 * ```
 */
export function fromDuckDbError(cause: unknown): QueryEngineError {
  if (isQueryEngineError(cause)) return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  const [first = text] = text.split('\n');
  const hint = /Did you mean[^\n]*/.exec(text)?.[0];
  const message = hint && !first.includes(hint) ? `${first} ${hint}` : first;
  if (/^Parser Error|syntax error/i.test(text)) return new QueryEngineError('syntax', message);
  if (/^Out of Memory Error/i.test(text)) return new QueryEngineError('memory', message);
  return new QueryEngineError('failed', message);
}
