/**
 * Independent answers of the time-series views, in plain TypeScript over the lake's rows as
 * delivered (duplicates and all). Buckets are computed with Date's UTC fields, not with the views'
 * own bucket arithmetic.
 *
 * @module
 */
import type { ActionRow, EventRow } from '../../../../schemas/index.ts';
import { codePointOrder, dedupe, inRange } from './oracle-time.ts';

type Bucket = 'minute' | 'hour' | 'day' | 'week';

/** The start of the UTC minute, hour, day or (Monday) week holding `ms`. */
export function floorTo(ms: number, bucket: Bucket): Date {
  const d = new Date(ms);
  if (bucket === 'minute') d.setUTCSeconds(0, 0);
  else if (bucket === 'hour') d.setUTCMinutes(0, 0, 0);
  else {
    d.setUTCHours(0, 0, 0, 0);
    if (bucket === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  }
  return d;
}

function next(d: Date, bucket: Bucket): Date {
  const n = new Date(d);
  if (bucket === 'minute') n.setUTCMinutes(n.getUTCMinutes() + 1);
  else if (bucket === 'hour') n.setUTCHours(n.getUTCHours() + 1);
  else n.setUTCDate(n.getUTCDate() + (bucket === 'week' ? 7 : 1));
  return n;
}

/** Every bucket start from the one holding `since` to the last before `until`, as ISO text. */
export function bucketsOf(since: Date, until: Date, bucket: Bucket): string[] {
  const out: string[] = [];
  for (let d = floorTo(since.getTime(), bucket); d < until; d = next(d, bucket)) out.push(d.toISOString());
  return out;
}

const bucketOf = (us: number, bucket: Bucket) => floorTo(Math.floor(us / 1000), bucket).toISOString();

/** `events_per_bucket`: the full grid of buckets × series that have an event in the range. */
export function eventsPerBucketOracle(
  delivered: readonly EventRow[],
  p: { bucket: 'minute' | 'hour' | 'day'; by: 'verb' | 'type' | 'ns'; since: Date; until: Date },
): { bucket: string; series: string; events: number }[] {
  const counts = new Map<string, number>();
  const series = new Set<string>();
  for (const e of dedupe(delivered)) {
    if (!inRange(e.ts, p.since, p.until)) continue;
    const key = `${bucketOf(e.ts, p.bucket)} ${e[p.by]}`;
    series.add(e[p.by]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const names = [...series].sort(codePointOrder);
  return bucketsOf(p.since, p.until, p.bucket).flatMap((bucket) =>
    names.map((s) => ({ bucket, series: s, events: counts.get(`${bucket} ${s}`) ?? 0 })),
  );
}

/** `events_per_hour`: events per hour and verb, only the hours and verbs that have events. */
export function eventsPerHourOracle(
  delivered: readonly EventRow[],
  p: { since?: Date; until?: Date },
): { hour: string; verb: string; events: number }[] {
  const counts = new Map<string, { hour: string; verb: string; events: number }>();
  for (const e of dedupe(delivered)) {
    if (!inRange(e.ts, p.since, p.until)) continue;
    const hour = bucketOf(e.ts, 'hour');
    const row = counts.get(`${hour} ${e.verb}`) ?? { hour, verb: e.verb, events: 0 };
    row.events += 1;
    counts.set(`${hour} ${e.verb}`, row);
  }
  return [...counts.values()].sort((a, b) => a.hour.localeCompare(b.hour) || codePointOrder(a.verb, b.verb));
}

/** `active_actors`: distinct non-null actors per bucket, every bucket answered. */
export function activeActorsOracle(
  delivered: readonly EventRow[],
  p: { bucket: 'day' | 'week'; since: Date; until: Date },
): { bucket: string; actors: number }[] {
  const actors = new Map<string, Set<string>>();
  for (const e of delivered) {
    if (e.actor === null || !inRange(e.ts, p.since, p.until)) continue;
    const bucket = bucketOf(e.ts, p.bucket);
    if (!actors.has(bucket)) actors.set(bucket, new Set());
    actors.get(bucket)!.add(e.actor);
  }
  return bucketsOf(p.since, p.until, p.bucket).map((bucket) => ({
    bucket,
    actors: actors.get(bucket)?.size ?? 0,
  }));
}

/** Linear interpolation between the nearest ranks at position `p × (n − 1)` of the sorted values. */
export function percentileCont(sorted: readonly number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function byVerb(
  delivered: readonly ActionRow[],
  p: { since: Date; until: Date; type?: string },
  keep: (a: ActionRow) => boolean,
): [string, ActionRow[]][] {
  const groups = new Map<string, ActionRow[]>();
  for (const a of dedupe(delivered)) {
    if (!inRange(a.ts, p.since, p.until) || (p.type !== undefined && a.type !== p.type) || !keep(a)) continue;
    if (!groups.has(a.verb)) groups.set(a.verb, []);
    groups.get(a.verb)!.push(a);
  }
  return [...groups].sort(([a], [b]) => codePointOrder(a, b));
}

/** `action_durations`: exact p50/p95 of duration_ms per verb. */
export function actionDurationsOracle(
  delivered: readonly ActionRow[],
  p: { since: Date; until: Date; type?: string; limit: number },
): { verb: string; actions: number; p50_ms: number; p95_ms: number }[] {
  return byVerb(delivered, p, (a) => a.duration_ms !== null)
    .slice(0, p.limit)
    .map(([verb, rows]) => {
      const sorted = rows.map((a) => a.duration_ms!).sort((x, y) => x - y);
      return {
        verb,
        actions: sorted.length,
        p50_ms: percentileCont(sorted, 0.5),
        p95_ms: percentileCont(sorted, 0.95),
      };
    });
}

const OUTCOMES = new Set(['completed', 'failed', 'undone']);

/** `failure_rate`: failed / outcomes (completed, failed, undone) per verb. */
export function failureRateOracle(
  delivered: readonly ActionRow[],
  p: { since: Date; until: Date; type?: string; limit: number },
): { verb: string; outcomes: number; failed: number; failure_rate: number }[] {
  return byVerb(delivered, p, (a) => OUTCOMES.has(a.status))
    .slice(0, p.limit)
    .map(([verb, rows]) => {
      const failed = rows.filter((a) => a.status === 'failed').length;
      return { verb, outcomes: rows.length, failed, failure_rate: failed / rows.length };
    });
}
