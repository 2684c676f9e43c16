import { type SqlFragment, sql } from '../../sql/index.ts';
import {
  type RollupParams,
  type RollupSpec,
  rollupColumns,
  type View,
  type ViewTable,
} from '../../views/index.ts';

/** Any rollup, whatever its measures: what materialization reads of one. */
export type AnyRollup = Pick<
  View<RollupParams, unknown>,
  'name' | 'version' | 'key' | 'parseParams' | 'render'
> & {
  readonly rollup: RollupSpec;
};

const bucketOf = (rollup: AnyRollup): SqlFragment => sql`date_trunc(${rollup.rollup.window}, "ts")`;

/**
 * The events a rollup reads in `[from, to)`: deduplicated on id, or with duplicates kept for what a
 * duplicate cannot change. Both bounds sit in the SELECT that reads the table, so an engine prunes
 * its files on them.
 */
function eventsOf(
  rollup: AnyRollup,
  table: ViewTable,
  { from, to, dedup = true }: { from?: number; to?: number; dedup?: boolean },
): SqlFragment {
  const bounds = [
    sql`"event" IN ${[...rollup.rollup.from]}`,
    ...(from === undefined ? [] : [sql`"ts" >= ${sql.timestamp(from)}`]),
    ...(to === undefined ? [] : [sql`"ts" < ${sql.timestamp(to)}`]),
  ];
  const where = rollup.rollup.where ? sql` WHERE ${rollup.rollup.where}` : sql``;
  const distinct = dedup ? sql`DISTINCT ON ("id") ` : sql``;
  return sql`(SELECT * FROM (SELECT ${distinct}${rollupColumns(rollup.rollup)} FROM ${table('events')} WHERE ${sql.join(bounds, ' AND ')}) AS "d"${where}) AS "e"`;
}

/**
 * The oldest and newest time of the events a rollup reads (what has landed); with `from`, of those at
 * or after it (the engine then reads only the files that can hold them). A duplicate has its
 * original's time, so this needs no deduplication.
 *
 * @example
 * ```ts
 * import { landedSql } from './rollup-sql.ts';
 * landedSql(revenue, namespaceTables('analytics')).text.startsWith('SELECT min'); // true
 * ```
 */
export function landedSql(rollup: AnyRollup, table: ViewTable, from?: number): SqlFragment {
  return sql`SELECT min("ts") AS "oldest", max("ts") AS "newest" FROM ${eventsOf(rollup, table, { from, dedup: false })}`;
}

const sinceCounts = (times: readonly number[]): SqlFragment[] =>
  times.map(
    (t, i) => sql`count(CASE WHEN "ts" >= ${sql.timestamp(t)} THEN 1 END) AS ${sql.id(`since_${i}`)}`,
  );
const sinceNames = (times: readonly number[]): SqlFragment[] =>
  times.map((_, i) => sql`"s".${sql.id(`since_${i}`)}`);

/**
 * `columns` of one row read from the events table at or after `from` (aliased `"s"`) beside the
 * table's row count (`"rows"`, every event name, duplicates counted: an engine answers it from file
 * metadata), in one statement.
 */
function besideRowCount(table: ViewTable, names: SqlFragment[], columns: SqlFragment[], from: number) {
  return sql`SELECT ${sql.join([...names, sql`"t"."rows"`])}
FROM (SELECT ${sql.join(columns)} FROM ${table('events')} WHERE "ts" >= ${sql.timestamp(from)}) AS "s"
CROSS JOIN (SELECT count(*) AS "rows" FROM ${table('events')}) AS "t"`;
}

/**
 * Since `from`, the oldest and newest time of the events a rollup reads, the events rows (every
 * event name, duplicates counted) at or after each of `times` as `since_0`, `since_1`, …, and the
 * events table's row count as `rows`: what an incremental refresh starts from, in one statement.
 *
 * @example
 * ```ts
 * import { landedSinceSql } from './rollup-sql.ts';
 * landedSinceSql(revenue, namespaceTables('analytics'), 0, [0]).text.includes('"since_0"'); // true
 * ```
 */
