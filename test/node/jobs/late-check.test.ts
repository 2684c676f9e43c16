import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  initialRollupState,
  type RollupState,
  readRollup,
  refreshRollup,
  WINDOW_US,
} from '../../../jobs/materialize/index.ts';
import { settledRows } from '../../../jobs/materialize/late-events.ts';
import type { EventRow } from '../../../schemas/index.ts';
import { count, defineRollup, namespaceTables, sum } from '../../../views/index.ts';
import { eventFixture } from '../helpers.ts';
import { createMemoryLake, type MemoryLake } from './memory-lake.ts';

const HOUR = WINDOW_US.hour;
const MINUTE = 60_000_000;
const T0 = Date.parse('2026-11-02T00:00:00Z') * 1000;
const isoAt = (hours: number) => new Date((T0 + hours * HOUR) / 1000).toISOString().replace('Z', '000Z');

const sales = defineRollup('sales', {
  from: 'Order.created',
  groupBy: ['data.customer'],
  compute: { n: count(), total: sum('data.amount') },
  window: 'hour',
});

function order(seq: number, at: number, amount = 10): EventRow {
  return eventFixture(seq, {
    id: `https://shop.test/events/i1/${seq}`,
    ns: 'https://shop.test',
    ts: at,
    event: 'Order.created',
    verb: 'created',
    action: 'create',
    data: { customer: seq % 2 ? 'acme' : 'beta', amount },
  });
}

/** The lake's engine with every query it runs recorded. */
function recorded(lake: MemoryLake) {
  const texts: string[] = [];
  const engine = {
    async query<Row = Record<string, unknown>>(text: string) {
      texts.push(text);
      return lake.engine.query<Row>(text);
    },
  };
  return { engine, texts };
}

const readsCommits = (texts: string[]) => texts.some((t) => t.includes(`"kind" = 'commit'`));

let lake: MemoryLake;
let seq = 0;
beforeEach(async () => {
  seq = 0;
  lake = await createMemoryLake();
});
afterEach(() => lake.close());

/** 48 hours of history, built; then an hour of new events refreshed, so the state holds a count. */
async function built() {
  await lake.insert(
    'events',
    Array.from({ length: 48 * 4 }, (_, i) => order(++seq, T0 + i * 15 * MINUTE)),
  );
  const sink = lake.sink('rollups');
  const first = await refreshRollup(sales, initialRollupState(sales.key), { engine: lake.engine, sink });
  expect(first.state.settled).not.toBeNull();
  return { sink, state: first.state };
}

const full = async () =>
  (await lake.engine.query(sales.render().sql)).rows.map((r) => ({
    ...r,
    bucket: new Date(String(r.bucket)).toISOString(),
  }));

describe('the late-event check of an incremental refresh', () => {
  it('is skipped when only new events landed, and the result still equals a full recompute', async () => {
    const { sink, state } = await built();
    await lake.insert(
      'events',
      Array.from({ length: 20 }, (_, i) => order(++seq, state.watermark! + (i + 1) * MINUTE)),
    );
    const { engine, texts } = recorded(lake);
    const next = await refreshRollup(sales, state, { engine, sink });
    expect(readsCommits(texts)).toBe(false);
    expect(next.state).toMatchObject({
      lateEvents: 0,
      lateBuckets: [],
      watermark: state.watermark! + 20 * MINUTE,
    });
    expect((await readRollup(lake.engine, sales, {}, { rawTail: false })).rows).toEqual(await full());
  });

  it('finds late events that landed alone, in buckets older than the lookback', async () => {
    const { sink, state } = await built();
    // A batch of nothing but old events, a day before the watermark: no new event beside them.
    await lake.insert('events', [
      order(++seq, T0 + 20 * HOUR + MINUTE),
      order(++seq, T0 + 21 * HOUR + 2 * MINUTE),
    ]);
    const { engine, texts } = recorded(lake);
    const next = await refreshRollup(sales, state, { engine, sink });
    expect(readsCommits(texts)).toBe(true);
    expect(next.state.lateEvents).toBe(2);
    expect(next.state.lateBuckets).toEqual([T0 + 20 * HOUR, T0 + 21 * HOUR]);
    // Still reported by the next refresh (nothing new landed) until a backfill fixes them.
    const again = await refreshRollup(sales, next.state, { engine: lake.engine, sink });
    expect(again.state.lateEvents).toBe(2);
  });

  it('finds late events that landed beside new ones', async () => {
    const { sink, state } = await built();
    await lake.insert('events', [
      order(++seq, state.watermark! + MINUTE),
      order(++seq, T0 + 30 * HOUR + MINUTE),
    ]);
    const next = await refreshRollup(sales, state, { engine: lake.engine, sink });
    expect(next.state).toMatchObject({ lateEvents: 1, lateBuckets: [T0 + 30 * HOUR] });
  });

  it('runs the check when a duplicate of an old event landed, and counts no late event for it', async () => {
    const { sink, state } = await built();
    await lake.insert('events', [order(5, T0 + 4 * 15 * MINUTE)]);
    const { engine, texts } = recorded(lake);
    const next = await refreshRollup(sales, state, { engine, sink });
    expect(readsCommits(texts)).toBe(true);
    expect(next.state.lateEvents).toBe(0);
  });

  it('runs the check for a state without a count (written before counts were kept)', async () => {
    const { sink, state } = await built();
    await lake.insert('events', [order(++seq, T0 + 10 * HOUR)]);
    const { settled: _, ...older } = state;
    const { engine, texts } = recorded(lake);
    const next = await refreshRollup(sales, older as RollupState, { engine, sink });
    expect(readsCommits(texts)).toBe(true);
    expect(next.state.lateEvents).toBe(1);
    expect(next.state.settled).not.toBeNull();
  });

  it('runs the check when the lookback grew past what the last count vouched for', async () => {
    const { sink, state } = await built();
    // Inside the new 6-hour lookback, before the old 2-hour one: recomputed, not late.
    await lake.insert('events', [order(++seq, state.watermark! - 4 * HOUR)]);
    const { engine, texts } = recorded(lake);
    const next = await refreshRollup(sales, state, { engine, sink, lookbackUs: 6 * HOUR });
    expect(readsCommits(texts)).toBe(true);
    expect(next.state.lateEvents).toBe(0);
    expect((await readRollup(lake.engine, sales, {}, { rawTail: false })).rows).toEqual(await full());
  });
});

