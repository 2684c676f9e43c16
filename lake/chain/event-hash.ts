import { canonicalJson } from './canonical-json.ts';
import { sha256Hex } from './sha256-hex.ts';

/**
 * The text an event's hash is computed over: the canonical JSON of the row without `hash` and without
 * null columns — so adding a nullable column later leaves every earlier hash valid.
 *
 * @example
 * ```ts
 * import { hashInput } from './event-hash.ts';
 * hashInput({ seq: 1, prev_hash: null, hash: 'x', data: { b: 1, a: 2 } }); // '{"data":{"a":2,"b":1},"seq":1}'
 * ```
 */
export function hashInput(row: Record<string, unknown>): string {
  const covered: Record<string, unknown> = {};
  for (const key in row) {
    if (key === 'hash') continue;
    const value = row[key];
    if (value !== null && value !== undefined) covered[key] = value;
  }
  return canonicalJson(covered);
}

/**
 * SHA-256 (hex) over the canonical row: what the `hash` column must hold.
 *
 * @example
 * ```ts
 * import { eventHash } from './event-hash.ts';
 * const row = { seq: 1, prev_hash: null, hash: null, verb: 'created' };
 * row.hash = eventHash(row);
 * ```
 */
export const eventHash = (row: Record<string, unknown>): string => sha256Hex(hashInput(row));
