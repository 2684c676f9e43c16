import type { ViewEngine, ViewTable } from '../../views/index.ts';
import { toMicros, WINDOW_US } from './bucket-time.ts';
import { isSnapshotReading } from './late-events.ts';
import type { RollupState } from './materialize-state.ts';
import {
  type AnyRollup,
  landedSinceColumns,
  landedSinceSql,
  landedSql,
  landedWithRowsSql,
} from './rollup-sql.ts';

/** What has landed since a refresh's start, with the events rows since some bucket starts after it. */
export interface Landed {
  oldest: number | null;
  newest: number | null;
  /** Events rows (every event name) at or after `time`, when counted; else undefined. */
  rowsSince?: (time: number) => number | undefined;
  /** The events table's row count, read with `rowsSince`. */
  rows?: number;
  /** The rollup's rows of every bucket at or after `from`, read in the same statement (snapshot). */
  ahead?: { from: number; rows: Record<string, unknown>[] };
}

/** Where a refresh's start reads: the engine, the namespace's tables, and the most rows read ahead. */
export interface StartReader {
  engine: ViewEngine;
  table: ViewTable;
  /** Below this many rows read ahead, they are the whole of their buckets (the rollup's row limit). */
  rowLimit: number;
}

/** Bucket starts after `since` whose rows are counted with it: where the next refresh may start. */
const COUNTED_BUCKETS = 8;

/**
 * The oldest and newest event the rollup reads; with `from`, of those at or after it.
 *
 * @example
 * ```ts
 * import { landed } from './refresh-start.ts';
 * const { newest } = await landed(revenue, { engine, table: namespaceTables('analytics'), rowLimit: 100_000 });
 * ```
 */
export async function landed(rollup: AnyRollup, reader: StartReader, from?: number): Promise<Landed> {
  const { rows } = await reader.engine.query(landedSql(rollup, reader.table, from).text);
  const row = rows[0] ?? {};
  return {
    oldest: row.oldest == null ? null : toMicros(row.oldest),
    newest: row.newest == null ? null : toMicros(row.newest),
  };
}

/**
 * The newest files: the rollup's oldest and newest event since `since`, and rows since bucket
 * starts; with the table's row count (file metadata), in one statement. With `ahead`, the same
 * statement also reads the rollup's rows from `since` on (see `landedWithRowsSql`), when it can.
 */
async function landedSince(
  rollup: AnyRollup,
  reader: StartReader,
  since: number,
  ahead = false,
): Promise<Landed> {
  const size = WINDOW_US[rollup.rollup.window];
  const times = Array.from({ length: COUNTED_BUCKETS }, (_, i) => since + i * size);
  const both = ahead ? landedWithRowsSql(rollup, reader.table, since, times, reader.rowLimit) : null;
  const statement = both ?? landedSinceSql(rollup, reader.table, since, times);
  const { rows: read } = await reader.engine.query(statement.text);
  // Only the start's own row counts the table (count(*) is never null); the rest are rollup rows.
  const row = read.find((r) => r.rows != null) ?? {};
  const landedRow = {
    oldest: row.oldest == null ? null : toMicros(row.oldest),
    newest: row.newest == null ? null : toMicros(row.newest),
    rowsSince: (time: number) => {
      const i = times.indexOf(time);
      return i < 0 ? undefined : Number(row[`since_${i}`] ?? 0);
    },
    rows: Number(row.rows ?? 0),
  };
  if (!both) return landedRow;
  const start = new Set(landedSinceColumns(times.length));
  const names = Object.keys(read[0] ?? {}).filter((name) => !start.has(name));
  const rollupRows = read
    .filter((r) => r !== row)
    .map((r) => Object.fromEntries(names.map((name) => [name, r[name]])));
  // At the row limit the buckets may hold more groups than were read: they are read again in parts.
  return rollupRows.length < reader.rowLimit
    ? { ...landedRow, ahead: { from: since, rows: rollupRows } }
    : landedRow;
}

/**
 * A refresh's start (see `landedSince`), first read only from the last refresh's last mark: when the
 * rows before it are still those it counted, nothing landed before it since, so the counts before
 * every earlier mark are the last refresh's, and only the files after it are read. Otherwise (rows
 * landed late, or nothing after the mark) it is read again from `since`. On an engine that reads one
 * snapshot per statement, that first reading also reads the rollup's rows from the mark on (`ahead`):
 * when nothing landed before the mark, they are what the refresh recomputes, so it needs no second
 * query; otherwise they are dropped.
 *
 * @example
 * ```ts
 * import { startSince } from './refresh-start.ts';
 * const start = await startSince(revenue, reader, since, state);
 * start.newest; // the newest event the rollup reads, or null
 * ```
 */
export async function startSince(
  rollup: AnyRollup,
  reader: StartReader,
  since: number,
  state: RollupState,
): Promise<Landed> {
  const settled = state.resumeFrom === null ? state.settled : null;
  const last = settled?.marks?.at(-1);
  if (settled && last && last[0] > since) {
    const quick = await landedSince(rollup, reader, last[0], isSnapshotReading(reader.engine));
    const after = quick.rowsSince?.(last[0]);
    if (
      quick.newest !== null &&
      quick.rows !== undefined &&
      after !== undefined &&
      quick.rows - after === last[1]
    ) {
      const rows = quick.rows;
      const known = new Map([[settled.before, settled.rows], ...settled.marks!]);
      const rowsSince = (time: number): number | undefined => {
        if (time >= last[0]) return quick.rowsSince?.(time);
        const before = known.get(time);
        return before === undefined ? undefined : rows - before;
      };
      return { ...quick, rowsSince };
    }
  }
  return landedSince(rollup, reader, since);
}
