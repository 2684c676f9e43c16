/**
 * The time-series views: events per bucket, active actors, action durations and failure rates.
 *
 * @module
 */
import type { View } from '../../define-view.ts';
import { actionDurations } from './action-durations.ts';
import { activeActors } from './active-actors.ts';
import { eventsPerBucket } from './events-per-bucket.ts';
import { failureRate } from './failure-rate.ts';

export { actionDurations, actionDurationsRow } from './action-durations.ts';
export { activeActors, activeActorsRow } from './active-actors.ts';
export { EVENT_SERIES, eventsPerBucket, eventsPerBucketRow } from './events-per-bucket.ts';
export { failureRate, failureRateRow, OUTCOME_STATUSES } from './failure-rate.ts';
export { bucketStart, bucketStarts, countBuckets, MAX_BUCKETS, type TimeBucket } from './time-buckets.ts';

/**
 * Every time-series view, for a registry.
 *
 * @example
 * ```ts
 * import { timeSeriesViews } from './index.ts';
 * timeSeriesViews.map((v) => v.name); // ['events_per_bucket', 'active_actors', 'action_durations', 'failure_rate']
 * ```
 */
export const timeSeriesViews: readonly View<any, any>[] = [
  eventsPerBucket,
  activeActors,
  actionDurations,
  failureRate,
];
