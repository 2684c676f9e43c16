import { z } from 'zod';
import { sql } from '../../sql/index.ts';
import { defineView } from '../define-view.ts';
import { timestampParam } from '../view-params.ts';
import { bucketKeySql } from './time-series/time-buckets.ts';

/**
 * Events per hour per verb, deduplicated on the event id (delivery is at-least-once), over the whole
 * lake unless bounded: only the hours and verbs that have events. The demo prints it as it is. For a
 * bounded range with empty buckets filled, other bucket sizes, or a series per type or namespace,
 * use `events_per_bucket` (views/library/time-series).
 *
 * @example
 * ```ts
 * import { eventsPerHour } from './events-per-hour.ts';
 * eventsPerHour.render({ since: '2026-11-01' }).sql.startsWith('SELECT date_trunc'); // true
 * ```
 */
export const eventsPerHour = defineView({
  name: 'events_per_hour',
  description: 'Events per hour per verb (deduplicated on id)',
  params: z.object({
    since: timestampParam().optional().describe('first event time included'),
    until: timestampParam().optional().describe('first event time excluded'),
  }),
  time: { column: 'hour', since: 'since', until: 'until' },
  sql: ({ params, table }) => {
    const bounds = [
      sql`TRUE`,
      ...(params.since ? [sql`ts >= ${params.since}`] : []),
      ...(params.until ? [sql`ts < ${params.until}`] : []),
    ];
    // The hour is grouped on an integer and named by date_trunc of its earliest time (bucketKeySql).
    return sql`SELECT date_trunc('hour', min(ts)) AS hour, verb, count(*) AS events
FROM (SELECT DISTINCT ON (id) ts, verb FROM ${table('events')} WHERE ${sql.join(bounds, ' AND ')}) AS deduped
GROUP BY ${bucketKeySql('hour')}, verb
ORDER BY hour, verb
LIMIT 10000`;
  },
});