describe('where an incremental refresh starts', () => {
  it('at the last bucket before which nothing landed since the last refresh, not at the lookback', async () => {
    const { sink, state } = await built();
    // The watermark is T0 + 47 h 45 min: the last refresh counted the rows before 45 h, 46 h, 47 h, 48 h.
    expect(state.settled?.marks?.map(([at]) => (at - T0) / HOUR)).toEqual([45, 46, 47, 48]);
    await lake.insert(
      'events',
      Array.from({ length: 20 }, (_, i) => order(++seq, state.watermark! + (i + 1) * MINUTE)),
    );
    const first = recorded(lake);
    const next = await refreshRollup(sales, state, { engine: first.engine, sink });
    // Rows landed before 48 h (at 47 h 46 min …), none before 47 h: buckets 45 h and 46 h are kept.
    expect(next.chunks.map((c) => [(c.from - T0) / HOUR, (c.to - T0) / HOUR])).toEqual([[47, 49]]);
    // The start was read from the last mark (48 h), then again from the lookback (45 h): rows had
    // landed before the mark.
    const starts = first.texts.filter((t) => t.includes('"oldest"'));
    expect(starts.map((t) => /"ts" >= TIMESTAMP '([^']+)'/.exec(t)?.[1])).toEqual([isoAt(48), isoAt(45)]);
    expect((await readRollup(lake.engine, sales, {}, { rawTail: false })).rows).toEqual(await full());
    // Only new events after the newest bucket's end: the start is read once, from the last mark.
    await lake.insert('events', [order(++seq, T0 + 49 * HOUR + 5 * MINUTE)]);
    const later = recorded(lake);
    const quick = await refreshRollup(sales, next.state, { engine: later.engine, sink });
    expect(
      later.texts
        .filter((t) => t.includes('"oldest"'))
        .map((t) => /"ts" >= TIMESTAMP '([^']+)'/.exec(t)?.[1]),
    ).toEqual([isoAt(49)]);
    expect(quick.chunks.map((c) => [(c.from - T0) / HOUR, (c.to - T0) / HOUR])).toEqual([[49, 50]]);
    expect(quick.state.settled?.marks?.map(([at]) => (at - T0) / HOUR)).toEqual([47, 48, 49, 50]);
    expect((await readRollup(lake.engine, sales, {}, { rawTail: false })).rows).toEqual(await full());
    // Nothing new at all: only the newest bucket is recomputed.
    const idle = await refreshRollup(sales, quick.state, { engine: lake.engine, sink });
    expect(idle.chunks.map((c) => (c.from - T0) / HOUR)).toEqual([49]);
    expect((await readRollup(lake.engine, sales, {}, { rawTail: false })).rows).toEqual(await full());
  });

  it('at the bucket of an event that landed late inside the lookback, and the result is whole', async () => {
    const { sink, state } = await built();
    await lake.insert('events', [order(++seq, T0 + 45 * HOUR + 30 * MINUTE, 7)]);
    const next = await refreshRollup(sales, state, { engine: lake.engine, sink });
    expect(next.chunks.map((c) => (c.from - T0) / HOUR)).toEqual([45]);
    expect(next.state.lateEvents).toBe(0);
    expect((await readRollup(lake.engine, sales, {}, { rawTail: false })).rows).toEqual(await full());
  });

  it('reads its start and its rows in one statement when only new events landed, on an engine that reads one snapshot', async () => {
    const { sink, state } = await built();
    await lake.insert('events', [order(++seq, T0 + 48 * HOUR + 5 * MINUTE, 3), order(++seq, T0 + 49 * HOUR)]);
    const steady = recorded(lake);
    const snapshots = { ...steady.engine, readsOneSnapshot: true as const };
    const next = await refreshRollup(sales, state, { engine: snapshots, sink });
    // One statement: the start from the last mark (48 h) and the rollup's rows from there on.
    expect(steady.texts).toHaveLength(1);
    expect(steady.texts[0]).toContain('UNION ALL');
    expect(next.chunks.map((c) => [(c.from - T0) / HOUR, (c.to - T0) / HOUR])).toEqual([[48, 50]]);
    expect(next.chunks.reduce((n, c) => n + c.rows, 0)).toBeGreaterThan(0);
    expect((await readRollup(lake.engine, sales, {}, { rawTail: false })).rows).toEqual(await full());
    // A row landed before the mark (47 h 50 min): the rows read ahead are dropped, the refresh reads
    // again from the lookback and recomputes from the bucket it landed in.
    await lake.insert('events', [
      order(++seq, T0 + 49 * HOUR + 10 * MINUTE),
      order(++seq, T0 + 47 * HOUR + 50 * MINUTE, 9),
    ]);
    const moved = recorded(lake);
    const movedSnapshots = { ...moved.engine, readsOneSnapshot: true as const };
    const after = await refreshRollup(sales, next.state, { engine: movedSnapshots, sink });
    expect(after.chunks.map((c) => (c.from - T0) / HOUR)).toEqual([47]);
    expect(moved.texts.filter((t) => t.includes('UNION ALL'))).toHaveLength(1);
    expect((await readRollup(lake.engine, sales, {}, { rawTail: false })).rows).toEqual(await full());
  });

  it('at the lookback when the last refresh left no marks', async () => {
    const { sink, state } = await built();
    const { marks: _, ...settled } = state.settled!;
    const next = await refreshRollup(sales, { ...state, settled }, { engine: lake.engine, sink });
    expect(next.chunks.map((c) => (c.from - T0) / HOUR)).toEqual([45]);
    expect(next.state.settled?.marks).toHaveLength(4);
  });
});

