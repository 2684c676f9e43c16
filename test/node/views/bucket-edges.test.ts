import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import type { EventRow } from '../../../schemas/index.ts';
import { eventsPerHour } from '../../../views/library/events-per-hour.ts';
import { timeSeriesViews } from '../../../views/library/time-series/index.ts';
import { createViewRegistry, type ViewEngine } from '../../../views/index.ts';
import { eventRow, tempDir } from '../fixtures/events.ts';
import { normalizeRows } from './oracles/oracle-time.ts';
import { activeActorsOracle, eventsPerBucketOracle, eventsPerHourOracle } from './oracles/time-series.ts';
import { dialectViewEngine, writeSmallLake } from './write-small-lake.ts';

// The bucketed views group on an integer bucket key (not on date_trunc): events on each side of
// every kind of edge, one microsecond apart, must land in the bucket date_trunc names.
const EDGES_MS = [
  Date.UTC(2026, 10, 23), // a Monday: a week, day, hour and minute edge
  Date.UTC(2026, 10, 25, 13), // a Wednesday 13:00: an hour edge
  Date.UTC(2026, 10, 25, 13, 41), // a minute edge
  Date.UTC(2026, 10, 29), // a Sunday: a day edge, not a week edge
  Date.UTC(1970, 0, 5), // the first Monday after the Unix epoch
  Date.UTC(1970, 0, 1, 0, 1), // one minute after the epoch
];
const OFFSETS_US = [-1_000_001, -1, 0, 1, 999_999];

const events: EventRow[] = EDGES_MS.flatMap((ms, e) =>
  OFFSETS_US.map((offset, o) => {
    const seq = e * OFFSETS_US.length + o + 1;
    return {
      ...eventRow(seq),
      ts: ms * 1000 + offset,
      actor: `https://people.test/u${seq % 4}`,
    } as EventRow;
  }),
);
// Delivery is at-least-once: every third event arrives twice.
const delivered = [...events, ...events.filter((_, i) => i % 3 === 0)];

let duckdb: DuckDbEngine;
let remove: () => Promise<void>;
const registry = createViewRegistry([...timeSeriesViews, eventsPerHour]);

beforeAll(async () => {
  const temp = await tempDir('dotdo-bucket-edges-');
  remove = temp.remove;
  await writeSmallLake(temp.dir, delivered);
  duckdb = await createDuckDbEngine({ lake: temp.dir });
});

afterAll(async () => {
  await duckdb?.close();
  await remove?.();
});

const engine = (): ViewEngine => dialectViewEngine(duckdb);
const run = async (view: string, params: unknown) =>
  normalizeRows((await registry.run(engine(), view, params)).rows);

describe('bucketed views put events a microsecond either side of an edge in date_trunc’s bucket', () => {
  it('events_per_bucket per minute, hour and day, near the epoch and now', async () => {
    const ranges = [
      { since: new Date(Date.UTC(2026, 10, 22, 23)), until: new Date(Date.UTC(2026, 10, 29, 1)) },
      { since: new Date(Date.UTC(1970, 0, 1)), until: new Date(Date.UTC(1970, 0, 6)) },
    ];
    for (const range of ranges)
      for (const bucket of ['minute', 'hour', 'day'] as const) {
        const params = { bucket, by: 'verb' as const, ...range, limit: 100_000 };
        const rows = await run('events_per_bucket', params);
        expect(rows).toEqual(normalizeRows(eventsPerBucketOracle(delivered, params)));
        expect(rows.reduce((n, r) => n + (r.events as number), 0)).toBeGreaterThan(0);
      }
  });

  it('events_per_hour over the whole lake', async () => {
    const rows = await run('events_per_hour', {});
    expect(rows).toEqual(normalizeRows(eventsPerHourOracle(delivered, {})));
    expect(rows.reduce((n, r) => n + (r.events as number), 0)).toBe(events.length);
  });

  it('active_actors per day and per week (weeks start on Monday)', async () => {
    const ranges = [
      { since: new Date(Date.UTC(2026, 10, 16)), until: new Date(Date.UTC(2026, 11, 7)) },
      { since: new Date(Date.UTC(1970, 0, 1)), until: new Date(Date.UTC(1970, 0, 19)) },
    ];
    for (const range of ranges)
      for (const bucket of ['day', 'week'] as const) {
        const params = { bucket, ...range };
        const rows = await run('active_actors', params);
        expect(rows).toEqual(normalizeRows(activeActorsOracle(delivered, params)));
        // The Monday edge splits its events over two weeks (or two days).
        expect(rows.filter((r) => (r.actors as number) > 0).length).toBeGreaterThanOrEqual(2);
      }
  });
});
