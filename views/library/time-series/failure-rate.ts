import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { urlParam } from '../search/text-param.ts';
import { limitParam, timestampParam } from '../../view-params.ts';
import { checkRange } from './time-buckets.ts';

/** The statuses that end an action: the outcomes a failure rate is taken over. */
export const OUTCOME_STATUSES = ['completed', 'failed', 'undone'] as const;

const params = z
  .object({
    since: timestampParam().describe('first outcome time included'),
    until: timestampParam().describe('first outcome time excluded'),
    type: urlParam().optional().describe('only actions on things of this type'),
    limit: limitParam(1000, 10_000).describe('the most verbs answered, in verb order'),
  })
  .superRefine(checkRange);

/** One row of {@link failureRate}. */
export const failureRateRow = z.object({
  verb: z.string(),
  outcomes: z.number().int().positive().describe('actions that ended: completed, failed or undone'),
  failed: z.number().int().nonnegative(),
  failure_rate: z.number().min(0).max(1).describe('failed / outcomes'),
});

/**
 * Failure rate per verb: failed / all outcomes, over the lake's `actions` rows (deduplicated on id)
 * whose status is an outcome (completed, failed, undone) and whose time falls in `[since, until)`.
 * Transitions that are not outcomes (pending, running, retrying) never count, so the rate stays right
 * when they land in the lake too.
 *
 * @example
 * ```ts
 * import { failureRate } from './failure-rate.ts';
 * failureRate.render({ since: '2026-11-01', until: '2026-12-01' }).sql.includes("status IN ('completed', 'failed', 'undone')"); // true
 * ```
 */
export const failureRate = defineView({
  name: 'failure_rate',
  description: 'Failure rate per verb: failed / all outcomes (completed, failed, undone) of actions',
  params,
  row: failureRateRow,
  samples: [{ since: '2026-11-01', until: '2026-12-01' }],
  sql: ({ params, table }) => {
    const filters = [
      sql`ts >= ${params.since}`,
      sql`ts < ${params.until}`,
      sql`status IN ${OUTCOME_STATUSES}`,
      ...(params.type ? [sql`type = ${params.type}`] : []),
    ];
    return sql`SELECT verb, count(*) AS outcomes, count(CASE WHEN status = 'failed' THEN 1 END) AS failed,
  CAST(count(CASE WHEN status = 'failed' THEN 1 END) AS DOUBLE) / count(*) AS failure_rate
FROM (SELECT DISTINCT ON (id) verb, status FROM ${table('actions')} WHERE ${sql.join(filters, ' AND ')}) AS deduped
GROUP BY verb
ORDER BY verb
LIMIT ${params.limit}`;
  },
});
