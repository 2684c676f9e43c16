import { R2SQL_ERROR_CODES } from '../../sql/index.ts';
import { isR2SqlError } from '../r2sql/r2sql-error.ts';

/** The body of every failure the query API answers (`{"error": {...}}`). */
export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string;
  /** Every problem, when there are several (each bad param). */
  issues?: { field: string; message: string }[];
}

/**
 * A failure as the query API answers it: `{"error": {"code", "message", "field"?}}`.
 *
 * @example
 * ```ts
 * import { apiError } from './api-error.ts';
 * apiError(403, { code: 'forbidden', message: 'this token may not run view x' }).status; // 403
 * ```
 */
export function apiError(
  status: number,
  error: ApiErrorBody,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ error }, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

/**
 * What an engine failure becomes. For raw SQL (`own: true`) a query R2 SQL refuses is the caller's
 * (400); for a view, SQL the server wrote failed (502). Over the scan budget is 422; a retryable or
 * unreachable engine 503 with Retry-After; anything else 502 — never a stack trace.
 *
 * @example
 * ```ts
 * import { engineErrorResponse } from './api-error.ts';
 * engineErrorResponse(new Error('boom'), { own: false }).status; // 502
 * ```
 */
export function engineErrorResponse(error: unknown, options: { own: boolean }): Response {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 500);
  if (isR2SqlError(error)) {
    const code = error.code;
    if (code === R2SQL_ERROR_CODES.syntax || code === R2SQL_ERROR_CODES.unsupported) {
      return options.own
        ? apiError(400, { code: 'invalid_sql', message, field: 'sql' })
        : apiError(502, { code: 'view_failed', message });
    }
    if (code === R2SQL_ERROR_CODES.budget) return apiError(422, { code: 'over_budget', message });
    if (code === R2SQL_ERROR_CODES.retryable || code === 'network' || code === 'timeout')
      return apiError(503, { code: 'engine_unavailable', message }, { 'retry-after': '1' });
  }
  return apiError(502, { code: 'engine_failed', message });
}
