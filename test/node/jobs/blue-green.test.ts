import { describe, expect, it } from 'vitest';
import {
  createMemoryRollupStateStore,
  createRollupRefresher,
  readCommits,
  readRollup,
  WINDOW_US,
} from '../../../jobs/materialize/index.ts';
import type { EventRow } from '../../../schemas/index.ts';
import { count, createViewRegistry, defineRollup, max, namespaceTables, sum } from '../../../views/index.ts';
import { eventFixture } from '../helpers.ts';
import { createMemoryLake, type MemoryLake } from './memory-lake.ts';

const HOUR = WINDOW_US.hour;
const T0 = Date.parse('2026-11-16T00:00:00Z') * 1000;

const v1 = defineRollup('sales', {
  from: 'Order.created',
  groupBy: ['data.customer'],
  compute: { total: sum('data.amount'), n: count() },
  window: 'hour',
});
// The new version: another measure and a coarser key, built beside @1 before it serves readers.
const v2 = defineRollup('sales', {
  version: 2,
  from: 'Order.created',
  groupBy: ['data.region'],
  compute: { total: sum('data.amount'), n: count(), largest: max('data.amount') },
  window: 'hour',
});

let seq = 0;
function orders(fromHour: number, hours: number, perHour: number): EventRow[] {
  return Array.from({ length: hours * perHour }, (_, i) => {
    seq += 1;
    return eventFixture(seq, {
      id: `https://shop.test/events/i1/${seq}`,
      ns: 'https://shop.test',
      ts: T0 + (fromHour + Math.floor(i / perHour)) * HOUR + (i % perHour) * 60_000_000,
      event: 'Order.created',
      verb: 'created',
      action: 'create',
      data: { customer: `c${seq % 5}`, region: seq % 2 ? 'eu' : 'us', amount: 100 + (seq % 37) },
    });
  });
}

const normalized = (rows: Record<string, unknown>[]) =>
  rows.map((r) => ({ ...r, bucket: new Date(String(r.bucket)).toISOString() }));
const full = async (lake: MemoryLake, view: typeof v1 | typeof v2) =>
  normalized((await lake.engine.query(view.render().sql)).rows);

describe('blue/green rollup versions', () => {
  it('readers stay on @1 while @2 backfills in bounded chunks, switch once it caught up, and @1 stays readable until dropped', async () => {
    const lake = await createMemoryLake();
    const sink = lake.sink('rollups');
    const store = createMemoryRollupStateStore();
    await lake.insert('events', orders(0, 48, 6));
    const base = { engine: lake.engine, sink, store, chunkBuckets: 4, maxChunks: 2 };
    // @1 alone, built and serving.
    const blue = createRollupRefresher({ ...base, views: [v1], maxChunks: 100 });
    expect((await blue.refreshAll()).current).toEqual({ sales: 1 });

    // The deploy that adds @2: every refresh builds at most 2 chunks of 4 hours of it.
    const refresher = createRollupRefresher({ ...base, views: [v1, v2] });
    let hour = 48;
    let steps = 0;
    for (;;) {
      await lake.insert('events', orders(hour, 1, 6)); // new events keep landing meanwhile
      hour += 1;
      const before = await readCommits(lake.engine, v2, namespaceTables('analytics'));
      const status = await refresher.refreshAll();
      steps += 1;
      const after = await readCommits(lake.engine, v2, namespaceTables('analytics'));
      expect(after.length - before.length).toBeLessThanOrEqual(2);
      const built = status.views.find((v) => v.view === 'sales@2')!;
      const registry = createViewRegistry([v1, v2], { current: status.current });
      if (status.current.sales === 2) {
        expect(built.building).toBe(false);
        break;
      }
      // Still building: readers of the bare name get @1, current and equal to its full recompute.
      expect(built.building).toBe(true);
      expect(status.current).toEqual({ sales: 1 });
      const served = registry.require('sales');
      expect(served.key).toBe('sales@1');
      expect((await readRollup(lake.engine, v1)).rows).toEqual(await full(lake, v1));
      expect(steps).toBeLessThan(20);
    }
    // 49 hours at 8 per refresh: @2 took several bounded steps before it served.
    expect(steps).toBeGreaterThanOrEqual(6);
    const switched = createViewRegistry([v1, v2], { current: refresher.status().current });
    expect(switched.require('sales').key).toBe('sales@2');
    expect(refresher.status().views.map((v) => [v.view, v.serving])).toEqual([
      ['sales@1', false],
      ['sales@2', true],
    ]);
    // Both versions equal their full recomputes, from their materialization alone and with the tail.
    await lake.insert('events', orders(hour, 2, 6));
    await refresher.refreshAll();
    for (const view of [v1, v2]) {
      const materialized = await readRollup(lake.engine, view, {}, { rawTail: false });
      expect(materialized.sources.raw).toEqual([]);
      expect(materialized.rows).toEqual(await full(lake, view));
      expect((await readRollup(lake.engine, view)).rows).toEqual(await full(lake, view));
    }
    // Dropped, @1 is no longer refreshed or reported; its rows stay in the lake.
    refresher.drop('sales@1');
    const commits = (await readCommits(lake.engine, v1, namespaceTables('analytics'))).length;
    await lake.insert('events', orders(hour + 2, 1, 6));
    const status = await refresher.refreshAll();
    expect(status.views.map((v) => v.view)).toEqual(['sales@2']);
    expect(status.current).toEqual({ sales: 2 });
    expect((await readCommits(lake.engine, v1, namespaceTables('analytics'))).length).toBe(commits);
    expect((await readRollup(lake.engine, v2)).rows).toEqual(await full(lake, v2));
    expect(store.history(500).every((h) => h.error === null)).toBe(true);
    lake.close();
  }, 20_000);
});
