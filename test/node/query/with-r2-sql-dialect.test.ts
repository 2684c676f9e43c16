import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withR2SqlDialect } from '../../../query/with-r2-sql-dialect.ts';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { QueryEngineError, R2SqlError, toR2SqlError } from '../../../query/index.ts';
import { createPipelinesStandIn } from '../../../local/index.ts';
import { eventRows, tempDir } from '../fixtures/events.ts';

let duckdb: DuckDbEngine;
let bounded: DuckDbEngine;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('dotdo-dialect-engine-');
  remove = temp.remove;
  const pipelines = createPipelinesStandIn({ dataDir: temp.dir, rollIntervalMs: 3_600_000 });
  expect(pipelines.ingest('events', JSON.stringify(eventRows(1, 600)), undefined).status).toBe(200);
  pipelines.close();
  duckdb = await createDuckDbEngine({ lake: pipelines.bucketDir });
  bounded = await createDuckDbEngine({ lake: pipelines.bucketDir, timeoutMs: 300, maxResultBytes: 2_000 });
});

afterAll(async () => {
  await bounded?.close();
  await duckdb?.close();
  await remove?.();
});

describe('withR2SqlDialect over the local DuckDB engine', () => {
  it("runs R2 SQL's functions and applies its LIMIT default", async () => {
    const engine = withR2SqlDialect(duckdb);
    const { rows } = await engine.query(
      "SELECT json_get_str(data, 'name') AS name FROM analytics.events WHERE seq = 5",
    );
    expect(rows).toEqual([{ name: 'Acme 5' }]);
    expect((await engine.query('SELECT id FROM analytics.events')).rows).toHaveLength(500);
  });

  it('throws what R2 SQL refuses as the R2SqlError the client throws', async () => {
    const error = await withR2SqlDialect(duckdb)
      .query('SELECT id FROM analytics.events LIMIT 5 OFFSET 5')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(R2SqlError);
    expect(error).toMatchObject({ code: 40004, attempts: 0, position: { line: 1, column: 41 } });
  });
});

describe('withR2SqlDialect maps what the engine refuses onto R2 SQL codes', () => {
  const codeOf = (sql: string) =>
    withR2SqlDialect(bounded)
      .query(sql)
      .then(
        () => null,
        (error: unknown) => error as R2SqlError,
      );

  it('answers a result over the byte cap with 40015 naming the cap', async () => {
    const error = await codeOf('SELECT id, data FROM analytics.events');
    expect(error).toBeInstanceOf(R2SqlError);
    expect(error).toMatchObject({ code: 40015, message: expect.stringContaining('larger than 2000 bytes') });
  });

  it('answers a query past the timeout with 40015, and the engine answers the next one', async () => {
    const error = await codeOf(
      'SELECT count(*) AS n FROM analytics.events a, analytics.events b, analytics.events c, analytics.events d',
    );
    expect(error).toMatchObject({ code: 40015, message: expect.stringContaining('longer than 300 ms') });
    expect((await withR2SqlDialect(bounded).query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it("answers DuckDB's own errors with 40004 and its message", async () => {
    const error = await codeOf('SELECT nope FROM analytics.events');
    expect(error).toMatchObject({ code: 40004, message: expect.stringContaining('nope') });
  });

  it('runs json_get_str nested 24 deep (its translation grows linearly), and refuses 65 deep by the nesting limit', async () => {
    const nested = (depth: number) => {
      let expression = 'data';
      for (let i = 0; i < depth; i++) expression = `json_get_str(${expression}, 'a')`;
      return `SELECT ${expression} AS v FROM analytics.events LIMIT 1`;
    };
    expect((await withR2SqlDialect(duckdb).query(nested(24))).rows).toEqual([{ v: null }]);
    expect(await codeOf(nested(65))).toMatchObject({ code: 40004, message: expect.stringMatching(/nest/i) });
  });

  it('refuses a table the catalog does not hold by name, listing those it does', async () => {
    const engine = withR2SqlDialect(duckdb, { catalog: () => duckdb.tables() });
    const error = await engine.query('SELECT * FROM analytics.nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(R2SqlError);
    expect(error).toMatchObject({
      code: 40004,
      message: expect.stringMatching(/analytics\.nope.*analytics\.events/s),
    });
    expect((await engine.query('SELECT count(*) AS n FROM analytics.events')).rows).toEqual([{ n: 600 }]);
  });

  it('maps every engine reason, and anything unexpected to a retryable 80001', () => {
    const code = (reason: QueryEngineError['reason']) =>
      toR2SqlError(new QueryEngineError(reason, 'x'), 'SELECT 1').code;
    expect([code('syntax'), code('refused'), code('failed')]).toEqual([40003, 40004, 40004]);
    expect([code('timeout'), code('memory'), code('too_large')]).toEqual([40015, 40015, 40015]);
    expect([code('busy'), code('crashed')]).toEqual([80001, 80001]);
    expect(toR2SqlError(new Error('boom'), 'SELECT 1')).toMatchObject({ code: 80001, retryable: true });
  });
});
