/**
 * Cases that exercise the harness itself over the views on main: events per hour, and rollups in
 * dotdo's `define()` form (a revenue rollup keyed on a JSON field; a nested JSON measure per hour).
 */
import {
  avg,
  count,
  countDistinct,
  defineRollup,
  eventsPerHour,
  last,
  max,
  min,
  sum,
} from '../../../../views/index.ts';
import type { EventRow } from '../../../../schemas/index.ts';
import { dedupeById, microsToIso, truncateMicros, within } from '../oracle-helpers.ts';
import type { ViewCase, Workload } from '../view-case.ts';

const DAY = 86_400_000;
const day = (w: Workload, n: number) => new Date(w.from.getTime() + n * DAY);

/** A property of an event's data, as json_get_* reads it (null when absent or not an object). */
const field = (event: EventRow, ...path: string[]): unknown => {
  let value: unknown = event.data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? null;
};

const compare = (a: unknown, b: unknown): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : (a as string) < (b as string) ? -1 : 1;

function perHour(w: Workload, params: { since?: Date; until?: Date }) {
  const counts = new Map<string, number>();
  for (const e of dedupeById(w.delivered)) {
    if (!within(e, params.since, params.until)) continue;
    const key = `${truncateMicros(e.ts, 'hour')}\u0000${e.verb}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, events]) => {
      const [hour, verb] = key.split('\u0000');
      return { hour, verb, events };
    })
    .sort((a, b) => compare(a.hour, b.hour) || compare(a.verb, b.verb));
}

/** Groups deduplicated events of `names` in [since, until) by bucket and key. */
function groups(
  w: Workload,
  names: string[],
  params: { since?: Date; until?: Date },
  window: 'hour' | 'day',
  key: (e: EventRow) => unknown,
) {
  const out = new Map<string, { bucket: string; key: unknown; events: EventRow[] }>();
  for (const e of dedupeById(w.delivered)) {
    if (!names.includes(e.event) || !within(e, params.since, params.until)) continue;
    const bucket = truncateMicros(e.ts, window);
    const k = key(e);
    const id = `${bucket}\u0000${JSON.stringify(k)}`;
    if (!out.has(id)) out.set(id, { bucket, key: k, events: [] });
    out.get(id)!.events.push(e);
  }
  return [...out.values()].sort((a, b) => compare(a.bucket, b.bucket) || compare(a.key, b.key));
}

const smokeRevenue = defineRollup('smoke_revenue', {
  from: 'Order.paid',
  groupBy: ['data.customer'],
  compute: { total: sum('data.amount'), n: count(), last: last('ts'), buyers: countDistinct('actor') },
  window: 'day',
});

const smokeRounds = defineRollup('smoke_rounds', {
  from: ['Startup.raised'],
  groupBy: ['data.stage'],
  compute: { mean: avg('data.round.amount'), low: min('data.round.amount'), high: max('data.round.amount') },
  window: 'hour',
});

const numbers = (values: unknown[]) => values.filter((v): v is number => typeof v === 'number');

export const cases: ViewCase[] = [
  {
    name: 'events_per_hour: one day',
    view: eventsPerHour,
    params: (w: Workload) => ({ since: day(w, 10).toISOString(), until: day(w, 11).toISOString() }),
    expected: perHour,
  },
  {
    name: 'events_per_hour: a week, bounds given as epoch ms and a date',
    view: eventsPerHour,
    params: (w: Workload) => ({ since: day(w, 3).getTime(), until: day(w, 10).toISOString().slice(0, 10) }),
    expected: perHour,
  },
  {
    name: 'rollup: revenue per customer per day (Order.paid, a JSON group key)',
    view: smokeRevenue,
    params: (w: Workload) => ({ since: day(w, 5), until: day(w, 12) }),
    expected: (w, params) =>
      groups(w, ['Order.paid'], params, 'day', (e) => field(e, 'customer')).map((g) => {
        const last = [...g.events].sort((a, b) => a.ts - b.ts || compare(a.id, b.id)).at(-1)!;
        const amounts = numbers(g.events.map((e) => field(e, 'amount')));
        return {
          bucket: g.bucket,
          customer: g.key,
          total: amounts.length ? amounts.reduce((a, b) => a + b, 0) : null,
          n: g.events.length,
          last: microsToIso(last.ts),
          buyers: new Set(g.events.map((e) => e.actor).filter((a) => a !== null)).size,
        };
      }),
  },
  {
    name: 'rollup: rounds raised per stage per hour (a nested JSON measure), whole period',
    view: smokeRounds,
    params: {},
    expected: (w, params) =>
      groups(w, ['Startup.raised'], params, 'hour', (e) => field(e, 'stage')).map((g) => {
        const amounts = numbers(g.events.map((e) => field(e, 'round', 'amount')));
        return {
          bucket: g.bucket,
          stage: g.key,
          mean: amounts.length ? amounts.reduce((a, b) => a + b, 0) / amounts.length : null,
          low: amounts.length ? Math.min(...amounts) : null,
          high: amounts.length ? Math.max(...amounts) : null,
        };
      }),
  },
];
