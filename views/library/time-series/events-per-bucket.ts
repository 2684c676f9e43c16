import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { timestampParam } from '../../view-params.ts';
import {
  bucketKeySql,
  bucketStarts,
  byCodePoint,
  checkAnswerSize,
  checkRange,
  MAX_BUCKETS,
  toCount,
  toEpochMs,
} from './time-buckets.ts';

/** The columns `events_per_bucket` can split its series by. */
export const EVENT_SERIES = ['verb', 'type', 'ns'] as const;

const KEY = 'events_per_bucket@1';

const params = z
  .object({
    bucket: z.enum(['minute', 'hour', 'day']).default('hour').describe('the bucket width'),
    by: z.enum(EVENT_SERIES).default('verb').describe('one series per verb, per type or per namespace'),
    since: timestampParam().describe('first event time included'),
    until: timestampParam().describe('first event time excluded'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(MAX_BUCKETS)
      .describe('the most rows (buckets × series) answered; a longer answer is refused, not cut'),
  })
  .superRefine(checkRange);

/** One row of {@link eventsPerBucket}: a bucket of one series. */
export const eventsPerBucketRow = z.object({
  bucket: z.string().describe('the bucket start, ISO 8601 UTC'),
  series: z.string().describe('the verb, type or namespace (per `by`)'),
  events: z.number().int().nonnegative(),
});

/**
 * Events per minute, hour or day, one series per verb, type or namespace, deduplicated on the event
 * id, over `[since, until)` (at most 10,000 buckets). Empty buckets are filled with 0 by the view's own
 * step (R2 SQL has no `generate_series`), from the bucket holding `since` to the last one before
 * `until`, for every series that has an event in the range; a range with no events answers no rows.
 *
 * @example
 * ```ts
 * import { eventsPerBucket } from './events-per-bucket.ts';
 * eventsPerBucket.render({ bucket: 'day', by: 'type', since: '2026-11-01', until: '2026-12-01' }).sql.includes("date_trunc('day', min(ts))"); // true
 * eventsPerBucket.finish([{ bucket: '2026-11-01T00:00:00Z', series: 'created', events: 2 }], eventsPerBucket.parseParams({ bucket: 'day', since: '2026-11-01', until: '2026-11-03' })).map((r) => r.events); // [2, 0]
 * ```
 */
export const eventsPerBucket = defineView({
  name: 'events_per_bucket',
  description: 'Events per minute, hour or day by verb, type or namespace, empty buckets filled with 0',
  params,
  row: eventsPerBucketRow,
  time: { column: 'bucket', since: 'since', until: 'until' },
  samples: [
    { since: '2026-11-01', until: '2026-11-02' },
    { bucket: 'minute', by: 'ns', since: '2026-11-01T09:00:00Z', until: '2026-11-01T10:00:00Z' },
  ],
  // The bucket is grouped on an integer and named by date_trunc of its earliest time (bucketKeySql).
  sql: ({ params, table }) => {
    const by = sql.id(params.by);
    return sql`SELECT date_trunc(${params.bucket}, min(ts)) AS bucket, ${by} AS series, count(*) AS events
FROM (SELECT DISTINCT ON (id) ts, ${by} FROM ${table('events')} WHERE ts >= ${params.since} AND ts < ${params.until}) AS deduped
GROUP BY ${bucketKeySql(params.bucket)}, ${by}
ORDER BY bucket, series
LIMIT ${params.limit + 1}`;
  },
  finish: (rows, params) => {
    checkAnswerSize(KEY, rows.length, params.limit);
    const counts = new Map<string, Map<number, number>>();
    for (const row of rows) {
      const series = String(row.series);
      if (!counts.has(series)) counts.set(series, new Map());
      counts.get(series)!.set(toEpochMs(row.bucket), toCount(row.events));
    }
    const starts = bucketStarts(params.since, params.until, params.bucket);
    checkAnswerSize(KEY, starts.length * counts.size, params.limit);
    const names = [...counts.keys()].sort(byCodePoint);
    return starts.flatMap((at) => {
      const bucket = new Date(at).toISOString();
      return names.map((series) => ({ bucket, series, events: counts.get(series)!.get(at) ?? 0 }));
    });
  },
});
