import { z } from 'zod';
import { type SqlFragment, sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { limitParam, timestampParam } from '../../view-params.ts';

const trailParams = {
  since: timestampParam().optional().describe('first event time included'),
  until: timestampParam().optional().describe('first event time excluded'),
  limit: limitParam(500, 10_000),
  after_ts: timestampParam()
    .optional()
    .describe('keyset cursor: the ts of the last row of the previous page'),
  after_id: z.string().optional().describe('keyset cursor: the id of the last row of the previous page'),
};

const trailRow = z.object({
  ts: z.string(),
  id: z.string(),
  ns: z.string(),
  seq: z.number(),
  actor: z.string().nullable(),
  event: z.string(),
  target: z.string(),
  input_version: z.string().nullable(),
  output_version: z.string().nullable(),
  status: z.string(),
  request_id: z.string().nullable(),
});

interface TrailBounds {
  since?: Date;
  until?: Date;
  limit: number;
  after_ts?: Date;
  after_id?: string;
}

/** Who did what, in (ts, id) order: one row per event, deduplicated on id, bounded in the scan. */
function trailSql(
  table: (name: string) => SqlFragment,
  params: TrailBounds,
  where: SqlFragment[],
): SqlFragment {
  const bounds = [
    sql`TRUE`,
    ...where,
    ...(params.since ? [sql`ts >= ${params.since}`] : []),
    ...(params.until ? [sql`ts < ${params.until}`] : []),
    ...(params.after_ts
      ? [sql`(ts > ${params.after_ts} OR (ts = ${params.after_ts} AND id > ${params.after_id ?? ''}))`]
      : []),
  ];
  const bounded = sql.join(bounds, ' AND ');
  // The page's (ts, id) pairs first, over two narrow columns (re-deliveries are identical rows, so a
  // distinct pair is a distinct event); only the page's rows are then read in full. Deduplicating
  // every column of a long range at once holds all of it in memory.
  return sql`WITH page AS (SELECT DISTINCT ts AS page_ts, id AS page_id FROM ${table('events')} WHERE ${bounded}
  ORDER BY page_ts, page_id LIMIT ${params.limit})
SELECT ts, id, ns, seq, actor, event, target, input_version, output_version, status, request_id
FROM (SELECT DISTINCT ON (id) ts, id, ns, seq, actor, event, target, input_version, output_version, status, request_id
      FROM ${table('events')} AS e JOIN page ON e.id = page.page_id AND e.ts = page.page_ts
      WHERE ${bounded}) AS trail
ORDER BY ts, id
LIMIT ${params.limit}`;
}

/**
 * The audit trail over a time range: who did what to which thing, with the versions before and after,
 * in time order (page on with `after_ts` + `after_id`).
 *
 * @example
 * ```ts
 * import { auditTrail } from './audit-trail.ts';
 * auditTrail.render({ since: '2026-11-01', until: '2026-12-01' }).sql.includes('DISTINCT ON (id)'); // true
 * ```
 */
export const auditTrail = defineView({
  name: 'audit_trail',
  description: 'Who did what, when, with before/after versions (deduplicated on id), in time order',
  params: z.object(trailParams),
  row: trailRow,
  time: { column: 'ts', since: 'since', until: 'until' },
  sql: ({ params, table }) => trailSql(table, params, []),
});

/**
 * The audit trail of one actor: everything they did, in time order.
 *
 * @example
 * ```ts
 * import { auditTrailByActor } from './audit-trail.ts';
 * auditTrailByActor.render({ actor: 'https://auth.test/u/nathan' }).sql.includes("actor = 'https://auth.test/u/nathan'"); // true
 * ```
 */
export const auditTrailByActor = defineView({
  name: 'audit_trail_by_actor',
  description: 'Everything one actor did, with before/after versions, in time order',
  params: z.object({ actor: z.string().url(), ...trailParams }),
  row: trailRow,
  time: { column: 'ts', since: 'since', until: 'until' },
  samples: [{ actor: 'https://auth.test/u/nathan' }],
  sql: ({ params, table }) => trailSql(table, params, [sql`actor = ${params.actor}`]),
});

/**
 * The audit trail of one thing: every action on it, by whom, with before/after versions.
 *
 * @example
 * ```ts
 * import { auditTrailByTarget } from './audit-trail.ts';
 * auditTrailByTarget.render({ target: 'https://a.test/acme' }).sql.includes("target = 'https://a.test/acme'"); // true
 * ```
 */
export const auditTrailByTarget = defineView({
  name: 'audit_trail_by_target',
  description: 'Every action on one thing, by whom, with before/after versions, in time order',
  params: z.object({ target: z.string().url(), ...trailParams }),
  row: trailRow,
  time: { column: 'ts', since: 'since', until: 'until' },
  samples: [{ target: 'https://a.test/acme' }],
  sql: ({ params, table }) => trailSql(table, params, [sql`target = ${params.target}`]),
});
