import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Miniflare } from 'miniflare';
import { bundleWorker, COMPATIBILITY_DATE, workerModules } from '../../../cli/dev/start-worker.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeParquet } from '../../../lake/index.ts';
import { columnsOf, type EventRow, eventRow } from '../../../schemas/index.ts';
import { eventFixture, tempDir } from '../helpers.ts';

// The acceptance path: createR2ParquetSink bundled into a Worker, run inside workerd against
// Miniflare's R2, and what lands in the bucket read back by DuckDB.

const root = new URL('../../..', import.meta.url).pathname;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

let temp: Awaited<ReturnType<typeof tempDir>>;
let mf: Miniflare;
let workerOptions: ConstructorParameters<typeof Miniflare>[0];
let duck: Awaited<ReturnType<DuckDBInstance['connect']>>;

beforeAll(async () => {
  temp = await tempDir('r2-parquet-sink-');
  const scriptPath = await bundleWorker(
    join(root, 'test/node/fixtures/r2-sink-worker.ts'),
    join(temp.dir, 'build'),
  );
  workerOptions = {
    ...workerModules(scriptPath),
    compatibilityDate: COMPATIBILITY_DATE,
    r2Buckets: ['LAKE'],
  };
  mf = new Miniflare(workerOptions);
  await mf.ready;
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});

afterAll(async () => {
  duck?.closeSync();
  await mf?.dispose();
  await temp?.remove();
});

