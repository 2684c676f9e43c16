import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withR2SqlDialect } from '../../../query/with-r2-sql-dialect.ts';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { R2SqlError } from '../../../query/index.ts';
import { createPipelinesStandIn } from '../../../local/index.ts';
import { eventRows, tempDir } from '../fixtures/events.ts';

let duckdb: DuckDbEngine;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('dotdo-dialect-engine-');
  remove = temp.remove;
  const pipelines = createPipelinesStandIn({ dataDir: temp.dir, rollIntervalMs: 3_600_000 });
  expect(pipelines.ingest('events', JSON.stringify(eventRows(1, 600)), undefined).status).toBe(200);
  pipelines.close();
  duckdb = await createDuckDbEngine({ lake: pipelines.bucketDir });
});

afterAll(async () => {
  duckdb?.close();
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