export function landedSinceSql(
  rollup: AnyRollup,
  table: ViewTable,
  from: number,
  times: readonly number[],
): SqlFragment {
  const events = sql`"event" IN ${[...rollup.rollup.from]}`;
  const match = rollup.rollup.where ? sql`${events} AND (${rollup.rollup.where})` : events;
  const columns = [
    sql`min(CASE WHEN ${match} THEN "ts" END) AS "oldest"`,
    sql`max(CASE WHEN ${match} THEN "ts" END) AS "newest"`,
    ...sinceCounts(times),
  ];
  return besideRowCount(table, [sql`"s"."oldest"`, sql`"s"."newest"`, ...sinceNames(times)], columns, from);
}

/**
 * The columns of {@link landedSinceSql}'s row with `counted` times.
 *
 * @example
 * ```ts
 * import { landedSinceColumns } from './rollup-sql.ts';
 * landedSinceColumns(1); // ['oldest', 'newest', 'since_0', 'rows']
 * ```
 */
export const landedSinceColumns = (counted: number): string[] => [
  'oldest',
  'newest',
  ...Array.from({ length: counted }, (_, i) => `since_${i}`),
  'rows',
];

/**
 * {@link landedSinceSql}'s row, and below it the rollup's rows of every bucket at or after `from`
 * (its own SQL, at most `limit`), in one statement: each part's columns null in the other's rows, the
 * start's row the one whose `rows` is not null. What a steady refresh reads in a single round trip,
 * both parts from one snapshot on an engine that reads one per statement. Null when a column of the
 * rollup's is named like one of the start's (case folded, as DuckDB folds them).
 *
 * @example
 * ```ts
 * import { landedWithRowsSql } from './rollup-sql.ts';
 * landedWithRowsSql(revenue, namespaceTables('analytics'), 0, [0], 1000)?.text.includes('UNION ALL'); // true
 * ```
 */
export function landedWithRowsSql(
  rollup: AnyRollup,
  table: ViewTable,
  from: number,
  times: readonly number[],
  limit: number,
): SqlFragment | null {
  const start = landedSinceColumns(times.length);
  const own = [
    'bucket',
    ...rollup.rollup.groupBy.map((g) => g.column),
    ...Object.keys(rollup.rollup.measures),
  ];
  const folded = new Set(start);
  if (own.some((name) => folded.has(name.toLowerCase()))) return null;
  const rows = sql.raw(rollup.render({ since: from / 1000, limit }).sql);
  const of = (alias: string, names: string[]) => names.map((n) => sql`${sql.id(alias)}.${sql.id(n)}`);
  const nulls = (names: string[], named: boolean) =>
    names.map((n) => (named ? sql`NULL AS ${sql.id(n)}` : sql`NULL`));
  return sql`SELECT ${sql.join([...of('a', start), ...nulls(own, true)])}
FROM (${landedSinceSql(rollup, table, from, times)}) AS "a"
UNION ALL
SELECT ${sql.join([...nulls(start, false), ...of('r', own)])}
FROM (${rows}) AS "r"`;
}

/**
 * How many events rows (every event name, duplicates counted) have a time at or after each of
 * `times`, as `since_0`, `since_1`, …, and how many the table holds (`rows`), in one statement: the
 * former bounded below by the earliest time, so an engine reads only the files that can hold them.
 *
 * @example
 * ```ts
 * import { eventRowsSinceSql } from './rollup-sql.ts';
 * eventRowsSinceSql(namespaceTables('analytics'), [0, 3_600_000_000]).text.includes('"since_1"'); // true
 * ```
 */
export function eventRowsSinceSql(table: ViewTable, times: readonly number[]): SqlFragment {
  return besideRowCount(table, sinceNames(times), sinceCounts(times), Math.min(...times));
}

/**
 * Event rows per bucket of `[from, to)` as landed, duplicates counted: a cheap upper bound of
 * {@link bucketCountsSql}, so only buckets that may hold late events are counted exactly.
 *
 * @example
 * ```ts
 * import { landedCountsSql } from './rollup-sql.ts';
 * landedCountsSql(revenue, namespaceTables('analytics'), 0, 3_600_000_000).text.includes('DISTINCT ON'); // false
 * ```
 */
export function landedCountsSql(rollup: AnyRollup, table: ViewTable, from: number, to: number): SqlFragment {
  return sql`SELECT ${bucketOf(rollup)} AS "bucket", count(*) AS "events" FROM ${eventsOf(rollup, table, { from, to, dedup: false })}
GROUP BY ${bucketOf(rollup)} ORDER BY "bucket" LIMIT 100000`;
}

