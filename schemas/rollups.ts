/**
 * The global `rollups` row: the materialized buckets of every rollup view, in one generic table fed by
 * one stream (an account has 20 streams, so not one per view). A refresh writes one `row` per (bucket,
 * group key) of the range it recomputed, then one `commit` row naming that range and how many rows it
 * wrote; readers take, per bucket, the newest refresh whose rows have all landed, so a reader never
 * sees half of a refresh.
 *
 * @module
 */
import { z } from 'zod';
import { col } from './columns.ts';

/**
 * Bumped whenever a column is added; a breaking change gets a new versioned stream instead.
 *
 * @example
 * ```ts
 * import { ROLLUPS_SCHEMA_VERSION } from './rollups.ts';
 * ROLLUPS_SCHEMA_VERSION; // 1
 * ```
 */
export const ROLLUPS_SCHEMA_VERSION = 1;

/** What a rollups row records: one bucket of one group, or the commit of a refresh. */
export const ROLLUP_ROW_KINDS = ['row', 'commit'] as const;

/**
 * The zod schema of a global rollups row.
 *
 * @example
 * ```ts
 * import { rollupRow } from './rollups.ts';
 * rollupRow.safeParse({ kind: 'row' }).success; // false
 * ```
 */
export const rollupRow = z.object({
  schema_version: col.int32('version of this row contract'),
  id: col.string(
    '{view}@{version}/{refresh_id}/{bucket µs}/{key}, or …/commit: identical when a refresh is retried',
  ),
  view: col.string('the rollup view, by name'),
  version: col.int32('the view version that computed it'),
  refresh_id: col.string('the refresh that wrote it (deterministic: view, range and watermark)'),
  ts: col.timestamp('when the refresh that wrote it read the events'),
  kind: col.enum(ROLLUP_ROW_KINDS),
  bucket: col.timestamp('start of the time bucket (row)').nullable(),
  key: col.string('the group key, a JSON array of the group values (row)').nullable(),
  measures: col.json('the measures by name (row)').nullable(),
  range_from: col.timestamp('first bucket start the refresh recomputed (commit)').nullable(),
  range_to: col.timestamp('first bucket start after the range (commit)').nullable(),
  rows: col.int64('rows the refresh wrote (commit)').nullable(),
  watermark: col.timestamp('newest event time the refresh saw (commit)').nullable(),
});

/** A global rollups row. */
export type RollupLakeRow = z.infer<typeof rollupRow>;
