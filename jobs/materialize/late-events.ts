import type { ViewEngine, ViewTable } from '../../views/index.ts';
import { toMicros, WINDOW_US } from './bucket-time.ts';
import { readCommits, winningSegments } from './rollup-commits.ts';
import {
  type AnyRollup,
  bucketCountsSql,
  eventRowsSinceSql,
  eventRowsSql,
  landedCountsSql,
} from './rollup-sql.ts';

/** Late events found: how many, and the starts (µs) of their buckets, oldest first. */
export interface LateEvents {
  events: number;
  buckets: number[];
}

/** How many times the settled count is measured again when rows land while it is measured. */
const SETTLE_ATTEMPTS = 3;

/**
 * Deduplicated events per bucket of `[from, to)` that a rollup reads.
 *
 * @example
 * ```ts
 * import { bucketCounts } from './late-events.ts';
 * (await bucketCounts(engine, revenue, namespaceTables('analytics'), 0, 3_600_000_000)).size; // 0 on an empty lake
 * ```
 */
export async function bucketCounts(
  engine: ViewEngine,
  rollup: AnyRollup,
  table: ViewTable,
  from: number,
  to: number,
): Promise<Map<number, number>> {
  const { rows } = await engine.query(bucketCountsSql(rollup, table, from, to).text);
  return new Map(rows.map((r) => [toMicros(r.bucket), Number(r.events)]));
}

/**
 * How many events rows (every event name, duplicates counted) have a time before each of `befores`,
 * as one consistent reading: the table's row count (file metadata, no data read) minus the rows at
 * or after them (the newest files only), the latter counted before and after the former — when they
 * differ rows landed in between and it is measured again; null when it never settles (`counted`:
 * the rows at or after them already counted, so the first count is not read again). Rows never
 * leave the lake, so an unchanged count before a time means nothing landed there since.
 *
 * @example
 * ```ts
 * import { settledRows } from './late-events.ts';
 * await settledRows(engine, namespaceTables('analytics'), [1_764_000_000_000_000]); // [n] or null
 * ```
 */
export async function settledRows(
  engine: ViewEngine,
  table: ViewTable,
  befores: readonly number[],
  counted?: readonly number[],
): Promise<number[] | null> {
  const since = async () => {
    const row = (await engine.query(eventRowsSinceSql(table, befores).text)).rows[0] ?? {};
    return befores.map((_, i) => Number(row[`since_${i}`] ?? 0));
  };
  let first = counted ? [...counted] : await since();
  for (let attempt = 0; attempt < SETTLE_ATTEMPTS; attempt++) {
    const total = Number((await engine.query(eventRowsSql(table).text)).rows[0]?.rows ?? 0);
    const again = await since();
    // No row at or after the earliest time landed while the total was read: the two agree.
    if (again.every((n, i) => n === first[i])) return again.map((n) => total - n);
    first = again;
  }
  return null;
}

/**
 * Buckets of `[before − horizon buckets, before)` whose landed events outnumber what is
 * materialized: the events that landed later than the lookback, counted exactly (deduplicated).
 *
 * @example
 * ```ts
 * import { findLateEvents } from './late-events.ts';
 * const late = await findLateEvents(engine, revenue, namespaceTables('analytics'), before, 168);
 * late.events >= 0; // true
 * ```
 */
export async function findLateEvents(
  engine: ViewEngine,
  rollup: AnyRollup,
  table: ViewTable,
  before: number,
  horizonBuckets: number,
): Promise<LateEvents> {
  const size = WINDOW_US[rollup.rollup.window];
  const start = before - size * horizonBuckets;
  const segments = winningSegments(await readCommits(engine, rollup, table));
  const counted = new Map<number, number>();
  for (const segment of segments) {
    for (const [bucket, n] of segment.counts)
      if (bucket >= segment.from && bucket < segment.to) counted.set(bucket, n);
  }
  // Rows as landed (duplicates counted) bound the events from above: only buckets where they exceed
  // what is materialized are counted exactly, deduplicated.
  const { rows: landedRows } = await engine.query(landedCountsSql(rollup, table, start, before).text);
  const suspect = landedRows
    .map((r) => [toMicros(r.bucket), Number(r.events)] as const)
    .filter(([bucket, n]) => n > (counted.get(bucket) ?? 0))
    .map(([bucket]) => bucket);
  const raw =
    suspect.length === 0
      ? new Map<number, number>()
      : await bucketCounts(engine, rollup, table, Math.min(...suspect), Math.max(...suspect) + size);
  let events = 0;
  const buckets: number[] = [];
  for (const [bucket, n] of raw) {
    const missing = n - (counted.get(bucket) ?? 0);
    if (missing > 0) {
      events += missing;
      buckets.push(bucket);
    }
  }
  return { events, buckets: buckets.sort((a, b) => a - b) };
}
