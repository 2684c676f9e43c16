import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { sql } from '../../../sql/index.ts';
import type { ActionRow, EventRow } from '../../../schemas/index.ts';
import { eventsPerHour } from '../../../views/library/events-per-hour.ts';
import { timeSeriesViews } from '../../../views/library/time-series/index.ts';
import { createViewRegistry, isViewParamsError, type ViewEngine } from '../../../views/index.ts';
import { eventRow, tempDir } from '../fixtures/events.ts';
import { normalizeRows } from './oracles/oracle-time.ts';
import { dialectViewEngine, writeSmallLake } from './write-small-lake.ts';
import {
  actionDurationsOracle,
  activeActorsOracle,
  eventsPerBucketOracle,
  eventsPerHourOracle,
  failureRateOracle,
} from './oracles/time-series.ts';

// Monday 2026-11-23 09:00 UTC; events at 09:00-09:37, 12:00-12:25 (10:00 and 11:00 empty), and on Wednesday.
const T0 = Date.parse('2026-11-23T09:00:00Z');
const STATUSES = (i: number) =>
  i % 7 === 3 ? 'failed' : i % 11 === 0 ? 'undone' : i % 13 === 0 ? 'pending' : 'completed';

function lakeEvent(i: number): EventRow {
  const ns = i % 2 === 0 ? 'https://a.test' : 'https://b.test';
  const seq = Math.floor(i / 2) + 1;
  const offsetMs =
    i < 60 ? i * 37_000 : i < 90 ? 3 * 3_600_000 + (i - 60) * 50_000 : 2 * 86_400_000 + (i - 90) * 180_000;
  const verb = ['created', 'updated', 'deleted'][i % 3]!;
  return {
    ...eventRow(seq, ns),
    ts: (T0 + offsetMs) * 1000 + (i % 7) * 111,
    verb,
    type: i % 4 === 0 ? `${ns}/Person` : `${ns}/Startup`,
    actor: i % 5 === 0 ? null : `https://people.test/u${i % 7}`,
    status: STATUSES(i),
    duration_ms: i % 9 === 0 ? null : ((i * 7) % 23) + 0.5,
    action_id: `${ns}/actions/inc-1/${seq}`,
  } as EventRow;
}

const events = Array.from({ length: 120 }, (_, i) => lakeEvent(i));
// Delivery is at-least-once: 20 events arrive twice.
const delivered = [...events, ...events.slice(10, 30)];
let actions: ActionRow[] = [];

let duckdb: DuckDbEngine;
let remove: () => Promise<void>;
const registry = createViewRegistry([...timeSeriesViews, eventsPerHour]);

beforeAll(async () => {
  const temp = await tempDir('dotdo-time-series-');
  remove = temp.remove;
  actions = (await writeSmallLake(temp.dir, delivered)).actions;
  duckdb = await createDuckDbEngine({ lake: temp.dir });
});

afterAll(async () => {
  await duckdb?.close();
  await remove?.();
});

const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const engine = (): ViewEngine => dialectViewEngine(duckdb);
const run = async (view: string, params: unknown) =>
  normalizeRows((await registry.run(engine(), view, params)).rows);

