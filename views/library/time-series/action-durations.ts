import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { urlParam } from '../search/text-param.ts';
import { limitParam, timestampParam } from '../../view-params.ts';
import { checkRange } from './time-buckets.ts';

const params = z
  .object({
    since: timestampParam().describe('first action time (its outcome) included'),
    until: timestampParam().describe('first action time excluded'),
    type: urlParam().optional().describe('only actions on things of this type'),
    limit: limitParam(1000, 10_000).describe('the most verbs answered, in verb order'),
  })
  .superRefine(checkRange);

/** One row of {@link actionDurations}. */
export const actionDurationsRow = z.object({
  verb: z.string(),
  actions: z.number().int().positive().describe('actions with a duration'),
  p50_ms: z.number().describe('median duration, linear interpolation'),
  p95_ms: z.number().describe('95th percentile duration, linear interpolation'),
});

/**
 * Action durations per verb: the exact p50 and p95 of `duration_ms` over the actions (the lake's
 * `actions` rows, deduplicated on id) whose outcome falls in `[since, until)`, with
 * `percentile_cont(p) WITHIN GROUP (ORDER BY duration_ms)`: linear interpolation between the two
 * nearest ranks, position `p × (n − 1)`. Actions without a duration are left out.
 *
 * @example
 * ```ts
 * import { actionDurations } from './action-durations.ts';
 * actionDurations.render({ since: '2026-11-01', until: '2026-12-01' }).sql.includes('percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)'); // true
 * ```
 */
export const actionDurations = defineView({
  name: 'action_durations',
  description: 'Action durations per verb: exact p50 and p95 (linear interpolation)',
  params,
  row: actionDurationsRow,
  samples: [
    { since: '2026-11-01', until: '2026-12-01' },
    { since: '2026-11-01', until: '2026-12-01', type: 'https://startups.studio/Startup' },
  ],
  sql: ({ params, table }) => {
    const filters = [
      sql`ts >= ${params.since}`,
      sql`ts < ${params.until}`,
      sql`duration_ms IS NOT NULL`,
      ...(params.type ? [sql`type = ${params.type}`] : []),
    ];
    // The percentiles are plain decimals (not the template's exponent form): R2 SQL wants a literal.
    return sql`SELECT verb, count(*) AS actions,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms
FROM (SELECT DISTINCT ON (id) verb, duration_ms FROM ${table('actions')} WHERE ${sql.join(filters, ' AND ')}) AS deduped
GROUP BY verb
ORDER BY verb
LIMIT ${params.limit}`;
  },
});
