/** What was wrong with a `record()` input. */
export type RecordInputErrorCode =
  | 'missing_field'
  | 'invalid_verb'
  | 'invalid_type'
  | 'invalid_path'
  | 'invalid_timestamp'
  | 'timestamp_in_milliseconds'
  | 'invalid_value'
  | 'not_json'
  | 'payload_too_large';

/**
 * Thrown for input `record()` cannot take: `code` says what, `field` names the input field, and the
 * message says how to fix it. Nothing of the call is written.
 *
 * @example
 * ```ts
 * import { RecordInputError } from './record-input-error.ts';
 * try { record(ctx.storage, input); } catch (e) {
 *   if (e instanceof RecordInputError) return Response.json({ error: e.toJSON() }, { status: 400 });
 * }
 * ```
 */
export class RecordInputError extends Error {
  override name = 'RecordInputError';
  constructor(
    readonly field: string,
    message: string,
    readonly code: RecordInputErrorCode = 'invalid_value',
  ) {
    super(`record(): ${field} ${message}`);
  }

  /** The error as the Worker answers it: `{ code, message, field }`. */
  toJSON(): { code: RecordInputErrorCode; message: string; field: string } {
    return { code: this.code, message: this.message, field: this.field };
  }
}
