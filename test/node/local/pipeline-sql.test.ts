import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import {
  createPipelinesStandIn,
  type PipelinesConfig,
  type PipelinesStandIn,
} from '../../../local/pipelines/index.ts';
import { createR2SqlEngine } from '../../../query/index.ts';
import { eventFixture, postJson, tempDir } from '../helpers.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function standIn(config: Omit<PipelinesConfig, 'dataDir'>): Promise<PipelinesStandIn> {
  const temp = await tempDir('dotdo-pipeline-sql-');
  cleanups.push(temp.remove);
  const pipelines = createPipelinesStandIn({ ...config, dataDir: temp.dir, rollIntervalMs: 3_600_000 });
  cleanups.push(() => pipelines.close());
  return pipelines;
}

/** Rows of every Parquet file under `<bucket>/<path>/`, through DuckDB. */
async function readR2(bucketDir: string, path: string, select: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const reader = await connection.runAndReadAll(
    `SELECT ${select} FROM read_parquet('${join(bucketDir, path)}/**/*.parquet', hive_partitioning = false) ORDER BY seq`,
  );
  const rows = reader.getRowObjectsJS();
  connection.closeSync();
  return rows as Record<string, unknown>[];
}

const events = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    eventFixture(i + 1, { durability: (['send', 'try', 'do'] as const)[(i + 1) % 3] }),
  );

describe('Pipeline SQL: filter', () => {
  it('writes only the rows the WHERE keeps, with the columns the SELECT names', async () => {
    const pipelines = await standIn({
      sinks: { audit_sink: { kind: 'r2', schema: 'events' } },
      pipelines: [
        {
          name: 'audit',
          sql: "INSERT INTO audit_sink SELECT id, ns, seq, hash FROM events WHERE durability = 'do' AND data->>'name' LIKE 'Acme %'",
        },
      ],
    });
    const rows = events(12);
    expect(pipelines.ingest('events', JSON.stringify(rows), undefined).status).toBe(200);
    const [file, ...others] = pipelines.roll();
    expect(others).toHaveLength(0);
    expect(file!.path).toContain('/r2/lake/audit_sink/');
    const want = rows.filter((r) => r.durability === 'do');
    expect(file!.rows).toBe(want.length);
    const got = await readR2(pipelines.bucketDir, 'audit_sink', '*');
    expect(got).toEqual(want.map((r) => ({ id: r.id, ns: r.ns, seq: BigInt(r.seq), hash: r.hash })));
    // The stream's own sink is replaced by the pipeline: nothing lands under events/.
    expect(() => readFileSync(join(pipelines.bucketDir, 'events'))).toThrow();
  });
});

describe('Pipeline SQL: reshape and compute', () => {
  it('applies json_get_str, ->, CAST, arithmetic and CASE; rows the sink schema refuses are counted and kept', async () => {
    const pipelines = await standIn({
      sinks: { shaped: { kind: 'r2', schema: 'events' } },
      pipelines: [
        {
          name: 'reshape',
          sql: `INSERT INTO shaped
SELECT id, seq * 10 AS seq, ts + INTERVAL 1 SECOND AS ts,
  upper(json_get_str(data, 'name')) AS event,
  CAST(json_get_int(data, 'seq') AS DOUBLE) / 4 AS duration_ms,
  CASE WHEN json_get_bool(data, 'paid') THEN 'do' ELSE 'send' END AS durability,
  CASE WHEN seq = 3 THEN 'bogus' ELSE status END AS status,
  data->'tags' AS data
FROM events e
WHERE e.seq <= 6`,
        },
      ],
    });
    const rows = events(8);
    expect(pipelines.ingest('events', JSON.stringify(rows), undefined).status).toBe(200);
    const [file] = pipelines.roll();
    expect(file!.rows).toBe(5);
    const got = await readR2(
      pipelines.bucketDir,
      'shaped',
      'id, seq, epoch_us(ts) AS ts, event, duration_ms, durability, status, data',
    );
    const want = rows
      .filter((r) => Number(r.seq) <= 6 && Number(r.seq) !== 3)
      .map((r) => ({
        id: r.id,
        seq: BigInt(Number(r.seq) * 10),
        ts: BigInt(r.ts + 1_000_000),
        event: `ACME ${r.seq}`,
        duration_ms: Number(r.seq) / 4,
        durability: Number(r.seq) % 2 === 0 ? 'do' : 'send',
        status: 'completed',
        data: JSON.stringify((r.data as { tags: string[] }).tags),
      }));
    expect(got).toEqual(want);

    expect(pipelines.stats().events!.transformRejected).toBe(1);
    const rejects = readFileSync(join(pipelines.config.dataDir, 'pipelines/rejects/events.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rejects).toEqual([
      expect.objectContaining({
        pipeline: 'reshape',
        sink: 'shaped',
        field: 'status',
        record: expect.objectContaining({ id: rows[2]!.id, status: 'bogus' }),
      }),
    ]);
  });
});

