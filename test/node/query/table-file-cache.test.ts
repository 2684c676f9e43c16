import { mkdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { createParquetFileLister } from '../../../query/duckdb/list-parquet-files.ts';
import { type R2SqlDialectEngine, withR2SqlDialect } from '../../../query/index.ts';
import { eventRow } from '../../../schemas/index.ts';
import { tempDir } from '../fixtures/events.ts';

let root: string;
let remove: () => Promise<void>;
let writer: Awaited<ReturnType<DuckDBInstance['connect']>>;
let engine: Omit<DuckDbEngine, 'query'> & R2SqlDialectEngine;
let written = 0;

/** Lands a Parquet file of `rows` events at `hour` (of 2026-11-25) whole, as the r2 sink does (renamed in). */
async function land(
  table: string,
  partition: string,
  rows: number,
  hour: number,
  extra = '',
): Promise<string> {
  const dir = join(root, table, partition);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `f${String(++written).padStart(4, '0')}.parquet`);
  await writer.run(
    `COPY (SELECT 'e${written}-' || i AS id, TIMESTAMPTZ '2026-11-25 00:00:00+00' + INTERVAL (${hour}) HOUR + INTERVAL (i) SECOND AS ts${extra}
      FROM range(${rows}) t(i)) TO '${path}.tmp' (FORMAT parquet)`,
  );
  renameSync(`${path}.tmp`, path);
  return path;
}

const count = async (where = 'true') =>
  Number((await engine.query(`SELECT count(*) AS n FROM analytics.events WHERE ${where}`)).rows[0]?.n);

beforeAll(async () => {
  const temp = await tempDir('dotdo-file-cache-');
  root = temp.dir;
  remove = temp.remove;
  writer = await (await DuckDBInstance.create(':memory:')).connect();
  await writer.run("SET TimeZone = 'UTC'");
  await land('events', 'day=25', 10, 0);
  engine = withR2SqlDialect(await createDuckDbEngine({ lake: root, tables: { events: eventRow } }));
});

afterAll(async () => {
  await engine?.close();
  writer?.closeSync();
  await remove?.();
});

describe('the cached listing of a directory table', () => {
  it('sees a file that lands between two queries, beside an old one or in a new partition', async () => {
    expect(await count()).toBe(10);
    await land('events', 'day=25', 5, 1);
    expect(await count()).toBe(15);
    await land('events', 'day=26', 7, 24);
    expect(await count()).toBe(22);
    // A query bounded to the newest hours reads only the file that can hold them, and sees it.
    const ts = "ts >= TIMESTAMP '2026-11-26T00:00:00Z'";
    const run = await engine.run(`SELECT count(*) AS n FROM analytics.events WHERE ${ts}`);
    expect(run.result.rows[0]?.n).toBe(7);
    expect(run.scans?.[0]?.files).toHaveLength(1);
    expect(await engine.tableFiles('events')).toHaveLength(3);
  });

  it('reads a narrowed table of same-schema files directly, with the same result as all of them', async () => {
    const bounded = await engine.run(
      "SELECT id, ts FROM analytics.events WHERE ts >= TIMESTAMP '2026-11-25T01:00:00Z' ORDER BY id",
    );
    const whole = await engine.run(
      "SELECT id, ts FROM analytics.events WHERE ts >= TIMESTAMP '2026-11-25T01:00:00Z' OR false ORDER BY id",
    );
    expect(bounded.scans?.[0]?.narrowed).toBe(true);
    expect(bounded.translation.sql).not.toContain('UNION ALL BY NAME');
    expect(bounded.result.rows).toEqual(whole.result.rows);
    expect(bounded.result.rows).toHaveLength(12);
  });

  it('unifies columns again once a file with other columns lands, and narrowed reads keep them', async () => {
    await land('events', 'day=27', 3, 48, ", 'x' AS note");
    const whole = await engine.run('SELECT * FROM analytics.events ORDER BY id');
    expect(whole.result.schema.map((c) => c.name)).toContain('note');
    const narrow = await engine.run(
      "SELECT * FROM analytics.events WHERE ts < TIMESTAMP '2026-11-26T00:00:00Z' ORDER BY id",
    );
    expect(narrow.result.schema).toEqual(whole.result.schema);
    expect(narrow.result.rows).toHaveLength(15);
    expect(narrow.translation.sql).toContain('UNION ALL BY NAME');
  });

  it('drops a file that is removed', async () => {
    const before = await count();
    const path = await land('events', 'day=28', 4, 72);
    expect(await count()).toBe(before + 4);
    rmSync(path);
    expect(await count()).toBe(before);
  });
});

describe('createParquetFileLister', () => {
  it('reuses a settled directory, and lists it again when a file lands in it', async () => {
    const dir = join(root, 'listed');
    let now = Date.now();
    const lister = createParquetFileLister(dir, { now: () => now });
    expect(await lister.list()).toEqual([]);
    const first = await land('listed', 'day=01', 1, 0);
    now += 60_000; // listed long after the directories last changed: they count as settled
    expect(await lister.list()).toEqual([first]);
    const second = await land('listed', 'day=01', 1, 1);
    expect(await lister.list()).toEqual([first, second]);
    const third = await land('listed', 'day=02', 1, 2);
    expect(await lister.list()).toEqual([first, second, third]);
  });

  it('lists a directory again when its modification time is set back (its change time still moves)', async () => {
    const dir = join(root, 'rewound');
    let now = Date.now() + 60_000;
    const lister = createParquetFileLister(dir, { now: () => now });
    const first = await land('rewound', 'day=01', 1, 0);
    expect(await lister.list()).toEqual([first]);
    const leaf = join(dir, 'day=01');
    const { atime, mtime } = statSync(leaf);
    const second = await land('rewound', 'day=01', 1, 1);
    utimesSync(leaf, atime, mtime);
    now += 60_000;
    expect(await lister.list()).toEqual([first, second]);
  });

  it('lists a directory changed within the settle window again on every call', async () => {
    const dir = join(root, 'fresh');
    const now = Date.now();
    const lister = createParquetFileLister(dir, { now: () => now, settleMs: 3_600_000 });
    const first = await land('fresh', 'day=01', 1, 0);
    expect(await lister.list()).toEqual([first]);
    // The stamps here cannot be trusted (too close to the listing): even with its modification time put back,
    // the next listing reads the directory again.
    const leaf = join(dir, 'day=01');
    const before = statSync(leaf);
    const second = await land('fresh', 'day=01', 1, 1);
    utimesSync(leaf, before.atime, before.mtime);
    expect(await lister.list()).toEqual([first, second]);
  });
});