describe('time-series views over a small lake, through R2 SQL’s dialect on DuckDB, equal their oracles', () => {
  it('events_per_bucket: each bucket size and each `by`, empty buckets filled with 0', async () => {
    const ranges = [
      { bucket: 'hour', by: 'verb', since: at(-1), until: at(72) },
      { bucket: 'minute', by: 'ns', since: at(0.5), until: at(3.2) },
      { bucket: 'day', by: 'type', since: at(1), until: at(24 * 5) },
    ] as const;
    for (const range of ranges) {
      const params = { ...range, since: new Date(range.since), until: new Date(range.until) };
      const rows = await run('events_per_bucket', range);
      expect(rows).toEqual(normalizeRows(eventsPerBucketOracle(delivered, params)));
      expect(rows.some((r) => r.events === 0)).toBe(true);
    }
    const hourly = await run('events_per_bucket', { since: at(-1), until: at(72) });
    expect(hourly.filter((r) => r.bucket === '2026-11-23T10:00:00.000000Z').map((r) => r.events)).toEqual([
      0, 0, 0,
    ]);
    expect(hourly).toHaveLength(73 * 3);
  });

  it('events_per_bucket through a tenancy-filtered table reference counts only that namespace', async () => {
    const table = (name: string) =>
      sql`(SELECT * FROM ${sql.id('analytics', name)} WHERE ns IN ${['https://a.test']}) AS scoped`;
    const params = { bucket: 'hour', by: 'ns', since: at(-1), until: at(72) } as const;
    const rows = normalizeRows((await registry.run(engine(), 'events_per_bucket', params, { table })).rows);
    const parsed = { ...params, since: new Date(params.since), until: new Date(params.until) };
    const scoped = delivered.filter((e) => e.ns === 'https://a.test');
    expect(rows).toEqual(normalizeRows(eventsPerBucketOracle(scoped, parsed)));
    expect(new Set(rows.map((r) => r.series))).toEqual(new Set(['https://a.test']));
  });

  it('events_per_bucket answers no rows for a range without events, and refuses an answer over `limit`', async () => {
    expect(await run('events_per_bucket', { since: at(-48), until: at(-24) })).toEqual([]);
    const error = await registry
      .run(engine(), 'events_per_bucket', { bucket: 'minute', since: at(0), until: at(1), limit: 5 })
      .catch((e: unknown) => e);
    expect(isViewParamsError(error) && error.issues.map((i) => i.param)).toEqual(['limit']);
  });

  it('active_actors per day and per week, every bucket answered', async () => {
    for (const bucket of ['day', 'week'] as const) {
      const params = { bucket, since: new Date(at(-24 * 8)), until: new Date(at(24 * 9)) };
      const rows = await run('active_actors', params);
      expect(rows).toEqual(normalizeRows(activeActorsOracle(delivered, params)));
      expect(rows.filter((r) => (r.actors as number) > 0).length).toBe(bucket === 'day' ? 2 : 1);
    }
  });

  it('action_durations: exact p50/p95 per verb (linear interpolation), also for one type', async () => {
    for (const type of [undefined, 'https://a.test/Startup']) {
      const params = {
        since: new Date(at(0)),
        until: new Date(at(72)),
        ...(type ? { type } : {}),
        limit: 1000,
      };
      const rows = await run('action_durations', params);
      expect(rows).toEqual(normalizeRows(actionDurationsOracle(actions, params)));
      expect(rows.length).toBe(3);
    }
  });

  it('failure_rate: failed / outcomes per verb, pending left out', async () => {
    for (const type of [undefined, 'https://b.test/Startup']) {
      const params = {
        since: new Date(at(0)),
        until: new Date(at(72)),
        ...(type ? { type } : {}),
        limit: 1000,
      };
      const rows = await run('failure_rate', params);
      expect(rows).toEqual(normalizeRows(failureRateOracle(actions, params)));
      expect(
        rows.some((r) => (r.failed as number) > 0 && (r.failed as number) < (r.outcomes as number)),
      ).toBe(true);
    }
    const all = await run('failure_rate', { since: at(0), until: at(72) });
    const outcomes = events.filter((_e, i) => STATUSES(i) !== 'pending').length;
    expect(all.reduce((n, r) => n + (r.outcomes as number), 0)).toBe(outcomes);
  });

  it('events_per_hour stays the demo’s unbounded hourly view, deduplicated', async () => {
    expect(await run('events_per_hour', {})).toEqual(normalizeRows(eventsPerHourOracle(delivered, {})));
    const since = new Date(at(3));
    expect(await run('events_per_hour', { since })).toEqual(
      normalizeRows(eventsPerHourOracle(delivered, { since })),
    );
  });
});

describe('time-series params are refused before any SQL reaches the engine', () => {
  const trap: ViewEngine = {
    query: () => {
      throw new Error('the engine was called');
    },
  };
  const range = { since: '2026-11-23', until: '2026-11-24' };
  const cases: [string, unknown, string][] = [
    ['events_per_bucket', { ...range, bucket: 'second' }, 'bucket'],
    ['events_per_bucket', { ...range, by: 'verb; DROP TABLE events' }, 'by'],
    ['events_per_bucket', { ...range, since: 'yesterday' }, 'since'],
    ['events_per_bucket', { until: range.until }, 'since'],
    ['events_per_bucket', { ...range, bucket: 'minute', until: '2026-12-01' }, 'until'],
    ['events_per_bucket', { since: range.until, until: range.since }, 'until'],
    ['events_per_bucket', { ...range, limit: 0 }, 'limit'],
    ['events_per_bucket', { ...range, limit: '10' }, 'limit'],
    ['events_per_bucket', { ...range, offset: 10 }, 'offset'],
    ['active_actors', { ...range, bucket: 'month' }, 'bucket'],
    ['active_actors', { since: "2026-11-23' OR 1=1 --", until: range.until }, 'since'],
    ['action_durations', { ...range, type: "x' OR '1'='1" }, 'type'],
    ['action_durations', { ...range, limit: 1e6 }, 'limit'],
    ['action_durations', { ...range, type: 'https://x.test/\u0000' }, 'type'],
    ['failure_rate', { ...range, until: 'NaN' }, 'until'],
    ['failure_rate', { ...range, status: 'failed' }, 'status'],
  ];
  it.each(cases)('%s %j → names %s', async (view, params, param) => {
    const error = await registry.run(trap, view, params).catch((e: unknown) => e);
    expect(isViewParamsError(error)).toBe(true);
    expect((error as { issues: { param: string }[] }).issues.map((i) => i.param)).toContain(param);
    expect((error as Error).message).toContain(`param "${param}"`);
  });

  it('a range of 10,000 minute buckets is accepted and 10,001 refused, naming until', () => {
    const since = new Date('2026-11-23T00:00:00Z');
    const until = (n: number) => new Date(since.getTime() + n * 60_000);
    const view = registry.require('events_per_bucket');
    expect(view.render({ bucket: 'minute', since, until: until(10_000) }).sql).toContain('LIMIT 10001');
    expect(() => view.render({ bucket: 'minute', since, until: until(10_001) })).toThrow(
      /param "until".*10001 minute buckets/,
    );
  });
});
