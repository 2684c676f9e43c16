import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { timestampParam } from '../../view-params.ts';
import { bucketKeySql, bucketStarts, checkRange, MAX_BUCKETS, toCount, toEpochMs } from './time-buckets.ts';

const params = z
  .object({
    bucket: z
      .enum(['day', 'week'])
      .default('day')
      .describe('the bucket width (a week starts on Monday, UTC)'),
    since: timestampParam().describe('first event time included'),
    until: timestampParam().describe('first event time excluded'),
  })
  .superRefine(checkRange);

/** One row of {@link activeActors}. */
export const activeActorsRow = z.object({
  bucket: z.string().describe('the bucket start, ISO 8601 UTC'),
  actors: z.number().int().nonnegative().describe('distinct actors with an event in the bucket (exact)'),
});

/**
 * Active actors per day or week: the exact number of distinct actors with at least one event in each
 * bucket of `[since, until)` (at most 10,000 buckets), events without an actor left out. A duplicated
 * delivery of an event is the same row, so it adds no actor: the answer is that of the events
 * deduplicated on id, without a hash over every id of the range. Every bucket is answered, an empty
 * one with 0 (filled by the view's own step).
 *
 * @example
 * ```ts
 * import { activeActors } from './active-actors.ts';
 * activeActors.render({ bucket: 'week', since: '2026-11-02', until: '2026-11-30' }).sql.includes('count(DISTINCT actor)'); // true
 * activeActors.finish([], activeActors.parseParams({ since: '2026-11-01', until: '2026-11-04' })).length; // 3
 * ```
 */
export const activeActors = defineView({
  name: 'active_actors',
  description: 'Distinct actors per day or week (exact), empty buckets filled with 0',
  params,
  row: activeActorsRow,
  time: { column: 'bucket', since: 'since', until: 'until' },
  samples: [{ since: '2026-11-01', until: '2026-12-01' }],
  // The bucket is grouped on an integer and named by date_trunc of its earliest time (bucketKeySql).
  sql: ({
    params,
    table,
  }) => sql`SELECT date_trunc(${params.bucket}, min(ts)) AS bucket, count(DISTINCT actor) AS actors
FROM ${table('events')}
WHERE ts >= ${params.since} AND ts < ${params.until} AND actor IS NOT NULL
GROUP BY ${bucketKeySql(params.bucket)}
ORDER BY bucket
LIMIT ${MAX_BUCKETS + 1}`,
  finish: (rows, params) => {
    const actors = new Map<number, number>();
    for (const row of rows) actors.set(toEpochMs(row.bucket), toCount(row.actors));
    return bucketStarts(params.since, params.until, params.bucket).map((at) => ({
      bucket: new Date(at).toISOString(),
      actors: actors.get(at) ?? 0,
    }));
  },
});
