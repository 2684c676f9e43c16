import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDuckDbEngine,
  createIsolatedDuckDbEngine,
  type DuckDbEngine,
} from '../../../query/duckdb/index.ts';
import { type R2SqlDialectEngine, type R2SqlRun, withR2SqlDialect } from '../../../query/index.ts';
import { eventRow } from '../../../schemas/index.ts';
import { sql } from '../../../sql/index.ts';
import { tempDir } from '../fixtures/events.ts';

const DAYS = 10;
const PER_DAY = 12;
const T0 = 1_795_564_800_000_000n; // 2026-11-25T00:00:00Z
const DAY = 86_400_000_000n;
const at = (day: number) => sql.timestamp(T0 + BigInt(day) * DAY).text;

let root: string;
let remove: () => Promise<void>;
let writer: Awaited<ReturnType<DuckDBInstance['connect']>>;
let duckdb: DuckDbEngine;
let engine: Omit<DuckDbEngine, 'query'> & R2SqlDialectEngine;
let landed = 0;

/** Lands day `day`'s file (hours 1…`rows` of that day) whole, as the r2 sink does (renamed in). */
async function land(day: number, rows = PER_DAY): Promise<void> {
  const dir = join(root, 'events', `day=${String(day).padStart(2, '0')}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `f${String(++landed).padStart(3, '0')}.parquet`);
  await writer.run(
    `COPY (SELECT 'e${landed}-' || i AS id, CAST(i AS BIGINT) AS seq,
        TIMESTAMPTZ '2026-11-25 00:00:00+00' + INTERVAL (${day}) DAY + INTERVAL (i + 1) HOUR AS ts
      FROM range(${rows}) t(i)) TO '${path}.tmp' (FORMAT parquet)`,
  );
  renameSync(`${path}.tmp`, path);
}

beforeAll(async () => {
  const temp = await tempDir('dotdo-mention-pruning-');
  root = temp.dir;
  remove = temp.remove;
  writer = await (await DuckDBInstance.create(':memory:')).connect();
  await writer.run("SET TimeZone = 'UTC'");
  for (let day = 0; day < DAYS; day++) await land(day);
  duckdb = await createDuckDbEngine({ lake: root, tables: { events: eventRow } });
  engine = withR2SqlDialect(duckdb);
});

afterAll(async () => {
  await engine?.close();
  writer?.closeSync();
  await remove?.();
});

/** A WHERE condition; unsure, the same condition made uncertain (`OR false`): read from every file. */
const cond = (text: string, sure: boolean) => (sure ? text : `(${text}) OR false`);
/** How often a relation in the translation lists a file of day `day`. */
const listings = (run: R2SqlRun, day: number) =>
  run.translation.sql.split(`day=${String(day).padStart(2, '0')}/`).length - 1;

const start = (sure: boolean) =>
  `SELECT s.n, s.oldest, t.rows FROM (SELECT count(*) AS n, min(ts) AS oldest FROM analytics.events WHERE ${cond(`ts >= ${at(8)}`, sure)}) s CROSS JOIN (SELECT count(*) AS rows FROM analytics.events) t`;

describe('each mention of a table reads the files its own bound can match', () => {
  it('plans a bounded read and an unbounded one of the same table over one snapshot', async () => {
    const [bounded, whole] = await duckdb.planScans([
      { namespace: 'analytics', table: 'events', bound: { column: 'ts', min: T0 + 8n * DAY, max: null } },
      { namespace: 'analytics', table: 'events' },
    ]);
    expect(bounded).toMatchObject({ narrowed: true, files: expect.any(Array) });
    expect(bounded?.files).toHaveLength(2);
    expect(whole?.files).toHaveLength(DAYS);
    // Beside a narrowed read, the unbounded one reads the plan's files, not the live view.
    expect(whole?.narrowed).toBe(false);
    expect(whole?.relation).toContain('read_parquet');
    const [alone, missing] = await duckdb.planScans([
      { namespace: 'analytics', table: 'events' },
      { namespace: 'analytics', table: 'nope' },
    ]);
    expect(alone?.relation).toBeUndefined();
    expect(missing).toBeNull();
  });

  it('answers the same plans from the isolated engine, over its IPC channel', async () => {
    const isolated = await createIsolatedDuckDbEngine({ lake: root });
    try {
      const requests = [
        { namespace: 'analytics', table: 'events', bound: { column: 'ts', min: null, max: T0 + DAY } },
        { namespace: 'analytics', table: 'events' },
      ];
      const plans = await isolated.planScans(requests);
      expect(plans).toEqual(await duckdb.planScans(requests));
      expect(plans.map((p) => [p?.files.length, p?.narrowed])).toEqual([
        [1, true],
        [DAYS, false],
      ]);
    } finally {
      await isolated.close();
    }
  });

  it("narrows a refresh start query's bounded sub-select beside its unbounded row count", async () => {
    const run = await engine.run(start(true));
    const whole = await engine.run(start(false));
    expect(run.result.rows).toEqual(whole.result.rows);
    expect(run.result.rows).toEqual([
      { n: 2 * PER_DAY, oldest: '2026-12-03T01:00:00Z', rows: DAYS * PER_DAY },
    ]);
    // Days 8 and 9 are listed by both relations, the other days by the row count's alone.
    expect([listings(run, 8), listings(run, 9), listings(run, 0), listings(run, 7)]).toEqual([2, 2, 1, 1]);
    expect(run.scans).toEqual([
      { namespace: 'analytics', table: 'events', files: expect.any(Array), narrowed: true },
    ]);
    // Every file once, though two mentions read days 8 and 9.
    expect(run.scans?.[0]?.files).toHaveLength(DAYS);
    expect(run.result.metrics?.files_scanned).toBe(DAYS);
  });

  it('gives each side of a self-join its own range', async () => {
    const ranges = `a.ts >= ${at(1)} AND a.ts < ${at(2)} AND b.ts >= ${at(5)} AND b.ts < ${at(6)}`;
    const text = (sure: boolean) =>
      `SELECT a.id AS a, b.id AS b FROM analytics.events a JOIN analytics.events b ON a.seq = b.seq WHERE ${cond(ranges, sure)} ORDER BY a.id`;
    const run = await engine.run(text(true));
    const whole = await engine.run(text(false));
    expect(whole.result.metrics?.files_scanned).toBe(DAYS);
    expect(run.result.rows).toEqual(whole.result.rows);
    expect(run.result.rows).toHaveLength(PER_DAY);
    expect(run.result.metrics?.files_scanned).toBe(2);
    expect([listings(run, 1), listings(run, 5), listings(run, 3)]).toEqual([1, 1, 0]);
  });

  it('gives each branch of a UNION its own range, and counts a file two branches read once', async () => {
    const range = (a: number, b: number, sure: boolean) => cond(`ts >= ${at(a)} AND ts < ${at(b)}`, sure);
    const text = (a: number, b: number, c: number, d: number, sure = true) =>
      `SELECT id FROM analytics.events WHERE ${range(a, b, sure)} UNION ALL SELECT id FROM analytics.events WHERE ${range(c, d, sure)} ORDER BY id`;
    const apart = await engine.run(text(1, 2, 7, 8));
    expect(apart.result.rows).toEqual((await engine.run(text(1, 2, 7, 8, false))).result.rows);
    expect(apart.result.rows).toHaveLength(2 * PER_DAY);
    expect(apart.result.metrics?.files_scanned).toBe(2);
    const overlapping = await engine.run(text(1, 3, 2, 4));
    expect(overlapping.result.rows).toEqual((await engine.run(text(1, 3, 2, 4, false))).result.rows);
    expect(overlapping.result.rows).toHaveLength(4 * PER_DAY);
    // Days 1–2 and days 2–3: day 2's file is read by both branches and counted once.
    expect(listings(overlapping, 2)).toBe(2);
    expect(overlapping.result.metrics?.files_scanned).toBe(3);
    expect(overlapping.scans?.[0]?.files).toHaveLength(3);
  });
});

describe('one snapshot per statement', () => {
  it('a file landing between the plan and the query is seen by no mention, then by both', async () => {
    // An engine that lands a file of day 9 (inside the bounded range) as soon as the plan is made.
    let landing = true;
    const racing = withR2SqlDialect<DuckDbEngine>({
      ...duckdb,
      async planScans(requests) {
        const plans = await duckdb.planScans(requests);
        if (landing) await land(9, 5);
        landing = false;
        return plans;
      },
    });
    const text = `SELECT s.n, t.rows FROM (SELECT count(*) AS n FROM analytics.events WHERE ts >= ${at(9)}) s CROSS JOIN (SELECT count(*) AS rows FROM analytics.events) t`;
    const before = await racing.run(text);
    expect(landing).toBe(false);
    // The row count reads the plan's files too: it agrees with the bounded mention.
    expect(before.result.rows).toEqual([{ n: PER_DAY, rows: DAYS * PER_DAY }]);
    const after = await racing.run(text);
    expect(after.result.rows).toEqual([{ n: PER_DAY + 5, rows: DAYS * PER_DAY + 5 }]);
  });
});
