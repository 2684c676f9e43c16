import type { RollupWindow } from '../../views/index.ts';

const MINUTE_US = 60_000_000;
/** The length of each window in µs. */
export const WINDOW_US: Readonly<Record<RollupWindow, number>> = {
  minute: MINUTE_US,
  hour: 60 * MINUTE_US,
  day: 24 * 60 * MINUTE_US,
  week: 7 * 24 * 60 * MINUTE_US,
};
// 1970-01-01 was a Thursday; weeks start on Monday (date_trunc('week') in R2 SQL and DuckDB).
const WEEK_OFFSET_US = 4 * WINDOW_US.day;

/**
 * The start of the bucket holding `us` (UTC µs), as `date_trunc(window, ts)` computes it.
 *
 * @example
 * ```ts
 * import { bucketStart } from './bucket-time.ts';
 * new Date(bucketStart(Date.parse('2026-11-25T09:41:00Z') * 1000, 'hour') / 1000).toISOString(); // '2026-11-25T09:00:00.000Z'
 * ```
 */
export function bucketStart(us: number, window: RollupWindow): number {
  const size = WINDOW_US[window];
  const offset = window === 'week' ? WEEK_OFFSET_US : 0;
  return Math.floor((us - offset) / size) * size + offset;
}

/**
 * The buckets of `[from, to)` in chunks of at most `buckets` buckets each, `from` aligned down.
 *
 * @example
 * ```ts
 * import { bucketChunks } from './bucket-time.ts';
 * bucketChunks(0, 5 * 3_600_000_000, 'hour', 2).length; // 3
 * ```
 */
export function bucketChunks(
  from: number,
  to: number,
  window: RollupWindow,
  buckets: number,
): [number, number][] {
  const size = WINDOW_US[window];
  const chunks: [number, number][] = [];
  for (let a = bucketStart(from, window); a < to; a += size * buckets) {
    chunks.push([a, Math.min(a + size * buckets, bucketStart(to - 1, window) + size)]);
  }
  return chunks;
}

/**
 * A µs time as the ISO text engines answer timestamps in.
 *
 * @example
 * ```ts
 * import { isoOf } from './bucket-time.ts';
 * isoOf(1_764_000_000_000_000); // '2025-11-24T16:00:00.000Z'
 * ```
 */
export function isoOf(us: number): string {
  return new Date(us / 1000).toISOString();
}

/**
 * A time an engine answered (ISO text, epoch µs, or a Date) as UTC µs.
 *
 * @example
 * ```ts
 * import { toMicros } from './bucket-time.ts';
 * toMicros('2026-11-25T09:00:00Z'); // 1764061200000000
 * ```
 */
export function toMicros(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime() * 1000;
  // ISO text, or DuckDB's own form (`2026-11-25 09:00:00.123456+00`).
  const text = String(value)
    .replace(' ', 'T')
    .replace(/([+-]\d\d)$/, '$1:00');
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${JSON.stringify(value)}`);
  const fraction = /\.(\d{4,6})/.exec(text)?.[1];
  return ms * 1000 + (fraction ? Number(fraction.padEnd(6, '0').slice(3)) : 0);
}
