import { R2SQL_ERROR_CODES } from '../../sql/index.ts';
import type { StandInResponse } from '../stand-in-response.ts';

/**
 * A failed answer in the platform's shape: `{"success": false, "errors": [{"code", "message"}]}`.
 *
 * @example
 * ```ts
 * import { r2SqlFailure } from './parse-r2sql-request.ts';
 * r2SqlFailure(400, 40004, 'OFFSET is not supported');
 * ```
 */
export function r2SqlFailure(
  status: number,
  code: number,
  message: string,
  extra: object = {},
): StandInResponse {
  return {
    status,
    body: { success: false, errors: [{ code, message, ...extra }], messages: [], result: null },
  };
}

/** What a valid request asks for. */
export interface R2SqlRequest {
  query: string;
  warehouse?: string;
}

/**
 * Checks the parts of a request that come before any SQL: the bearer token (403), the bucket name, the
 * body size, and the JSON body — `{"query": "..."}` as the REST API documents it, or
 * `{"warehouse": "<ACCOUNT_ID>_<BUCKET>", "query": "..."}` as wrangler 4.86 sends it (the warehouse must
 * name this bucket).
 *
 * @example
 * ```ts
 * import { parseR2SqlRequest } from './parse-r2sql-request.ts';
 * parseR2SqlRequest('lake', '{"query":"SELECT 1"}', 'Bearer t', 't'); // { query: 'SELECT 1' }
 * ```
 */
export function parseR2SqlRequest(
  bucket: string,
  body: string | null,
  authorization: string | undefined,
  token: string | undefined,
): R2SqlRequest | StandInResponse {
  if (token && authorization !== `Bearer ${token}`) {
    return r2SqlFailure(
      403,
      R2SQL_ERROR_CODES.authentication,
      authorization
        ? 'Authentication error: this token has no access to R2 SQL on this bucket'
        : 'Authentication error: send Authorization: Bearer <token>',
    );
  }
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) {
    return r2SqlFailure(400, R2SQL_ERROR_CODES.unsupported, `"${bucket}" is not a bucket name`);
  }
  if (body === null) return r2SqlFailure(413, R2SQL_ERROR_CODES.unsupported, 'request body too large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    return r2SqlFailure(
      400,
      R2SQL_ERROR_CODES.unsupported,
      `malformed JSON body: ${(cause as Error).message}`,
    );
  }
  const { query, warehouse } = (parsed ?? {}) as { query?: unknown; warehouse?: unknown };
  if (typeof query !== 'string' || query.trim() === '') {
    return r2SqlFailure(400, R2SQL_ERROR_CODES.unsupported, 'body must be {"query": "<sql>"}');
  }
  if (warehouse !== undefined) {
    if (typeof warehouse !== 'string' || !warehouse.endsWith(`_${bucket}`)) {
      return r2SqlFailure(
        400,
        R2SQL_ERROR_CODES.unsupported,
        `warehouse ${JSON.stringify(warehouse)} does not name bucket "${bucket}" (expected "<ACCOUNT_ID>_${bucket}")`,
      );
    }
    return { query, warehouse };
  }
  return { query };
}
