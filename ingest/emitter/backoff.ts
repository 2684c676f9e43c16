/** How retries space out. */
export interface BackoffOptions {
  /** First delay (default 100 ms). */
  baseMs?: number;
  /** Ceiling (default 30 s). */
  maxMs?: number;
  /** Fraction of the delay drawn at random, so many objects do not retry in lockstep (default 0.25). */
  jitter?: number;
}

/**
 * The delay before retry number `attempt` (1-based): base × 2^(attempt-1), capped, with jitter.
 *
 * @example
 * ```ts
 * import { backoffDelay } from './backoff.ts';
 * backoffDelay(1); // ~100 ms
 * backoffDelay(4); // ~800 ms
 * backoffDelay(20); // ~30 s
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 30_000;
  const jitter = options.jitter ?? 0.25;
  const delay = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(delay * (1 - jitter + jitter * random()));
}