describe('settledRows', () => {
  it('counts the rows before each time, every event name and duplicates included', async () => {
    await lake.insert('events', [
      order(1, T0),
      order(1, T0),
      { ...order(2, T0 + HOUR), event: 'Thing.renamed' },
      order(3, T0 + 2 * HOUR),
    ]);
    const table = namespaceTables('analytics');
    expect(await settledRows(lake.engine, table, [T0 + 2 * HOUR, T0 + HOUR, T0])).toEqual([3, 2, 0]);
  });

  it('takes one reading on an engine that reads one snapshot per statement', async () => {
    await lake.insert('events', [order(1, T0), order(2, T0 + 2 * HOUR), order(3, T0 + 3 * HOUR)]);
    const { engine, texts } = recorded(lake);
    const table = namespaceTables('analytics');
    const snapshots = { ...engine, readsOneSnapshot: true as const };
    expect(await settledRows(snapshots, table, [T0 + 3 * HOUR, T0 + HOUR])).toEqual([2, 1]);
    expect(texts).toHaveLength(1);
    // Elsewhere two readings must agree.
    expect(await settledRows(engine, table, [T0 + 3 * HOUR, T0 + HOUR])).toEqual([2, 1]);
    expect(texts).toHaveLength(3);
  });

  it('measures again when rows land while it counts, and gives up when they keep landing', async () => {
    await lake.insert('events', [order(1, T0), order(2, T0 + 2 * HOUR)]);
    const table = namespaceTables('analytics');
    let landing = 1;
    const busy = {
      async query<Row = Record<string, unknown>>(text: string) {
        const result = await lake.engine.query<Row>(text);
        // After each reading of the counts, an old and a new row land before the next one.
        if (text.includes('count(*) AS "rows"') && landing > 0) {
          landing -= 1;
          await lake.insert('events', [order(100 + landing, T0 + 3 * HOUR), order(200 + landing, T0)]);
        }
        return result;
      },
    };
    // Once disturbed, then settled: the count includes everything that landed.
    expect(await settledRows(busy, table, [T0 + HOUR])).toEqual([2]);
    landing = 10;
    expect(await settledRows(busy, table, [T0 + HOUR])).toBeNull();
  });
});
