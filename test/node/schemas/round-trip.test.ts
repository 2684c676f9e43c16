import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeParquet, rowsToArrow } from '../../../lake/index.ts';
import {
  col,
  fromLakeRow,
  TABLES,
  toArrowSchema,
  toDuckDbDdl,
  toUnionSelect,
} from '../../../schemas/index.ts';
import { sampleRows } from './sample-rows.ts';

// One column of every lake type, each also nullable.
const everyType = z.object({
  s: col.string(),
  s_null: col.string().nullable(),
  u: col.url(),
  v: col.versionRef(),
  e: col.enum(['send', 'try', 'do']),
  i32: col.int32(),
  i32_null: col.int32().nullable(),
  i64: col.int64(),
  i64_null: col.int64().nullable(),
  f64: col.float64(),
  f64_null: col.float64().nullable(),
  b: col.bool(),
  b_null: col.bool().nullable(),
  ts: col.timestamp(),
  ts_null: col.timestamp().nullable(),
  j: col.json(),
  j_null: col.json().nullable(),
});

const US_1900 = -2_208_988_800_000_000 + 1; // 1900-01-01T00:00:00.000001Z
const US_2200 = 7_258_118_400_000_000 + 123_457; // 2200-01-01T00:00:00.123457Z
const bigJson = { blob: 'x'.repeat(1_500_000), nested: { list: [1, 'two', null, true], emoji: '🦄' } };

const inputs: Record<string, unknown>[] = [
  {
    s: '',
    s_null: null,
    u: 'https://startups.studio/acme',
    v: 'https://startups.studio/acme@v1234',
    e: 'do',
    i32: -(2 ** 31),
    i32_null: null,
    i64: '9007199254740993', // 2^53 + 1, as JSON carries it
    i64_null: null,
    f64: 0.1 + 0.2,
    f64_null: null,
    b: false,
    b_null: null,
    ts: US_1900,
    ts_null: null,
    j: bigJson,
    j_null: null,
  },
  {
    s: 'ünïcødé 中文 𝄞 😀 𐍈 — astral and BMP',
    s_null: '',
    u: 'https://xn--n3h.example/😀/path?q=1',
    v: 'https://startups.studio/acme@v1',
    e: 'send',
    i32: 2 ** 31 - 1,
    i32_null: 0,
    i64: 2n ** 63n - 1n,
    i64_null: -(2n ** 63n),
    f64: -1e-300,
    f64_null: 1.7976931348623157e308,
    b: true,
    b_null: false,
    ts: US_2200,
    ts_null: -1, // 1969-12-31T23:59:59.999999Z
    j: '𝄞 a JSON string',
    j_null: [],
  },
  {
    s: 'plain',
    s_null: 'x',
    u: 'urn-like://a',
    v: 'https://a.b/c@v9',
    e: 'try',
    i32: 0,
    i32_null: -1,
    i64: -9_007_199_254_740_993n,
    i64_null: Number.MAX_SAFE_INTEGER,
    f64: 0,
    f64_null: -0.5,
    b: true,
    b_null: true,
    ts: 0,
    ts_null: 1_764_000_000_123_456,
    j: { a: { b: [{}, 0, -1.5, ''] } },
    j_null: 0,
  },
];

