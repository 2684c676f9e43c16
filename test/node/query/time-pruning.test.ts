import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogTableDir, createIcebergTable, decodeLongBound } from '../../../lake/iceberg/index.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { type R2SqlDialectEngine, withR2SqlDialect } from '../../../query/index.ts';
import type { EventRow } from '../../../schemas/index.ts';
import { sql } from '../../../sql/index.ts';
import { request } from 'node:http';
import { eventRow, tempDir } from '../fixtures/events.ts';

const DAYS = 30;
const PER_DAY = 12;
const LATE = 2;
const DAY = 86_400_000_000;
const HOUR = 3_600_000_000;
const T0 = 1_795_564_800_000_000; // 2026-11-25T00:00:00Z
const at = (day: number) => sql.timestamp(T0 + day * DAY).text;

let stack: LocalStack;
let remove: () => Promise<void>;
let engine: Omit<DuckDbEngine, 'query'> & R2SqlDialectEngine;
const lake: EventRow[] = [];

/**
 * POSTs JSON on a connection of its own: the rolls block this process (the server's too), and a
 * kept-alive connection the server times out meanwhile would reset under the next request.
 */
function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Day `d`'s roll: its own events, and `LATE` events of the day before that arrive only now. */
function rollOf(day: number): EventRow[] {
  const rows: EventRow[] = [];
  for (let i = 0; i < PER_DAY; i++) {
    const seq = day * 100 + i + 1;
    rows.push({ ...eventRow(seq), ts: T0 + day * DAY + (i + 1) * HOUR });
  }
  for (let i = 0; day > 0 && i < LATE; i++) {
    const seq = day * 100 + 50 + i;
    rows.push({ ...eventRow(seq), ts: T0 + (day - 1) * DAY + 23 * HOUR + i * 60_000_000 });
  }
  return rows;
}

beforeAll(async () => {
  const temp = await tempDir('dotdo-time-pruning-');
  remove = temp.remove;
  stack = await startLocalStack({
    dataDir: temp.dir,
    port: 0,
    pipelines: {
      rollIntervalMs: 3_600_000,
      streams: { events: { table: 'events' } },
      sinks: {
        events_r2: { kind: 'r2', schema: 'events', path: 'events' },
        events_iceberg: { kind: 'r2-data-catalog', schema: 'events', namespace: 'catalog', table: 'events' },
      },
      pipelines: [
        {
          name: 'fanout',
          sql: 'INSERT INTO events_r2 SELECT * FROM events; INSERT INTO events_iceberg SELECT * FROM events',
        },
      ],
    },
  });
  for (let day = 0; day < DAYS; day++) {
    const rows = rollOf(day);
    lake.push(...rows);
    expect((await post(`${stack.ingestUrl}/events`, rows)).status).toBe(200);
    stack.pipelines.roll();
  }
  engine = withR2SqlDialect(await createDuckDbEngine({ lake: stack.pipelines.bucketDir }));
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await stack?.close();
  await remove?.();
});

const TABLES = ['analytics.events', 'catalog.events'] as const;

/** Queries over day 15, each with a form the bound extractor refuses (an OR) that means the same. */
const window = `ts >= ${at(15)} AND ts < ${at(16)}`;
const QUERIES = (table: string): [name: string, pruned: string, unpruned: string][] => [
  [
    'a count by verb',
    `SELECT verb, count(*) AS n FROM ${table} WHERE ${window} GROUP BY verb ORDER BY verb`,
    `SELECT verb, count(*) AS n FROM ${table} WHERE (${window}) OR false GROUP BY verb ORDER BY verb`,
  ],
  [
    'every column of every row',
    `SELECT * FROM ${table} WHERE ${window} ORDER BY id`,
    `SELECT * FROM ${table} WHERE (${window}) OR false ORDER BY id`,
  ],
  [
    'a view that dedupes in a derived table',
    `SELECT verb, count(*) AS n, min(ts) AS earliest FROM (SELECT DISTINCT ON (id) * FROM ${table} WHERE ${window} ORDER BY id, ts DESC) d GROUP BY verb ORDER BY verb`,
    `SELECT verb, count(*) AS n, min(ts) AS earliest FROM (SELECT DISTINCT ON (id) * FROM ${table} WHERE (${window}) OR false ORDER BY id, ts DESC) d GROUP BY verb ORDER BY verb`,
  ],
  [
    'an empty window',
    `SELECT count(*) AS n FROM ${table} WHERE ts >= ${at(40)}`,
    `SELECT count(*) AS n FROM ${table} WHERE ts >= ${at(40)} OR false`,
  ],
];