describe('Pipeline SQL: a record the SELECT cannot evaluate', () => {
  it("is rejected with DuckDB's message; the other records land, in that sink and the others", async () => {
    const pipelines = await standIn({
      sinks: { casted: { kind: 'r2', schema: 'events' }, everything: { kind: 'r2', schema: 'events' } },
      pipelines: [
        {
          name: 'cast',
          sql: `INSERT INTO casted SELECT id, seq, CAST(CASE WHEN seq = 2 THEN 'two' ELSE '1' END AS INTEGER) AS schema_version FROM events;
INSERT INTO everything SELECT id, seq FROM events`,
        },
      ],
    });
    const rows = events(5);
    expect(pipelines.ingest('events', JSON.stringify(rows), undefined).status).toBe(200);
    expect(pipelines.roll().map((f) => f.rows)).toEqual([4, 5]);
    const casted = await readR2(pipelines.bucketDir, 'casted', 'seq, schema_version');
    expect(casted).toEqual([1, 3, 4, 5].map((seq) => ({ seq: BigInt(seq), schema_version: 1 })));
    const everything = await readR2(pipelines.bucketDir, 'everything', 'seq');
    expect(everything).toEqual([1, 2, 3, 4, 5].map((seq) => ({ seq: BigInt(seq) })));
    expect(pipelines.stats().events!.transformRejected).toBe(1);
    const [reject, ...more] = readFileSync(
      join(pipelines.config.dataDir, 'pipelines/rejects/events.ndjson'),
      'utf8',
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(more).toEqual([]);
    expect(reject).toMatchObject({ pipeline: 'cast', sink: 'casted', field: '(record)', record: { seq: 2 } });
    expect(reject.message).toMatch(/^Conversion Error: Could not convert string 'two' to INT32/);
  });
});

describe('Pipeline SQL: fan-out', () => {
  let stack: LocalStack;

  it('routes one stream to an r2 sink and an r2-data-catalog sink; both read back', async () => {
    const temp = await tempDir('dotdo-pipeline-fanout-');
    cleanups.push(temp.remove);
    stack = await startLocalStack({
      dataDir: temp.dir,
      port: 0,
      pipelines: {
        rollIntervalMs: 3_600_000,
        sinks: {
          durable_sink: {
            kind: 'r2-data-catalog',
            schema: 'events',
            namespace: 'analytics',
            table: 'durable',
          },
          light_sink: { kind: 'r2', schema: 'events' },
        },
        pipelines: [
          {
            name: 'route',
            sql: `INSERT INTO durable_sink SELECT * FROM events WHERE durability = 'do';
INSERT INTO light_sink SELECT id, seq, durability FROM events WHERE durability <> 'do';`,
          },
        ],
      },
    });
    cleanups.push(() => stack.close());
    const rows = events(30);
    expect((await postJson(`${stack.ingestUrl}/events`, rows.slice(0, 15))).status).toBe(200);
    expect((await postJson(`${stack.ingestUrl}/events`, rows.slice(15))).status).toBe(200);
    const files = stack.pipelines.roll();
    expect(files.map((f) => f.sink).sort()).toEqual(['r2', 'r2-data-catalog']);

    const durable = rows.filter((r) => r.durability === 'do');
    const r2sql = createR2SqlEngine({
      accountId: 'acct',
      bucket: 'lake',
      token: 'unused',
      endpoint: stack.url,
    });
    const fromCatalog = await r2sql.query<{ seq: number; id: string; name: string }>(
      "SELECT seq, id, json_get_str(data, 'name') AS name FROM analytics.durable ORDER BY seq",
    );
    expect(fromCatalog.rows.map((r) => ({ ...r, seq: Number(r.seq) }))).toEqual(
      durable.map((r) => ({ seq: r.seq, id: r.id, name: `Acme ${r.seq}` })),
    );

    const light = await readR2(stack.pipelines.bucketDir, 'light_sink', '*');
    expect(light).toEqual(
      rows
        .filter((r) => r.durability !== 'do')
        .map((r) => ({ id: r.id, seq: BigInt(r.seq), durability: r.durability })),
    );
  });
});
