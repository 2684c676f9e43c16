/** The part of `fetch` the engine uses: Workers' and Node's global fetch both fit. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Construction options of {@link createR2SqlEngine}. */
export interface R2SqlEngineConfig {
  accountId: string;
  /** The R2 bucket whose R2 Data Catalog is queried. */
  bucket: string;
  /** An API token with R2 SQL read permission. */
  token: string;
  /** Defaults to Cloudflare's `https://api.sql.cloudflarestorage.com`; point at the local stand-in in dev. */
  endpoint?: string;
  /** Abort a request after this long (default 60 s); a timed-out query fails with code `timeout`. */
  timeoutMs?: number;
  /** Attempts for retryable failures (code 80001, connection errors), the first included. Default 4. */
  maxAttempts?: number;
  /** First retry delay (default 200 ms); doubles per attempt with full jitter, capped by `maxDelayMs`. */
  baseDelayMs?: number;
  /** Cap of one retry delay (default 5 s). */
  maxDelayMs?: number;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Defaults to `Math.random`; tests pass a fixed one. */
  random?: () => number;
}

/**
 * The default R2 SQL endpoint.
 *
 * @example
 * ```ts
 * import { R2SQL_ENDPOINT } from './r2sql-engine-config.ts';
 * `${R2SQL_ENDPOINT}/api/v1/accounts/<ACCOUNT_ID>/r2-sql/query/<BUCKET>`;
 * ```
 */
export const R2SQL_ENDPOINT = 'https://api.sql.cloudflarestorage.com';