/**
 * Events per bucket of `[from, to)` that a rollup reads, deduplicated: what a refresh records in its
 * commit, and what the late-event check compares with.
 *
 * @example
 * ```ts
 * import { bucketCountsSql } from './rollup-sql.ts';
 * bucketCountsSql(revenue, namespaceTables('analytics'), 0, 3_600_000_000).text.includes('GROUP BY'); // true
 * ```
 */
export function bucketCountsSql(rollup: AnyRollup, table: ViewTable, from: number, to: number): SqlFragment {
  return sql`SELECT ${bucketOf(rollup)} AS "bucket", count(*) AS "events" FROM ${eventsOf(rollup, table, { from, to })}
GROUP BY ${bucketOf(rollup)} ORDER BY "bucket" LIMIT 100000`;
}

/**
 * The commits of a rollup's refreshes, each with how many of its rows have landed.
 *
 * @example
 * ```ts
 * import { commitsSql } from './rollup-sql.ts';
 * commitsSql(revenue, namespaceTables('analytics')).text.includes("'commit'"); // true
 * ```
 */
export function commitsSql(rollup: AnyRollup, table: ViewTable): SqlFragment {
  const own = sql`"view" = ${rollup.name} AND "version" = ${rollup.version}`;
  return sql`SELECT "c"."refresh_id", "c"."ts", "c"."range_from", "c"."range_to", "c"."rows", "c"."watermark", "c"."measures",
  coalesce("l"."landed", 0) AS "landed"
FROM (SELECT DISTINCT ON ("id") * FROM ${table('rollups')} WHERE ${own} AND "kind" = 'commit') AS "c"
LEFT JOIN (SELECT "refresh_id", count(DISTINCT "id") AS "landed" FROM ${table('rollups')} WHERE ${own} AND "kind" = 'row' GROUP BY "refresh_id") AS "l"
  ON "l"."refresh_id" = "c"."refresh_id"
ORDER BY "c"."ts", "c"."refresh_id"
LIMIT 100000`;
}

/**
 * The rows of the given refreshes within `[from, to)`.
 *
 * @example
 * ```ts
 * import { refreshRowsSql } from './rollup-sql.ts';
 * refreshRowsSql(revenue, namespaceTables('analytics'), ['r1'], 0, 1, 10).text.includes('"refresh_id" IN'); // true
 * ```
 */
export function refreshRowsSql(
  rollup: AnyRollup,
  table: ViewTable,
  refreshIds: readonly string[],
  from: number,
  to: number,
  limit: number,
): SqlFragment {
  return sql`SELECT DISTINCT ON ("id") "refresh_id", "bucket", "key", "measures" FROM ${table('rollups')}
WHERE "view" = ${rollup.name} AND "version" = ${rollup.version} AND "kind" = 'row' AND "refresh_id" IN ${[...refreshIds]}
  AND "bucket" >= ${sql.timestamp(from)} AND "bucket" < ${sql.timestamp(to)}
LIMIT ${limit}`;
}

/**
 * How many rows each of the given refreshes holds per bucket within `[from, to)`, each row once: what
 * a read needs to know which buckets its page reaches before it reads their rows.
 *
 * @example
 * ```ts
 * import { refreshRowCountsSql } from './rollup-sql.ts';
 * refreshRowCountsSql(revenue, namespaceTables('analytics'), ['r1'], 0, 1).text.includes('GROUP BY'); // true
 * ```
 */
export function refreshRowCountsSql(
  rollup: AnyRollup,
  table: ViewTable,
  refreshIds: readonly string[],
  from: number,
  to: number,
): SqlFragment {
  return sql`SELECT "refresh_id", "bucket", count(DISTINCT "id") AS "rows" FROM ${table('rollups')}
WHERE "view" = ${rollup.name} AND "version" = ${rollup.version} AND "kind" = 'row' AND "refresh_id" IN ${[...refreshIds]}
  AND "bucket" >= ${sql.timestamp(from)} AND "bucket" < ${sql.timestamp(to)}
GROUP BY "refresh_id", "bucket"
LIMIT 1000000`;
}
