import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backfillRollup,
  initialRollupState,
  type RollupState,
  readRollup,
  refreshRollup,
  WINDOW_US,
} from '../../../jobs/materialize/index.ts';
import type { EventRow } from '../../../schemas/index.ts';
import { avg, count, countDistinct, defineRollup, first, last, max, min, sum } from '../../../views/index.ts';
import { eventFixture, tempDir } from '../helpers.ts';
import { createMemoryLake } from './memory-lake.ts';
import { createParquetLake, type ParquetLake } from './parquet-lake.ts';

const HOUR = WINDOW_US.hour;
const T0 = Date.parse('2026-11-02T00:00:00Z') * 1000;
const CUSTOMERS = ['acme', 'beta', 'gamma', null];

const revenue = defineRollup('revenue', {
  from: 'Order.created',
  groupBy: ['data.customer'],
  compute: {
    total: sum('data.amount'),
    n: count(),
    buyers: countDistinct('actor'),
    first_buyer: first('actor'),
    last_at: last('ts'),
    low: min('data.amount'),
    high: max('data.amount'),
    mean: avg('data.amount'),
  },
  window: 'hour',
});

/** An order event: `seq` is its identity, `hour` and `minute` its time, amounts in cents (exact sums). */
function order(seq: number, at: number, customer: string | null, amount: number, actor: number): EventRow {
  return eventFixture(seq, {
    id: `https://shop.test/events/i1/${seq}`,
    ns: 'https://shop.test',
    ts: at,
    event: 'Order.created',
    verb: 'created',
    action: 'create',
    actor: `https://shop.test/users/u${actor}`,
    data: customer === null ? { amount } : { customer, amount },
  });
}

let temp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  temp = await tempDir('dotdo-materialize-');
});
afterAll(async () => temp?.remove());

let lakes = 0;
async function lake(): Promise<ParquetLake> {
  lakes += 1;
  return createParquetLake(`${temp.dir}/lake-${lakes}`);
}

const full = async (l: ParquetLake, params: Record<string, unknown> = {}) =>
  (await l.engine.query(revenue.render(params).sql)).rows.map((r) => ({
    ...r,
    bucket: new Date(String(r.bucket)).toISOString(),
  }));

