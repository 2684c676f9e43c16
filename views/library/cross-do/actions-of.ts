import { z } from 'zod';
import { ACTION_STATUSES } from '../../../schemas/index.ts';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { limitParam, timestampParam } from '../../view-params.ts';
import { allOf, microsParam, urlParam } from './lake-params.ts';

/**
 * Actions of one verb on one type in a time range, across all Durable Objects: "every Startup that
 * raised in Q4" is `{ verb: 'raised', type: 'https://startups.studio/Startup', since: '2026-10-01',
 * until: '2027-01-01' }`. Read from the `actions` table, one row per action: it is the action's own
 * record (status, durability, attempt, duration, correlation ids), and when an action's transitions
 * (pending, running, retrying) land there, each action still answers once, in its latest status. By
 * default only completed actions answer (`status: 'any'` for every outcome). Ordered by time, then
 * action id; page with the last row's `{ ts, action_id }` as `after`.
 *
 * @example
 * ```ts
 * import { actionsOf } from './actions-of.ts';
 * actionsOf.render({ verb: 'raised', type: 'https://x.test/Startup', since: '2026-10-01' }).sql.includes("ts >= TIMESTAMP '2026-10-01T00:00:00.000000Z'"); // true
 * ```
 */
export const actionsOf = defineView({
  name: 'actions_of',
  description: 'Actions of a verb on a type in a time range (one row per action, latest status)',
  params: z.object({
    verb: z
      .string()
      .regex(/^[a-z][A-Za-z]{0,62}$/, 'expected a past-tense verb, e.g. raised')
      .describe('the past tense, e.g. raised'),
    type: urlParam().describe('the noun URL, e.g. https://startups.studio/Startup'),
    since: timestampParam().optional().describe('first action time included'),
    until: timestampParam().optional().describe('first action time excluded'),
    status: z.enum([...ACTION_STATUSES, 'any']).default('completed'),
    actor: urlParam().optional().describe('only actions by this actor'),
    after: z
      .strictObject({ ts: microsParam(), action_id: urlParam() })
      .optional()
      .describe('keyset cursor: the last row of the previous page'),
    limit: limitParam(500, 10_000),
  }),
  time: { column: 'ts', since: 'since', until: 'until' },
  sql: ({ params, table }) => {
    const read = allOf([
      sql`verb = ${params.verb}`,
      sql`type = ${params.type}`,
      params.since && sql`ts >= ${params.since}`,
      params.until && sql`ts < ${params.until}`,
      params.actor !== undefined && sql`actor = ${params.actor}`,
      params.after &&
        sql`(ts > ${sql.timestamp(params.after.ts)} OR (ts = ${sql.timestamp(params.after.ts)} AND action_id > ${params.after.action_id}))`,
    ]);
    return sql`SELECT action_id, ns, ts, verb, type, target, actor, status, durability, input_version, output_version, duration_ms
FROM (SELECT action_id, ns, ts, verb, type, target, actor, status, durability, input_version, output_version, duration_ms
  FROM ${table('actions')} AS a
  WHERE ${read}
  QUALIFY row_number() OVER (PARTITION BY action_id ORDER BY transition DESC, id DESC) = 1) AS latest
WHERE ${params.status === 'any' ? sql`TRUE` : sql`status = ${params.status}`}
ORDER BY ts, action_id
LIMIT ${params.limit}`;
  },
  samples: [
    { verb: 'raised', type: 'https://x.test/Startup' },
    {
      verb: 'raised',
      type: 'https://x.test/Startup',
      since: '2026-10-01',
      until: '2027-01-01',
      status: 'any',
      actor: 'https://x.test/u',
      after: { ts: '2026-10-02T00:00:00.5Z', action_id: 'https://x.test/actions/i/1' },
    },
  ],
});