/** POSTs rows to the fixture Worker's sink; the answer is what send() did. */
async function send(
  rows: unknown[],
  params: Record<string, string | number> = {},
): Promise<{ status: number; body: { ok?: true; name?: string; message?: string } }> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await mf.dispatchFetch(`http://sink.test/send?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rows),
  });
  return { status: response.status, body: (await response.json()) as any };
}

interface Landed {
  key: string;
  path: string;
  size: number;
  contentType: string | undefined;
  rows: string | undefined;
}

/** Copies every object under a prefix from Miniflare's R2 to disk, under its key. */
async function download(prefix: string): Promise<Landed[]> {
  const bucket = await mf.getR2Bucket('LAKE');
  const landed: Landed[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({
      prefix: `${prefix}/`,
      include: ['httpMetadata', 'customMetadata'],
      cursor,
    });
    for (const object of page.objects) {
      const body = await bucket.get(object.key);
      const bytes = new Uint8Array(await body!.arrayBuffer());
      const path = join(temp.dir, 'lake', object.key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
      landed.push({
        key: object.key,
        path,
        size: object.size,
        contentType: object.httpMetadata?.contentType,
        rows: object.customMetadata?.rows,
      });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return landed.sort((a, b) => a.key.localeCompare(b.key));
}

async function sql(query: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(query)).getRowObjectsJS() as Record<string, unknown>[];
}

const glob = (prefix: string) => `'${join(temp.dir, 'lake', prefix)}/**/*.parquet'`;

/** Every column of the events table as DuckDB reads it back; timestamps as epoch µs. */
async function readEvents(prefix: string): Promise<Record<string, unknown>[]> {
  const columns = columnsOf(eventRow).map((c) =>
    c.lakeType === 'timestamp' ? `epoch_us("${c.name}") AS "${c.name}"` : `"${c.name}"`,
  );
  return sql(`SELECT ${columns.join(', ')} FROM read_parquet(${glob(prefix)}) ORDER BY seq`);
}

/** The row as it must come back: int64 and timestamps as bigint, JSON as text parsed again. */
function expectSameRow(got: Record<string, unknown>, want: Record<string, unknown>): void {
  for (const column of columnsOf(eventRow)) {
    const value = want[column.name] ?? null;
    const actual = got[column.name];
    if (value === null) expect(actual, column.name).toBeNull();
    else if (column.lakeType === 'int64' || column.lakeType === 'timestamp')
      expect(actual, column.name).toBe(BigInt(value as number | string));
    else if (column.lakeType === 'json') expect(JSON.parse(actual as string), column.name).toEqual(value);
    else expect(actual, column.name).toEqual(value);
  }
}

/** Fixture rows that exercise every column: nulls and values, µs timestamps, int64 beyond 2^53. */
function rowsFor(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = i + 1;
    const row: Record<string, unknown> = eventFixture(seq, {
      started_at: seq % 3 ? 1_764_000_000_000_001 + seq : null,
      completed_at: seq % 3 ? 1_764_000_000_123_457 + seq : null,
      error: seq % 4 ? null : { code: 'E_TEST', message: `failure ${seq}`, nested: [1, { deep: true }] },
      status: seq % 4 ? 'completed' : 'failed',
      branch: seq % 5 ? null : 'experiment',
    } satisfies Partial<EventRow>);
    return row;
  });
}

describe('createR2ParquetSink inside workerd → Miniflare R2 → DuckDB', () => {
  it('writes rows that DuckDB reads back identically, every column, µs timestamps, JSON and int64 beyond 2^53', async () => {
    const rows = rowsFor(40);
    // An int64 beyond 2^53 travels as a decimal string (JSON has no bigint) and must land exact.
    rows.push(eventFixture(41, { seq: '9007199254740993' as unknown as number }));
    const result = await send(rows, { prefix: 'identical' });
    expect(result).toEqual({ status: 200, body: { ok: true } });

    const landed = await download('identical');
    expect(landed).toHaveLength(1);
    expect(landed[0]!.contentType).toBe('application/vnd.apache.parquet');
    expect(landed[0]!.rows).toBe('41');

    const read = await readEvents('identical');
    expect(read).toHaveLength(rows.length);
    read.forEach((got, i) => {
      expectSameRow(got, rows[i]!);
    });
    expect(read.at(-1)!.seq).toBe(9007199254740993n);

    const types = await sql(
      `DESCRIBE SELECT * FROM read_parquet(${glob('identical')}, hive_partitioning = false)`,
    );
    const typeOf = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
    expect(typeOf).toMatchObject({
      ts: 'TIMESTAMP WITH TIME ZONE',
      started_at: 'TIMESTAMP WITH TIME ZONE',
      seq: 'BIGINT',
      schema_version: 'INTEGER',
      duration_ms: 'DOUBLE',
      data: 'VARCHAR',
    });
    expect(Object.keys(typeOf)).toEqual(columnsOf(eventRow).map((c) => c.name));
  });

  it('lays files out as <prefix>/year=%Y/month=%m/day=%d/<uuid>.parquet (UTC), or by a custom pattern', async () => {
    const at = '2024-01-08T23:59:59.999Z';
    expect((await send(rowsFor(3), { prefix: 'layout/events', at })).status).toBe(200);
    expect((await send(rowsFor(3), { prefix: 'layout/events', at })).status).toBe(200);
    const landed = await download('layout/events');
    expect(landed).toHaveLength(2);
    for (const { key } of landed) {
      expect(key).toMatch(new RegExp(`^layout/events/year=2024/month=01/day=08/${UUID}\\.parquet$`));
    }
    expect(new Set(landed.map((l) => l.key)).size).toBe(2);

    expect(
      (await send(rowsFor(1), { prefix: 'layout/hourly', at, partitioning: 'dt=%Y-%m-%d/hr=%H' })).status,
    ).toBe(200);
    const [hourly] = await download('layout/hourly');
    expect(hourly!.key).toMatch(new RegExp(`^layout/hourly/dt=2024-01-08/hr=23/${UUID}\\.parquet$`));
  });

  it('defaults the prefix to the table name and writes zstd-compressed column chunks', async () => {
    expect((await send(rowsFor(5), { at: '2026-11-25T09:00:00Z' })).status).toBe(200);
    const [file] = await download('events');
    expect(file!.key).toMatch(new RegExp(`^events/year=2026/month=11/day=25/${UUID}\\.parquet$`));
    const codecs = await sql(`SELECT DISTINCT compression FROM parquet_metadata('${file!.path}')`);
    expect(codecs).toEqual([{ compression: 'ZSTD' }]);
  });

  it('splits a send larger than rollRows into several files, each row exactly once', async () => {
    const rows = rowsFor(25);
    expect((await send(rows, { prefix: 'roll-rows', rollRows: 10 })).status).toBe(200);
    const landed = await download('roll-rows');
    expect(landed.map((l) => Number(l.rows)).sort((a, b) => a - b)).toEqual([5, 10, 10]);
    const perFile = await sql(
      `SELECT filename, count(*)::INTEGER AS n FROM read_parquet(${glob('roll-rows')}, filename = true) GROUP BY filename ORDER BY n`,
    );
    expect(perFile.map((r) => r.n)).toEqual([5, 10, 10]);
    const read = await readEvents('roll-rows');
    expect(read.map((r) => r.seq)).toEqual(rows.map((r) => BigInt(r.seq as number)));
    read.forEach((got, i) => {
      expectSameRow(got, rows[i]!);
    });
  });

  it('splits a send larger than rollBytes so that no file exceeds it, halving runs whose Parquet is too big', async () => {
    const rows = rowsFor(20);
    // Parquet's footer makes small files larger than their JSON: allow about a four-row file, so the
    // first cut by JSON size is too big and must be halved until it fits.
    const rollBytes = encodeParquet(eventRow, rows.slice(0, 4)).byteLength;
    expect((await send(rows, { prefix: 'roll-bytes', rollBytes })).status).toBe(200);
    const landed = await download('roll-bytes');
    expect(landed.length).toBeGreaterThanOrEqual(5);
    expect(landed.some((file) => Number(file.rows) > 1)).toBe(true);
    // Only a file of a single row may be larger: a row is never split.
    for (const file of landed) if (file.rows !== '1') expect(file.size).toBeLessThanOrEqual(rollBytes);
    expect(landed.reduce((n, file) => n + Number(file.rows), 0)).toBe(20);
    const read = await readEvents('roll-bytes');
    expect(read).toHaveLength(20);
    read.forEach((got, i) => {
      expectSameRow(got, rows[i]!);
    });
  });

  it('rejects send() with a SinkError when a put fails, and removes the files that send had written', async () => {
    const rows = rowsFor(25);
    const result = await send(rows, { prefix: 'failing', rollRows: 10, failAfter: 1 });
    expect(result.status).toBe(500);
    expect(result.body.name).toBe('SinkError');
    expect(result.body.message).toMatch(/^R2 put of failing\/year=\d{4}\/month=\d\d\/day=\d\d\/.+\.parquet/);
    expect(result.body.message).toContain('injected R2 failure');
    expect(result.body.message).toContain('the send of 25 row(s) is not acknowledged');
    expect(result.body.message).toContain('the 1 file(s) of it already written were deleted');
    expect(await download('failing')).toEqual([]);

    const first = await send(rows, { prefix: 'failing-first', failAfter: 0 });
    expect(first.body).toMatchObject({ name: 'SinkError' });
    expect(first.body.message).toContain('no file of it had been written');
    expect(await download('failing-first')).toEqual([]);
  });

  it('names the files it leaves behind when the bucket cannot delete, and a retry still lands every row', async () => {
    const rows = rowsFor(25);
    const failed = await send(rows, { prefix: 'no-delete', rollRows: 10, failAfter: 2, noDelete: 1 });
    expect(failed.body.name).toBe('SinkError');
    const left = await download('no-delete');
    expect(left).toHaveLength(2);
    for (const { key } of left) expect(failed.body.message).toContain(key);

    // The caller sends the batch again (at-least-once); readers dedupe on id.
    expect((await send(rows, { prefix: 'no-delete', rollRows: 10 })).status).toBe(200);
    await download('no-delete');
    const ids = await sql(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS distinct_ids FROM read_parquet(${glob('no-delete')})`,
    );
    expect(ids).toEqual([{ n: 45, distinct_ids: 25 }]);
  });

  it('rejects rows that do not match the table schema, naming row and field, and writes nothing', async () => {
    const rows = rowsFor(3);
    rows[1] = { ...rows[1], ts: 'yesterday' };
    const result = await send(rows, { prefix: 'invalid' });
    expect(result.status).toBe(500);
    expect(result.body.name).toBe('SinkError');
    expect(result.body.message).toMatch(/^1 of 3 row\(s\) do not match the table schema/);
    expect(result.body.message).toContain('row 1 field "ts"');
    expect(await download('invalid')).toEqual([]);
  });

  it('without the wasm module, fails the send with a message saying how to initialise parquet-wasm', async () => {
    const fresh = new Miniflare(workerOptions);
    try {
      const response = await fresh.dispatchFetch('http://sink.test/send?noWasm=1', {
        method: 'POST',
        body: JSON.stringify(rowsFor(1)),
      });
      expect(response.status).toBe(500);
      const body = (await response.json()) as { name: string; message: string };
      expect(body.name).toBe('SinkError');
      expect(body.message).toContain('parquet-wasm is not initialised');
      expect(body.message).toContain("import parquetWasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm'");
    } finally {
      await fresh.dispose();
    }
  });
});