describe('materialized rollups', () => {
  it('a first refresh materializes all history; a read then comes from the materialization plus the raw tail', async () => {
    const l = await lake();
    const sink = l.sink('rollups');
    await l.write(
      'events',
      Array.from({ length: 300 }, (_, i) =>
        order(i + 1, T0 + i * 60_000_000, CUSTOMERS[i % 4]!, 100 + i, i % 5),
      ),
    );
    const { state, chunks } = await refreshRollup(revenue, initialRollupState(revenue.key), {
      engine: l.engine,
      sink,
      chunkBuckets: 2,
    });
    expect(state.watermark).toBe(T0 + 299 * 60_000_000);
    expect(chunks.map((c) => (c.to - c.from) / HOUR)).toEqual([2, 2, 1]);
    const read = await readRollup(l.engine, revenue);
    expect(read.rows).toEqual(await full(l));
    expect(read.sources.materialized.length).toBeGreaterThan(0);
    expect(read.sources.raw.at(-1)?.[0]).toBe(T0 + 4 * HOUR);
    await l.close();
  });

  it('a read with a limit reads materialized rows only up to the bucket its page ends in, and answers as the raw view does', async () => {
    const l = await lake();
    const inner = l.sink('rollups');
    // At least once: every rollups row is delivered twice.
    const sink = {
      async send(rows: Record<string, unknown>[]) {
        await inner.send(rows);
        await inner.send(rows);
      },
    };
    await l.write(
      'events',
      Array.from({ length: 300 }, (_, i) =>
        order(i + 1, T0 + i * 60_000_000, CUSTOMERS[i % 4]!, 100 + i, i % 5),
      ),
    );
    await refreshRollup(revenue, initialRollupState(revenue.key), {
      engine: l.engine,
      sink,
      chunkBuckets: 2,
    });
    const texts: string[] = [];
    const engine = {
      async query<Row = Record<string, unknown>>(text: string) {
        texts.push(text);
        return l.engine.query<Row>(text);
      },
    };
    // Four groups per hour, five hours (the last one the raw tail).
    for (const limit of [1, 3, 4, 5, 8, 9, 15, 16, 17, 19, 20, 21, 500]) {
      expect((await readRollup(engine, revenue, { limit })).rows, `limit ${limit}`).toEqual(
        await full(l, { limit }),
      );
    }
    texts.length = 0;
    await readRollup(engine, revenue, { limit: 5 });
    // Five rows end in the second hour: the materialized rows are read up to it, not beyond.
    const read = texts.find((t) => t.startsWith('SELECT DISTINCT ON ("id") "refresh_id"'));
    expect(read).toContain(`"bucket" < TIMESTAMP '2026-11-02T01:00:00.000001Z'`);
    await l.close();
  });

  it('a refresh cut short before its commit is never read, and a retry is not counted twice', async () => {
    const l = await lake();
    await l.write(
      'events',
      Array.from({ length: 120 }, (_, i) => order(i + 1, T0 + i * 60_000_000, CUSTOMERS[i % 3]!, 10, i % 7)),
    );
    const inner = l.sink('rollups');
    let sends = 0;
    const crashing = {
      async send(rows: Record<string, unknown>[]) {
        sends += 1;
        if (rows.some((r) => r.kind === 'commit') && sends > 1) throw new Error('killed before the commit');
        await inner.send(rows);
      },
    };
    const first = await refreshRollup(revenue, initialRollupState(revenue.key), {
      engine: l.engine,
      sink: inner,
    });
    await l.write(
      'events',
      Array.from({ length: 60 }, (_, i) => order(1000 + i, T0 + 2 * HOUR + i * 60_000_000, 'acme', 5, 1)),
    );
    await expect(refreshRollup(revenue, first.state, { engine: l.engine, sink: crashing })).rejects.toThrow(
      'killed',
    );
    const halfway = await readRollup(l.engine, revenue);
    expect(halfway.rows).toEqual(await full(l));
    const retried = await refreshRollup(revenue, first.state, { engine: l.engine, sink: inner });
    await refreshRollup(revenue, first.state, { engine: l.engine, sink: inner });
    expect(retried.state.watermark).toBe(T0 + 2 * HOUR + 59 * 60_000_000);
    expect((await readRollup(l.engine, revenue)).rows).toEqual(await full(l));
    await l.close();
  });

  it('incremental equals full after random new, late and duplicated batches, once late events are backfilled', async () => {
    const batch = fc.record({
      events: fc.array(
        fc.record({
          offsetMin: fc.integer({ min: -6 * 60, max: 90 }),
          customer: fc.constantFrom(...CUSTOMERS),
          amount: fc.integer({ min: 1, max: 10_000 }),
          actor: fc.integer({ min: 0, max: 6 }),
          duplicate: fc.boolean(),
        }),
        { minLength: 1, maxLength: 25 },
      ),
      // Only events after the newest bucket so far: the steady refresh, which reads its rows with
      // its start in one statement on an engine that reads one snapshot.
      onlyNew: fc.boolean(),
    });
    let seq = 0;
    let runs = 0;
    // One lake for every run: each run reads only its own event name and rollup key, so the other
    // runs' rows sit beside it (as other rollups' rows do in a real lake) and must not leak into it.
    const l = await createMemoryLake();
    await fc
      .assert(
        fc.asyncProperty(
          fc.array(batch, { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 1, max: 3 }),
          fc.boolean(),
          async (batches, lookbackHours, oneSnapshot) => {
            // Inserts land between refreshes, never during one: a statement reads one snapshot, so
            // the engine may vouch for it, and the refresh then trusts a single reading.
            const engine = oneSnapshot ? { ...l.engine, readsOneSnapshot: true as const } : l.engine;
            runs += 1;
            // Each run rolls up its own event name over a fresh range of the same lake.
            const rollup = defineRollup(`run_${runs}`, { ...revenueConfig, from: `Order${runs}.created` });
            const sink = l.sink('rollups');
            let state: RollupState = initialRollupState(rollup.key);
            let clock = T0 + runs * 1000 * HOUR;
            const delivered: EventRow[] = [];
            for (const { events, onlyNew } of batches) {
              clock += HOUR;
              const rows = events.map((e) => ({
                ...order(
                  ++seq,
                  clock + minutes(e.offsetMin, onlyNew) * 60_000_000,
                  e.customer,
                  e.amount,
                  e.actor,
                ),
                event: `Order${runs}.created`,
              }));
              const again = rows
                .filter((_, i) => events[i]!.duplicate && delivered.length > 0 && !onlyNew)
                .map(() => delivered[Math.floor(delivered.length / 2)]!);
              delivered.push(...rows);
              await l.insert('events', [...rows, ...again]);
              state = (
                await refreshRollup(rollup, state, {
                  engine,
                  sink,
                  lookbackUs: lookbackHours * HOUR,
                  chunkBuckets: 3,
                })
              ).state;
            }
            for (const bucket of state.lateBuckets) {
              await backfillRollup(rollup, { from: bucket, to: bucket + HOUR }, { engine: l.engine, sink });
            }
            const expected = (await l.engine.query(rollup.render().sql)).rows.map((r) => ({
              ...r,
              bucket: new Date(String(r.bucket)).toISOString(),
            }));
            const read = await readRollup(l.engine, rollup);
            expect(read.rows).toEqual(expected);
          },
        ),
        { numRuns: Number(process.env.MATERIALIZE_RUNS ?? 200), seed: 20261201 },
      )
      .finally(() => l.close());
    expect(runs).toBe(Number(process.env.MATERIALIZE_RUNS ?? 200));
  }, 600_000);
});

// The last batch's events are at most 90 minutes after its clock, an hour before this one's: 60 to
// 90 minutes after this clock is after every bucket so far.
const minutes = (offset: number, onlyNew: boolean) => (onlyNew ? 60 + (Math.abs(offset) % 31) : offset);

const revenueConfig = {
  groupBy: ['data.customer'],
  compute: { total: sum('data.amount'), n: count(), buyers: countDistinct('actor'), last_at: last('ts') },
  window: 'hour' as const,
};
