/** What went wrong in a replay; each code says where to look. */
export type ReplayErrorCode =
  | 'invalid_source'
  | 'invalid_target'
  | 'unsafe_key'
  | 'unauthorized'
  | 'not_found'
  | 'source_failed'
  | 'timeout'
  | 'corrupt_file'
  | 'bad_metadata';

/**
 * A replay failure: a code, a message a person can act on, and where (a source key, URL or flag).
 *
 * @example
 * ```ts
 * import { ReplayError } from './replay-error.ts';
 * throw new ReplayError('unsafe_key', 'the listing names a key with ".."', 'events/../x.parquet');
 * ```
 */
export class ReplayError extends Error {
  override name = 'ReplayError';
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${message} (at ${where})` : message);
  }
}

/**
 * Whether a value is a {@link ReplayError}.
 *
 * @example
 * ```ts
 * import { isReplayError } from './replay-error.ts';
 * isReplayError(new Error('x')); // false
 * ```
 */
export const isReplayError = (value: unknown): value is ReplayError => value instanceof ReplayError;
