import type { ViewEngine, ViewTable } from '../../views/index.ts';
import { toMicros, WINDOW_US } from './bucket-time.ts';
import { readCommits, winningSegments } from './rollup-commits.ts';
import { type AnyRollup, bucketCountsSql, eventRowsSinceSql, landedCountsSql } from './rollup-sql.ts';

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

/** One reading of the events table: its rows at or after each of some times, and its row count. */
export interface RowsReading {
  since: number[];
  rows: number;
}

/**
 * An engine that vouches that one statement reads one snapshot of each table, however often it
 * names it (the local DuckDB engine does: its tables are views over explicit lists of files).
 */
export interface SnapshotReadingEngine {
  readonly readsOneSnapshot: true;
}

/** Whether `engine` vouches that a statement reads one snapshot of each table. */
export const isSnapshotReading = (engine: object): engine is SnapshotReadingEngine =>
  (engine as Partial<SnapshotReadingEngine>).readsOneSnapshot === true;

/**
 * How many events rows (every event name, duplicates counted) have a time before each of `befores`,
 * as one consistent reading: the table's row count (file metadata, no data read) minus the rows at
 * or after them (the newest files only), both read in one statement. On an engine that reads one
 * snapshot per statement (see {@link isSnapshotReading}) one reading is consistent; on any other,
 * two successive readings that agree are (rows never leave the lake, so nothing that either count
 * could see landed between them); when they differ it is read again, and null when it never
 * settles. `first`: a reading already taken (the refresh's start reads one), so it is not read again.
 * An unchanged count before a time then means nothing landed there since.
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
  first?: RowsReading,
): Promise<number[] | null> {
  const read = async (): Promise<RowsReading> => {
    const row = (await engine.query(eventRowsSinceSql(table, befores).text)).rows[0] ?? {};
    return { since: befores.map((_, i) => Number(row[`since_${i}`] ?? 0)), rows: Number(row.rows ?? 0) };
  };
  const settled = (r: RowsReading) => r.since.map((n) => r.rows - n);
  let last = first ?? (await read());
  if (isSnapshotReading(engine)) return settled(last);
  for (let attempt = 0; attempt < SETTLE_ATTEMPTS; attempt++) {
    const again = await read();
    if (again.rows === last.rows && again.since.every((n, i) => n === last.since[i])) return settled(again);
    last = again;
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
