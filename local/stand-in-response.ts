import { timingSafeEqual } from 'node:crypto';

/** A stand-in's answer, independent of the HTTP server that carries it. */
export interface StandInResponse {
  status: number;
  body: unknown;
}

/**
 * A failure in the server's shape, `{"error": {"code", "message", "field"?}}` (ingest and R2 SQL
 * answer in their platform's own shapes instead).
 *
 * @example
 * ```ts
 * import { errorResponse } from './stand-in-response.ts';
 * errorResponse(404, 'not_found', 'no route for GET /nope').body; // { error: { code: 'not_found', message: '…' } }
 * ```
 */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  field?: string,
): StandInResponse {
  return { status, body: { error: { code, message, ...(field ? { field } : {}) } } };
}

/**
 * Whether an Authorization header carries exactly `Bearer <token>` (compared in constant time).
 *
 * @example
 * ```ts
 * import { isBearer } from './stand-in-response.ts';
 * isBearer('Bearer s3cret', 's3cret'); // true
 * isBearer('bearer s3cret', 's3cret'); // false
 * ```
 */
export function isBearer(authorization: string | undefined, token: string): boolean {
  if (typeof authorization !== 'string') return false;
  const given = Buffer.from(authorization);
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
