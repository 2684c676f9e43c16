/**
 * Conformance cases of the time-series views: each bucket size and each `by`, ranges with empty
 * buckets at both ends, and the per-verb summaries, against the oracles in ../oracles/time-series.ts.
 *
 * @module
 */
import { eventsPerHour } from '../../../../views/library/events-per-hour.ts';
import {
  actionDurations,
  activeActors,
  eventsPerBucket,
  failureRate,
} from '../../../../views/library/time-series/index.ts';
import {
  actionDurationsOracle,
  activeActorsOracle,
  eventsPerBucketOracle,
  eventsPerHourOracle,
  failureRateOracle,
} from '../oracles/time-series.ts';
import type { ViewCase, Workload } from '../view-case.ts';

const DAY = 86_400_000;
/** The workload's whole span: `until` just after its last event. */
const span = (w: Workload) => ({ since: w.from, until: new Date(w.to.getTime() + 1) });
/** The span widened by days on each side: buckets without events at both ends. */
const widened = (w: Workload, before: number, after: number) => ({
  since: new Date(w.from.getTime() - before * DAY),
  until: new Date(w.to.getTime() + after * DAY),
});

export const cases: ViewCase[] = [
  {
    name: 'events_per_bucket: per hour by verb over the whole span',
    view: eventsPerBucket,
    params: (w: Workload) => ({ bucket: 'hour', by: 'verb', ...span(w), limit: 100_000 }),
    expected: (w, p) => eventsPerBucketOracle(w.delivered, eventsPerBucket.parseParams(p)),
  },
  {
    name: 'events_per_bucket: per minute by type over the first six hours',
    view: eventsPerBucket,
    params: (w: Workload) => ({
      bucket: 'minute',
      by: 'type',
      since: w.from,
      until: new Date(w.from.getTime() + 6 * 3_600_000),
      limit: 100_000,
    }),
    expected: (w, p) => eventsPerBucketOracle(w.delivered, eventsPerBucket.parseParams(p)),
  },
  {
    name: 'events_per_bucket: per day by ns, three empty days before and two after',
    view: eventsPerBucket,
    params: (w: Workload) => ({ bucket: 'day', by: 'ns', ...widened(w, 3, 2), limit: 100_000 }),
    expected: (w, p) => eventsPerBucketOracle(w.delivered, eventsPerBucket.parseParams(p)),
  },
  {
    name: 'events_per_bucket: a range before the first event answers no rows',
    view: eventsPerBucket,
    params: (w: Workload) => ({ bucket: 'day', since: new Date(w.from.getTime() - 10 * DAY), until: w.from }),
    expected: (w, p) => eventsPerBucketOracle(w.delivered, eventsPerBucket.parseParams(p)),
  },
  {
    name: 'events_per_hour: the unbounded hourly view',
    view: eventsPerHour,
    params: {},
    expected: (w, p) => eventsPerHourOracle(w.delivered, eventsPerHour.parseParams(p)),
  },
  {
    name: 'active_actors: per day, two empty days at each end',
    view: activeActors,
    params: (w: Workload) => ({ bucket: 'day', ...widened(w, 2, 2) }),
    expected: (w, p) => activeActorsOracle(w.delivered, activeActors.parseParams(p)),
  },
  {
    name: 'active_actors: per week',
    view: activeActors,
    params: (w: Workload) => ({ bucket: 'week', ...widened(w, 7, 7) }),
    expected: (w, p) => activeActorsOracle(w.delivered, activeActors.parseParams(p)),
  },
  {
    name: 'action_durations: p50/p95 per verb over the whole span',
    view: actionDurations,
    params: span,
    expected: (w, p) => actionDurationsOracle(w.actions, actionDurations.parseParams(p)),
  },
  {
    name: 'action_durations: one type, the first half of the span',
    view: actionDurations,
    params: (w: Workload) => ({
      since: w.from,
      until: new Date((w.from.getTime() + w.to.getTime()) / 2),
      type: w.types[0],
    }),
    expected: (w, p) => actionDurationsOracle(w.actions, actionDurations.parseParams(p)),
  },
  {
    name: 'failure_rate: per verb over the whole span',
    view: failureRate,
    params: span,
    expected: (w, p) => failureRateOracle(w.actions, failureRate.parseParams(p)),
  },
  {
    name: 'failure_rate: one type',
    view: failureRate,
    params: (w: Workload) => ({ ...span(w), type: w.types.at(-1) }),
    expected: (w, p) => failureRateOracle(w.actions, failureRate.parseParams(p)),
  },
];
