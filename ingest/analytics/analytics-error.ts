/** What went wrong, as a stable code. */
export type AnalyticsErrorCode =
  | 'invalid_config'
  | 'invalid_input'
  | 'unknown_action'
  | 'unknown_event'
  | 'no_namespace'
  | 'no_sink'
  | 'no_binding'
  | 'unstreamed'
  | 'read_only';

/**
 * An error of the `$` integration: a code, a message a person can act on, and where (`field`).
 *
 * @example
 * ```ts
 * import { AnalyticsError } from './analytics-error.ts';
 * try { await this.$.compact(); } catch (e) { if (e instanceof AnalyticsError && e.code === 'unstreamed') retryLater(); }
 * ```
 */
export class AnalyticsError extends Error {
  override name = 'AnalyticsError';
  constructor(
    readonly code: AnalyticsErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
