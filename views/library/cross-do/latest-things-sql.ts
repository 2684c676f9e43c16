import { type SqlFragment, sql } from '../../../sql/index.ts';
import type { ViewTable } from '../../define-view.ts';
import { limitParam } from '../../view-params.ts';
import { allOf, urlParam } from './lake-params.ts';

/**
 * The params every view over things' latest versions pages with: one namespace, the keyset cursor
 * (things after this URL) and the page size. Spread them into the view's own params.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { latestThingsPageParams } from './latest-things-sql.ts';
 * z.object(latestThingsPageParams).parse({}).limit; // 500
 * ```
 */
export const latestThingsPageParams = {
  ns: urlParam().optional().describe('only things of this namespace'),
  after: urlParam().optional().describe('keyset cursor: the last thing of the previous page'),
  limit: limitParam(500, 10_000),
};

/** What {@link latestThingsSql} selects: which versions are candidates, and which latest ones answer. */
export interface LatestThingsOptions {
  table: ViewTable;
  /** Predicates on the versions read (branch, type, time bound): applied where the table is read. */
  versions: readonly (SqlFragment | undefined | false)[];
  /** Predicates on each thing's latest version (JSON properties): applied after it is picked. */
  latest?: readonly (SqlFragment | undefined | false)[];
  /** Keyset cursor: only things after this one (by URL). */
  after?: string | undefined;
  limit: number;
  /**
   * Which version is a thing's latest: the highest `version` (as the Durable Object counts, the
   * default), or the newest `ts` (ties broken by version, then id).
   */
  newest?: 'version' | 'ts';
}

/** The columns read back for a page's things; `id` is not among them (see {@link latestThingsSql}). */
const COLUMNS = sql`thing, ns, type, branch, version, name, data, deleted, ts`;

/**
 * Each thing's latest version among the candidate versions, tombstones excluded, one row per thing in
 * URL order. Duplicated deliveries of a version are harmless: one row per thing is kept.
 *
 * Why two phases: a window over every version (`row_number() OVER (PARTITION BY thing …)`) sorts the
 * whole table with its payload, which is seconds at 1e7 versions. Instead, `heads` aggregates each
 * thing's newest key (and whether a live or a tombstone row holds it) over narrow columns, the page
 * of things that answers is picked from those heads, and only the page's rows are read back in full.
 * A thing whose newest key is held by both a live row and a tombstone (a tie the full order breaks)
 * joins every page, so the page's limit stays exact. The read-back filters the versions in a derived
 * table of its own, so a time bound among them (`ts <= at`) is one the engine prunes files on.
 *
 * The read-back leaves out `id` (a fifth of the bytes it would decode): the full order's last key
 * breaks a tie only between rows that share the thing and every other key, and rows that also agree
 * on every column answered are one answer whichever is picked (re-deliveries). Only the things whose
 * tied rows differ (`conflicts`, none in a lake the stack wrote) are read again with `id`, picking the
 * highest; an engine reads nothing for that join when it has no conflict.
 *
 * @example
 * ```ts
 * import { sql } from '../../../sql/index.ts';
 * import { namespaceTables } from '../../define-view.ts';
 * import { latestThingsSql } from './latest-things-sql.ts';
 * latestThingsSql({ table: namespaceTables('analytics'), versions: [sql`branch IS NULL`], limit: 10 }).text.includes('WITH heads AS'); // true
 * ```
 */
export function latestThingsSql(options: LatestThingsOptions): SqlFragment {
  const newest = options.newest ?? 'version';
  const key = sql.raw(newest);
  const versions = allOf([...options.versions, options.after !== undefined && sql`thing > ${options.after}`]);
  const live = sql`live_key = head_key`;
  const certain = sql`${live} AND (dead_key IS NULL OR dead_key < head_key)`;
  const tied = sql`${live} AND dead_key = head_key`;
  // With predicates on the latest version, which things answer is known only once their rows are read.
  const page =
    options.latest?.some(Boolean) === true
      ? sql`SELECT head_thing, head_key FROM heads WHERE ${live}`
      : sql`SELECT head_thing, head_key FROM (SELECT head_thing, head_key FROM heads WHERE ${certain}
    ORDER BY head_thing LIMIT ${options.limit}) AS certain
  UNION ALL SELECT head_thing, head_key FROM heads WHERE ${tied}`;
  // Rows of the page's things at their newest key, down to those tied on every key but `id`.
  const atNewest =
    newest === 'ts' ? sql`\n  QUALIFY rank() OVER (PARTITION BY thing ORDER BY version DESC) = 1` : sql``;
  return sql`WITH heads AS (SELECT thing AS head_thing, max(${key}) AS head_key,
    max(CASE WHEN NOT deleted THEN ${key} END) AS live_key,
    max(CASE WHEN NOT deleted THEN NULL ELSE ${key} END) AS dead_key
  FROM ${options.table('things')} AS v WHERE ${versions} GROUP BY thing),
page AS (${page}),
joined AS (SELECT ${COLUMNS} FROM (SELECT ${COLUMNS} FROM ${options.table('things')} AS v WHERE ${versions}) AS t
  JOIN page ON t.thing = page.head_thing AND t.${key} = page.head_key${atNewest}),
answers AS (SELECT ${COLUMNS}, count(*) OVER (PARTITION BY thing) AS answer_rows
  FROM (SELECT DISTINCT ${COLUMNS} FROM joined) AS distinct_rows),
conflicts AS (SELECT DISTINCT thing AS conflict_thing, version AS conflict_version, ts AS conflict_ts
  FROM answers WHERE answer_rows > 1),
resolved AS (SELECT ${COLUMNS}
  FROM (SELECT id, ${COLUMNS} FROM ${options.table('things')} AS v WHERE ${versions}) AS t
  JOIN conflicts ON t.thing = conflicts.conflict_thing AND t.version = conflicts.conflict_version
    AND t.ts = conflicts.conflict_ts
  QUALIFY row_number() OVER (PARTITION BY thing ORDER BY id DESC) = 1),
latest AS (SELECT ${COLUMNS} FROM answers WHERE answer_rows = 1 UNION ALL SELECT ${COLUMNS} FROM resolved)
SELECT thing, ns, type, branch, version, name, data, ts
FROM latest
WHERE ${allOf([sql`NOT deleted`, ...(options.latest ?? [])])}
ORDER BY thing
LIMIT ${options.limit}`;
}
