import { type SqlFragment, sql } from '../../../sql/index.ts';
import type { ViewTable } from '../../define-view.ts';
import { allOf } from './lake-params.ts';

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
  /** How the latest version is picked (default: the highest version, as the Durable Object does). */
  order?: SqlFragment;
}

/**
 * Each thing's latest version among the candidate versions, tombstones excluded, one row per thing in
 * URL order. Duplicated deliveries of a version are harmless: one row per thing is kept.
 *
 * @example
 * ```ts
 * import { sql } from '../../../sql/index.ts';
 * import { namespaceTables } from '../../define-view.ts';
 * import { latestThingsSql } from './latest-things-sql.ts';
 * latestThingsSql({ table: namespaceTables('analytics'), versions: [sql`branch IS NULL`], limit: 10 }).text.includes('QUALIFY'); // true
 * ```
 */
export function latestThingsSql(options: LatestThingsOptions): SqlFragment {
  const order = options.order ?? sql`version DESC, id DESC`;
  const versions = allOf([...options.versions, options.after !== undefined && sql`thing > ${options.after}`]);
  return sql`SELECT thing, ns, type, branch, version, name, data, ts
FROM (SELECT thing, ns, type, branch, version, name, data, deleted, ts FROM ${options.table('things')} AS t
  WHERE ${versions}
  QUALIFY row_number() OVER (PARTITION BY thing ORDER BY ${order}) = 1) AS latest
WHERE ${allOf([sql`NOT deleted`, ...(options.latest ?? [])])}
ORDER BY thing
LIMIT ${options.limit}`;
}