describe('a one-day window over a 30-day lake reads ≤ 1/10 of the files', () => {
  it('writes one file per roll to each sink, with ts bounds in the Iceberg manifests', () => {
    const table = createIcebergTable({
      dir: catalogTableDir(stack.pipelines.bucketDir, 'catalog', 'events'),
    });
    const live = table.liveFiles();
    expect(live).toHaveLength(DAYS);
    const ts = table.schema().fields.find((f) => f.name === 'ts')!.id;
    const lows = live.map((f) => Number(decodeLongBound(f.lower_bounds?.get(ts))));
    expect(Math.min(...lows)).toBe(T0 + HOUR);
    // The late events make a file's lower bound reach into the day before.
    expect(lows.filter((low) => (low - T0) % DAY === 23 * HOUR)).toHaveLength(DAYS - 1);
  });

  for (const table of TABLES) {
    describe(table, () => {
      it.each(QUERIES(table))('through the R2 SQL stand-in: %s', async (_name, pruned, unpruned) => {
        const url = `${stack.r2SqlUrl}/accounts/acct/r2-sql/query/lake`;
        const narrow = await post(url, { query: pruned });
        const whole = await post(url, { query: unpruned });
        expect(narrow.status, JSON.stringify(narrow.body)).toBe(200);
        expect(whole.status, JSON.stringify(whole.body)).toBe(200);
        expect(narrow.body.result.rows).toEqual(whole.body.result.rows);
        expect(whole.body.result.metrics.files_scanned).toBe(DAYS);
        expect(narrow.body.result.metrics.files_scanned).toBeLessThanOrEqual(DAYS / 10);
        expect(narrow.body.result.metrics.bytes_scanned).toBeLessThan(
          whole.body.result.metrics.bytes_scanned / 5,
        );
      });

      it.each(QUERIES(table))('through the DuckDB engine: %s', async (_name, pruned, unpruned) => {
        const narrow = await engine.run(pruned);
        const whole = await engine.run(unpruned);
        expect(narrow.result.rows).toEqual(whole.result.rows);
        expect(narrow.result.schema).toEqual(whole.result.schema);
        expect(whole.result.metrics?.files_scanned).toBe(DAYS);
        expect(narrow.result.metrics?.files_scanned).toBeLessThanOrEqual(DAYS / 10);
        expect(narrow.scans?.[0]?.narrowed).toBe(true);
      });
    });
  }

  it('keeps the late events: the window holds every event stamped that day, wherever it landed', async () => {
    const expected = lake.filter((r) => r.ts >= T0 + 15 * DAY && r.ts < T0 + 16 * DAY).map((r) => r.id);
    expect(expected).toHaveLength(PER_DAY + LATE);
    for (const table of TABLES) {
      const { result } = await engine.run<{ id: string }>(
        `SELECT id FROM ${table} WHERE ${window} ORDER BY id`,
      );
      expect(result.rows.map((r) => r.id)).toEqual([...expected].sort());
      // Day 15's own file and day 16's, where day 15's late events landed.
      expect(result.metrics?.files_scanned).toBe(2);
    }
  });

  it('reads every file when the bound is not certain', async () => {
    const { result } = await engine.run(
      `SELECT count(*) AS n FROM analytics.events WHERE date_trunc('day', ts) = ${at(15)}`,
    );
    expect(result.metrics?.files_scanned).toBe(DAYS);
    expect(result.rows).toEqual([{ n: PER_DAY + LATE }]);
  });
});