let dir: string;
let connection: Awaited<ReturnType<DuckDBInstance['connect']>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schemas-round-trip-'));
  connection = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(async () => {
  connection.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** zod → Arrow → Parquet (parquet-wasm) → DuckDB → back into the zod row form. */
async function roundTrip(name: string, schema: z.ZodObject, rows: Record<string, unknown>[]) {
  const arrow = rowsToArrow(schema, rows);
  expect(arrow.schema.fields.map((f) => String(f.type))).toEqual(
    toArrowSchema(schema).fields.map((f) => String(f.type)),
  );
  const path = join(dir, `${name}.parquet`);
  await writeFile(path, encodeParquet(schema, rows));
  const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
  const back = reader.getRowObjects().map((raw) => fromLakeRow(schema, raw as Record<string, unknown>));
  const types = Object.fromEntries(reader.columnNames().map((n, i) => [n, String(reader.columnTypes()[i])]));
  return { back, types };
}

/** The column types of a DuckDB table created from the derived DDL. */
async function ddlTypes(name: string, schema: z.ZodObject): Promise<Record<string, string>> {
  await connection.run(toDuckDbDdl(`${name}_ddl`, schema));
  const described = await connection.runAndReadAll(`DESCRIBE "${name}_ddl"`);
  return Object.fromEntries(
    described.getRowObjects().map((r) => [String(r.column_name), String(r.column_type)]),
  );
}

describe('zod → Arrow → Parquet → DuckDB → back', () => {
  it('carries every field type exactly: null, "", unicode, 1.5 MB JSON, int64 > 2^53, µs before 1970 and after 2100', async () => {
    const parsed = inputs.map((row) => everyType.parse(row));
    const { back, types } = await roundTrip('every-type', everyType, parsed);

    expect(back).toEqual(parsed);
    // Exactness, spelled out where toEqual alone would hide a representation slip.
    expect(back[0]!.i64).toBe(2n ** 53n + 1n);
    expect(back[1]!.i64).toBe(2n ** 63n - 1n);
    expect(back[1]!.i64_null).toBe(-(2n ** 63n));
    expect(back[2]!.i64).toBe(-(2n ** 53n) - 1n);
    expect(back[0]!.ts).toBe(US_1900);
    expect(back[1]!.ts).toBe(US_2200);
    expect(back[1]!.ts_null).toBe(-1);
    expect((back[0]!.j as typeof bigJson).blob).toHaveLength(1_500_000);
    expect(back[0]!.s).toBe('');
    expect(back[1]!.s_null).toBe('');
    expect(back[0]!.s_null).toBeNull();
    expect(back[1]!.s).toBe(inputs[1]!.s);

    // DuckDB reads each column as the derived DDL types it.
    expect(types).toEqual(await ddlTypes('every_type', everyType));
  });

  it('reads the µs timestamps DuckDB sees as the right instants', async () => {
    const rows = inputs.map((row) => everyType.parse(row));
    await writeFile(join(dir, 'instants.parquet'), encodeParquet(everyType, rows));
    const reader = await connection.runAndReadAll(
      `SELECT strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%f') AS iso, i64::VARCHAR AS i64 FROM read_parquet('${join(dir, 'instants.parquet')}')`,
    );
    expect(reader.getRowObjects()).toEqual([
      { iso: '1900-01-01T00:00:00.000001', i64: '9007199254740993' },
      { iso: '2200-01-01T00:00:00.123457', i64: '9223372036854775807' },
      { iso: '1970-01-01T00:00:00.000000', i64: '-9007199254740993' },
    ]);
  });

  for (const [name, schema] of Object.entries(TABLES)) {
    it(`round-trips the ${name} table and matches its derived DuckDB DDL`, async () => {
      const rows = sampleRows[name as keyof typeof TABLES].map((row) => schema.parse(row));
      const { back, types } = await roundTrip(name, schema, rows);
      expect(back).toEqual(rows);

      expect(types).toEqual(await ddlTypes(name, schema));
    });
  }
});

describe('readers union table versions by column name', () => {
  it('reads events and an events_v2 (actor removed, tenant added) as one relation', async () => {
    const eventsV2 = TABLES.events.omit({ actor: true }).extend({ tenant: col.string().optional() });
    const v1 = [TABLES.events.parse(sampleRows.events[0])];
    const v2 = [eventsV2.parse({ ...sampleRows.events[1], actor: undefined, tenant: 'acme-corp' })];
    await writeFile(join(dir, 'events.parquet'), encodeParquet(TABLES.events, v1));
    await writeFile(join(dir, 'events_v2.parquet'), encodeParquet(eventsV2, v2));
    const sql = toUnionSelect(
      [
        { from: `read_parquet('${join(dir, 'events.parquet')}')`, table: TABLES.events },
        { from: `read_parquet('${join(dir, 'events_v2.parquet')}')`, table: eventsV2 },
      ],
      { dialect: 'duckdb' },
    );
    const reader = await connection.runAndReadAll(`SELECT seq, actor, tenant FROM (${sql}) ORDER BY seq`);
    expect(reader.getRowObjects()).toEqual([
      { seq: 1n, actor: 'https://auth.example.com/users/nathan', tenant: null },
      { seq: 9_007_199_254_740_993n, actor: null, tenant: 'acme-corp' },
    ]);
  });

  it('refuses to union a column whose type changed, naming it', () => {
    const retyped = TABLES.events.extend({ seq: col.string() });
    expect(() =>
      toUnionSelect([
        { from: 'analytics.events', table: TABLES.events },
        { from: 'analytics.events_v2', table: retyped },
      ]),
    ).toThrow(/column "seq" is int64 in analytics.events but string in analytics.events_v2/);
  });

  it('casts missing columns with R2 SQL type names by default', () => {
    const sql = toUnionSelect([
      { from: 'analytics.checkpoints', table: TABLES.checkpoints },
      { from: 'analytics.checkpoints_v2', table: TABLES.checkpoints.omit({ count: true }) },
    ]);
    expect(sql).toContain(
      'CAST(NULL AS BIGINT) AS "count", "ts", "key_id", "signature" FROM analytics.checkpoints_v2',
    );
    expect(sql.split('\nUNION ALL\n')).toHaveLength(2);
  });
});
