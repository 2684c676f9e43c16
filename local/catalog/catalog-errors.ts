import type { StandInResponse } from '../stand-in-response.ts';

/**
 * A failure in the Iceberg REST Catalog's error shape: `{"error": {"message", "type", "code"}}` (code
 * is the HTTP status), which Iceberg clients (iceberg-js, PyIceberg) read.
 *
 * @example
 * ```ts
 * import { icebergError } from './catalog-errors.ts';
 * icebergError(404, 'NoSuchTableException', 'Table does not exist: analytics.nope');
 * ```
 */
export function icebergError(status: number, type: string, message: string): StandInResponse {
  return { status, body: { error: { message, type, code: status } } };
}
