import { z } from 'zod';
import type { RefSelector } from '../../../schemas/parse-ref.ts';
import { type SqlFragment, sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { branchParam, branchSql, urlParam } from '../cross-do/lake-params.ts';
import { thingRowShape } from '../cross-do/things-current.ts';
import { refParam } from './ref-params.ts';

/** A row of {@link thingAtRef}: the version a ref names. */
export const thingVersionShape = thingRowShape.extend({ deleted: z.boolean() });

interface Pick {
  /** Which versions are candidates. */
  where: SqlFragment;
  /** The first candidate in this order answers. */
  order: SqlFragment;
  /** For `@~n`: the candidate at this 1-based rank answers instead of the first. */
  rank?: number;
}

interface Fork {
  base?: number | undefined;
  forkedFrom: string;
}

// Each case is the lake form of the same case in the Durable Object's resolveRef (ingest/refs).
function pickVersion(selector: RefSelector, fork: Fork): Pick {
  const newest = sql`version DESC, id DESC`;
  switch (selector.kind) {
    case 'current':
      return { where: sql`branch IS NULL`, order: newest };
    case 'branch': {
      if (selector.name === 'main') return { where: sql`branch IS NULL`, order: newest };
      const own = sql`branch = ${selector.name}`;
      // Before its first write on the branch, a thing reads as its parent's newest version at the fork.
      const where =
        fork.base === undefined
          ? own
          : sql`(${own} OR (${branchSql(fork.forkedFrom)} AND version <= ${fork.base}))`;
      return { where, order: sql`CASE WHEN ${own} THEN 0 ELSE 1 END, ${newest}` };
    }
    case 'version':
      return { where: sql`version = ${selector.version}`, order: newest };
    case 'relative':
      return { where: sql`branch IS NULL`, order: newest, rank: selector.back + 1 };
    case 'at':
      return {
        where: sql`branch IS NULL AND ts <= ${sql.timestamp(selector.micros)}`,
        order: sql`ts DESC, version DESC, id DESC`,
      };
  }
}

/**
 * A thing at a ref, as the Durable Object's `resolveRef` answers it, from the lake: `…/acme` or
 * `…/acme@main` is its newest main version; `@v12` version 12 (on any branch); `@~1` one main version
 * back from the newest (`@~0` is the newest; tombstones count); `@2024-01-08` the main version current
 * at the end of that day UTC (the newest written at or before it; `@2024-01-08T12:00:00Z` at that
 * instant); `@experiment` the newest version on that branch. A thing the branch has not written yet
 * reads as its parent's newest version at the fork: give the branch's `base` (and `forkedFrom` when
 * not main), as `$.branches.list()` answers them, since the lake holds no fork points. A tombstone
 * answers with `deleted: true`; a ref that names no version answers no row.
 *
 * @example
 * ```ts
 * import { thingAtRef } from './thing-at-ref.ts';
 * thingAtRef.render({ ref: 'https://x.test/acme@2024-01-08' }).sql.includes("ts <= TIMESTAMP '2024-01-08T23:59:59.999999Z'"); // true
 * thingAtRef.render({ ref: 'https://x.test/acme@~2' }).sql.includes('back = 3'); // true
 * ```
 */
export const thingAtRef = defineView({
  name: 'thing_at_ref',
  description: 'A thing at a ref (@vN, @~N, @date, @branch), as the Durable Object resolves it',
  params: z.object({
    ref: refParam().describe('the thing’s URL with a ref, e.g. https://startups.studio/acme@v12'),
    ns: urlParam().optional().describe('only versions written by this namespace'),
    base: z
      .number()
      .int()
      .nonnegative()
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .describe('the version the branch was forked at (for things it has not written)'),
    forkedFrom: branchParam().describe('the branch’s parent (default main)'),
  }),
  row: thingVersionShape,
  time: { column: 'ts' },
  sql: ({ params, table }) => {
    const pick = pickVersion(params.ref.selector, params);
    const read = sql`thing = ${params.ref.thing} AND ${pick.where}${params.ns === undefined ? sql`` : sql` AND ns = ${params.ns}`}`;
    const columns = sql`thing, ns, type, branch, version, name, data, deleted, ts`;
    return sql`SELECT ${columns}
FROM (SELECT ${columns}, row_number() OVER (ORDER BY ${pick.order}) AS back
  FROM (SELECT DISTINCT ON (id) id, ${columns} FROM ${table('things')} AS t WHERE ${read}) AS deduped) AS ranked
WHERE back = ${pick.rank ?? 1}
LIMIT 1`;
  },
  samples: [
    { ref: 'https://x.test/acme' },
    { ref: 'https://x.test/acme@v12', ns: 'https://x.test' },
    { ref: 'https://x.test/acme@~1' },
    { ref: 'https://x.test/acme@2024-01-08' },
    { ref: 'https://x.test/acme@experiment', base: 7, forkedFrom: 'other' },
  ],
});
