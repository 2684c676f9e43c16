/**
 * Small pieces the cases' oracles share: deduplication as a view does it, and times in the form the
 * engines answer them.
 *
 * @module
 */
import type { EventRow } from '../../../schemas/index.ts';

/**
 * The rows with one row per id (the first delivered), as every view deduplicates.
 *
 * @example
 * ```ts
 * import { dedupeById } from './oracle-helpers.ts';
 * dedupeById([{ id: 'a' }, { id: 'a' }]).length; // 1
 * ```
 */
export function dedupeById<R extends { id: string }>(rows: readonly R[]): R[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    if (seen.has(row.id)) return false;
    seen.add(row.id);
    return true;
  });
}

const UNIT_US = { minute: 60e6, hour: 3600e6, day: 86_400e6 } as const;

/**
 * µs since the epoch as ISO text with µs (`2026-11-25T09:00:00.000000Z`).
 *
 * @example
 * ```ts
 * import { microsToIso } from './oracle-helpers.ts';
 * microsToIso(1_764_061_200_000_001); // '2025-11-25T09:00:00.000001Z'
 * ```
 */
export function microsToIso(us: number): string {
  const seconds = Math.floor(us / 1e6);
  const fraction = String(us - seconds * 1e6).padStart(6, '0');
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/**
 * The start of the UTC minute, hour, day or (Monday-based) week holding `us`, as ISO text.
 *
 * @example
 * ```ts
 * import { truncateMicros } from './oracle-helpers.ts';
 * truncateMicros(Date.parse('2026-11-25T09:42:00Z') * 1000, 'hour'); // '2026-11-25T09:00:00.000000Z'
 * ```
 */
export function truncateMicros(us: number, unit: keyof typeof UNIT_US | 'week'): string {
  if (unit !== 'week') return microsToIso(Math.floor(us / UNIT_US[unit]) * UNIT_US[unit]);
  const day = Math.floor(us / UNIT_US.day);
  // 1970-01-01 was a Thursday: days since the epoch + 3, mod 7, is days since Monday.
  return microsToIso((day - ((day + 3) % 7)) * UNIT_US.day);
}

/**
 * Whether an event's time is in [since, until), either bound optional.
 *
 * @example
 * ```ts
 * import { within } from './oracle-helpers.ts';
 * within({ ts: 5_000 }, new Date(0), new Date(1)); // false: 5 ms is past the 1 ms bound
 * ```
 */
export function within(event: Pick<EventRow, 'ts'>, since?: Date, until?: Date): boolean {
  return (!since || event.ts >= since.getTime() * 1000) && (!until || event.ts < until.getTime() * 1000);
}
