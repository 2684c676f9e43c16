import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { type R2SqlDialectEngine, withR2SqlDialect } from '../../../query/index.ts';
import { eventRow } from '../../../schemas/index.ts';
import { sql } from '../../../sql/index.ts';
import { tempDir } from '../fixtures/events.ts';

const T0 = 1_795_564_800_000_000n; // 2026-11-25T00:00:00Z
const DAY = 86_400_000_000n;
const at = (day: number) => sql.timestamp(T0 + BigInt(day) * DAY).text;

let engine: Omit<DuckDbEngine, 'query'> & R2SqlDialectEngine;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('dotdo-prune-files-');
  remove = temp.remove;
  const dir = join(temp.dir, 'lake', 'events', 'year=2026');
  mkdirSync(dir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run("SET TimeZone = 'UTC'");
  // An older file (seq INTEGER, no `note`), a newer one (seq BIGINT, with `note`), and one whose ts
  // row group has no statistics (all null), which is never skipped.
  const day = (d: number) => `TIMESTAMPTZ '2026-11-25 00:00:00+00' + INTERVAL ${d} DAY`;
  await c.run(
    `COPY (SELECT 'a' || i AS id, CAST(i AS INTEGER) AS seq, ${day(0)} + INTERVAL (i) HOUR AS ts FROM range(5) t(i)) TO '${dir}/old.parquet' (FORMAT parquet)`,
  );
  await c.run(
    `COPY (SELECT 'b' || i AS id, CAST(i AS BIGINT) AS seq, ${day(5)} + INTERVAL (i) HOUR AS ts, 'n' || i AS note FROM range(5) t(i)) TO '${dir}/new.parquet' (FORMAT parquet)`,
  );
  await c.run(
    `COPY (SELECT 'c' || i AS id, CAST(i AS BIGINT) AS seq, CAST(NULL AS TIMESTAMPTZ) AS ts FROM range(3) t(i)) TO '${dir}/nulls.parquet' (FORMAT parquet)`,
  );
  c.closeSync();
  db.closeSync();
  engine = withR2SqlDialect(
    await createDuckDbEngine({ lake: join(temp.dir, 'lake'), tables: { events: eventRow } }),
  );
});

afterAll(async () => {
  await engine?.close();
  await remove?.();
});

describe('narrowing a table to some of its files never changes a result', () => {
  it.each([
    ['the old file alone', `ts >= ${at(0)} AND ts < ${at(1)}`, 1],
    ['the new file alone', `ts BETWEEN ${at(5)} AND ${at(6)}`, 1],
    ['no file', `ts >= ${at(9)}`, 0],
  ])('%s: same columns, types and rows as reading every file', async (_name, where, kept) => {
    const narrow = await engine.run(`SELECT * FROM analytics.events WHERE ${where} ORDER BY id`);
    const whole = await engine.run(`SELECT * FROM analytics.events WHERE (${where}) OR false ORDER BY id`);
    expect(narrow.result.schema).toEqual(whole.result.schema);
    expect(narrow.result.rows).toEqual(whole.result.rows);
    expect(whole.result.schema.map((c) => c.name)).toContain('note');
    // The all-null file has no ts statistics: it is kept, whatever the bound.
    expect(narrow.scans?.[0]?.files).toHaveLength(kept + 1);
    expect(narrow.result.metrics?.files_scanned).toBe(kept + 1);
  });

  it('answers typed aggregates the same over a narrowed table', async () => {
    const query = (where: string) =>
      engine.run(
        `SELECT sum(seq) AS s, count(note) AS notes, max(ts) AS latest FROM analytics.events WHERE ${where}`,
      );
    const narrow = await query(`ts >= ${at(0)} AND ts < ${at(1)}`);
    const whole = await query(`(ts >= ${at(0)} AND ts < ${at(1)}) OR false`);
    expect(narrow.result).toEqual({ ...whole.result, metrics: narrow.result.metrics });
    expect(narrow.result.rows).toEqual([{ s: 10, notes: 0, latest: '2026-11-25T04:00:00Z' }]);
  });
});
