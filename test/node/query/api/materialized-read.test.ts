import { describe, expect, it } from 'vitest';
import {
  initialRollupState,
  readRollup,
  refreshRollup,
  WINDOW_US,
} from '../../../../jobs/materialize/index.ts';
import { openTokenVerifier } from '../../../../local/local-query-api.ts';
import { createQueryHandler, type MaterializedReader } from '../../../../query/api/index.ts';
import { count, createViewRegistry, defineRollup, sum } from '../../../../views/index.ts';
import { eventFixture } from '../../helpers.ts';
import { createMemoryLake } from '../../jobs/memory-lake.ts';

const HOUR = WINDOW_US.hour;
const T0 = Date.parse('2026-11-20T00:00:00Z') * 1000;
const spend = defineRollup('spend', {
  from: 'Order.created',
  groupBy: ['ns'],
  compute: { total: sum('data.amount'), n: count() },
  window: 'hour',
});
const orders = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) =>
    eventFixture(from + i, {
      id: `https://m.test/events/i1/${from + i}`,
      ns: 'https://m.test',
      ts: T0 + (from + i) * 10 * 60_000_000,
      event: 'Order.created',
      verb: 'created',
      action: 'create',
      data: { amount: (from + i) % 17 },
    }),
  );

async function setup(
  reader: (engine: Awaited<ReturnType<typeof createMemoryLake>>['engine']) => MaterializedReader,
) {
  const lake = await createMemoryLake();
  await lake.insert('events', orders(0, 30)); // five hours
  await refreshRollup(spend, initialRollupState(spend.key), {
    engine: lake.engine,
    sink: lake.sink('rollups'),
  });
  await lake.insert('events', orders(30, 12)); // two more, not refreshed
  const api = createQueryHandler({
    registry: createViewRegistry([spend]),
    engine: lake.engine,
    tokens: openTokenVerifier,
    cache: false,
    freshness: false,
    materialized: reader(lake.engine),
    lag: (view) => (view.name === 'spend' ? 7200.4 : undefined),
  });
  const get = async () => {
    const response = await api(new Request('http://api/views/spend?format=json'));
    const body = (await response.json()) as { result: { rows: Record<string, unknown>[] } };
    return { status: response.status, headers: response.headers, rows: body.result.rows };
  };
  const raw = (await lake.engine.query(spend.render().sql)).rows.map((r) => ({
    ...r,
    bucket: new Date(String(r.bucket)).toISOString(),
  }));
  return { lake, get, raw };
}

describe('the query API reads materialized views', () => {
  it('answers the materialized buckets plus the raw tail, saying which part came from where', async () => {
    const { lake, get, raw } = await setup((engine) => ({
      read: (_view, params) => readRollup(engine, spend, params),
    }));
    const read = await get();
    expect(read.status).toBe(200);
    expect(read.rows.map((r) => ({ ...r, bucket: new Date(String(r.bucket)).toISOString() }))).toEqual(raw);
    expect(read.rows.reduce((n, r) => n + Number(r.n), 0)).toBe(42);
    expect(read.headers.get('x-materialized-buckets')).toBe(
      `${new Date(T0 / 1000).toISOString()}/${new Date((T0 + 4 * HOUR) / 1000).toISOString()}`,
    );
    expect(read.headers.get('x-raw-tail-from')).toBe(new Date((T0 + 4 * HOUR) / 1000).toISOString());
    expect(read.headers.get('x-materialized-watermark')).toBe(
      new Date((T0 + 29 * 10 * 60_000_000) / 1000).toISOString(),
    );
    expect(read.headers.get('x-view-lag-seconds')).toBe('7200');
    lake.close();
  });

  it('a reader that fails or has no materialization leaves the view to raw events, and says so', async () => {
    const failing = await setup(() => ({
      read: async () => {
        throw new Error('rollups table unreadable\nnewline');
      },
    }));
    const read = await failing.get();
    expect(read.status).toBe(200);
    expect(read.rows.length).toBe(failing.raw.length);
    expect(read.headers.get('x-materialized-error')).toBe('rollups table unreadablenewline');
    expect(read.headers.get('x-materialized-buckets')).toBeNull();
    failing.lake.close();
    const none = await setup(() => ({ read: async () => undefined }));
    const plain = await none.get();
    expect(plain.rows.length).toBe(none.raw.length);
    expect(plain.headers.get('x-materialized-buckets')).toBeNull();
    expect(plain.headers.get('x-materialized-error')).toBeNull();
    none.lake.close();
  });
});
