import type { z } from 'zod';
import { type SqlFragment, sql } from '../../../sql/index.ts';
import { ViewParamsError } from '../../view-params.ts';

/** A bucket width: `date_trunc`'s unit (a week starts on Monday, 00:00 UTC, on both engines). */
export type TimeBucket = 'minute' | 'hour' | 'day' | 'week';

/** The most buckets a bucketed view answers for one range; a wider range is refused, naming `until`. */
export const MAX_BUCKETS = 10_000;

const BUCKET_MS: Record<TimeBucket, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};
// 1970-01-05 was a Monday: weeks are counted from it.
const FIRST_MONDAY_MS = Date.UTC(1970, 0, 5);

/**
 * The start of the bucket holding `ms` (epoch milliseconds, UTC): what `date_trunc(bucket, ts)` gives.
 *
 * @example
 * ```ts
 * import { bucketStart } from './time-buckets.ts';
 * new Date(bucketStart(Date.parse('2026-11-25T09:42:10Z'), 'hour')).toISOString(); // '2026-11-25T09:00:00.000Z'
 * new Date(bucketStart(Date.parse('2026-11-26T09:42:10Z'), 'week')).toISOString(); // '2026-11-23T00:00:00.000Z'
 * ```
 */
export function bucketStart(ms: number, bucket: TimeBucket): number {
  const width = BUCKET_MS[bucket];
  const origin = bucket === 'week' ? FIRST_MONDAY_MS : 0;
  return ms - ((((ms - origin) % width) + width) % width);
}

const BUCKET_SECONDS: Record<TimeBucket, number> = { minute: 60, hour: 3600, day: 86_400, week: 604_800 };
// A multiple of every width (100,000 weeks, some 1,900 years) added before `%`, so it never sees a
// negative number (both engines' `%` truncates toward zero); 1970-01-01 was a Thursday, so 3 days
// more put the week boundaries on Mondays.
const KEY_OFFSET = 604_800 * 100_000;
const MONDAY_SHIFT = 259_200;

/**
 * An integer that names the bucket holding an event's `ts` (its start in seconds, shifted): what to GROUP BY
 * instead of `date_trunc(bucket, ts)`, which costs about a second per 2M rows on the local engine
 * while this costs a tenth of it. Select the bucket itself as `date_trunc(bucket, min(ts))`: every
 * time of a group is in the same bucket, so that is its start, with the same type `date_trunc` gives.
 *
 * @example
 * ```ts
 * import { bucketKeySql } from './time-buckets.ts';
 * bucketKeySql('hour').text; // '(to_unixtime(ts) + 60480000000) - (to_unixtime(ts) + 60480000000) % 3600'
 * ```
 */
export function bucketKeySql(bucket: TimeBucket): SqlFragment {
  const shifted = sql`(to_unixtime(ts) + ${KEY_OFFSET + (bucket === 'week' ? MONDAY_SHIFT : 0)})`;
  return sql`${shifted} - ${shifted} % ${BUCKET_SECONDS[bucket]}`;
}

/**
 * The start of every bucket that overlaps `[since, until)`, ascending: the rows a filled series has.
 *
 * @example
 * ```ts
 * import { bucketStarts } from './time-buckets.ts';
 * bucketStarts(new Date('2026-11-25T09:30:00Z'), new Date('2026-11-25T11:00:00Z'), 'hour').length; // 2
 * ```
 */
export function bucketStarts(since: Date, until: Date, bucket: TimeBucket): number[] {
  const starts: number[] = [];
  const end = until.getTime();
  for (let at = bucketStart(since.getTime(), bucket); at < end; at += BUCKET_MS[bucket]) starts.push(at);
  return starts;
}

/**
 * How many buckets overlap `[since, until)` (0 when `until` is not after `since`).
 *
 * @example
 * ```ts
 * import { countBuckets } from './time-buckets.ts';
 * countBuckets(new Date('2026-11-01'), new Date('2026-11-08'), 'day'); // 7
 * ```
 */
export function countBuckets(since: Date, until: Date, bucket: TimeBucket): number {
  const first = bucketStart(since.getTime(), bucket);
  const end = until.getTime();
  return end <= first ? 0 : Math.ceil((end - first) / BUCKET_MS[bucket]);
}

/**
 * A zod refinement of a range's params: `until` after `since`, and, when `bucket` is given, at most
 * {@link MAX_BUCKETS} buckets in between. Each problem is reported on `until`.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { checkRange } from './time-buckets.ts';
 * const range = z.object({ since: z.date(), until: z.date() }).superRefine(checkRange);
 * range.safeParse({ since: new Date(2), until: new Date(1) }).success; // false
 * ```
 */
export function checkRange(
  value: { since: Date; until: Date; bucket?: TimeBucket },
  ctx: z.RefinementCtx,
): void {
  if (value.until.getTime() <= value.since.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after since' });
    return;
  }
  if (!value.bucket) return;
  const n = countBuckets(value.since, value.until, value.bucket);
  if (n > MAX_BUCKETS)
    ctx.addIssue({
      code: 'custom',
      path: ['until'],
      message: `since … until spans ${n} ${value.bucket} buckets, more than ${MAX_BUCKETS}: narrow the range or take a wider bucket`,
    });
}

const ENGINE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Epoch milliseconds of a timestamp as an engine answers it: a Date, epoch milliseconds, or text in
 * ISO or SQL form (`2026-11-25T09:00:00Z`, `2026-11-25 09:00:00+00`, no zone meaning UTC).
 *
 * @example
 * ```ts
 * import { toEpochMs } from './time-buckets.ts';
 * toEpochMs('2026-11-25 09:00:00+00') === Date.parse('2026-11-25T09:00:00Z'); // true
 * ```
 */
export function toEpochMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const match = ENGINE_TIME.exec(value.trim());
    if (match) {
      const zone = match[3] ?? 'Z';
      const offset = zone === 'Z' ? zone : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`;
      const ms = Date.parse(`${match[1]}T${match[2]}${offset}`);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  throw new Error(`not a timestamp an engine answers: ${JSON.stringify(value)}`);
}

/**
 * A count as an engine answers it (a number, a bigint, or decimal text) as a number.
 *
 * @example
 * ```ts
 * import { toCount } from './time-buckets.ts';
 * toCount('42') + toCount(1n); // 43
 * ```
 */
export function toCount(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`not a count: ${JSON.stringify(value)}`);
  return n;
}

/**
 * Refuses an answer longer than the view's `limit` param (rather than cutting it short).
 *
 * @example
 * ```ts
 * import { checkAnswerSize } from './time-buckets.ts';
 * checkAnswerSize('events_per_bucket@1', 3, 10); // undefined
 * ```
 */
export function checkAnswerSize(view: string, rows: number, limit: number): void {
  if (rows > limit)
    throw new ViewParamsError(view, [
      {
        param: 'limit',
        message: `the answer has more than ${limit} rows (buckets × series): raise limit, narrow since … until or take a wider bucket`,
      },
    ]);
}

/**
 * Code-point order, which is the byte-wise UTF-8 order both engines sort text in (JavaScript's `<`
 * compares UTF-16 code units, which differs above U+FFFF).
 *
 * @example
 * ```ts
 * import { byCodePoint } from './time-buckets.ts';
 * ['b', 'a', 'B'].sort(byCodePoint); // ['B', 'a', 'b']
 * ```
 */
export function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}
