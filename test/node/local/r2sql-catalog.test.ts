import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogTableDir, compactIcebergTable } from '../../../lake/iceberg/index.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { createR2SqlEngine } from '../../../query/index.ts';
import { eventRows, post, tempDir } from '../fixtures/events.ts';

let stack: LocalStack;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('dotdo-r2sql-catalog-');
  remove = temp.remove;
  stack = await startLocalStack({
    dataDir: temp.dir,
    port: 0,
    pipelines: {
      rollIntervalMs: 3_600_000,
      streams: { events: { table: 'events', sink: { kind: 'r2-data-catalog', namespace: 'analytics' } } },
    },
  });
  for (const [from, to] of [
    [1, 100],
    [101, 200],
    [201, 300],
  ] as const) {
    expect((await post(`${stack.ingestUrl}/events`, eventRows(from, to))).status).toBe(200);
    stack.pipelines.roll();
  }
});

afterAll(async () => {
  await stack?.close();
  await remove?.();
});

describe('R2 SQL stand-in over an Iceberg table of the local R2 Data Catalog', () => {
  const engine = () =>
    createR2SqlEngine({ accountId: 'acct', bucket: 'lake', token: 'unused', endpoint: stack.url });
  const sql = 'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM analytics.events';

  it('counts the live files of the current snapshot, and only those after a compaction', async () => {
    const count = 'SELECT count(*) AS n FROM analytics.events';
    const before = await engine().query(count);
    expect(before.rows).toEqual([{ n: 300 }]);
    expect(before.metrics).toMatchObject({ files_scanned: 3, r2_requests_count: 3 });

    const compacted = compactIcebergTable(catalogTableDir(stack.pipelines.bucketDir, 'analytics', 'events'));
    expect(compacted.removed).toHaveLength(3);
    const after = await engine().query<{ verb: string; n: number }>(
      'SELECT verb, count(*) AS n FROM analytics.events GROUP BY verb ORDER BY verb',
    );
    expect(after.rows).toEqual([
      { verb: 'created', n: 100 },
      { verb: 'updated', n: 200 },
    ]);
    // The replaced files stay on disk, as R2 Data Catalog leaves them, but are neither read nor counted.
    expect(existsSync(new URL(compacted.removed[0]!).pathname)).toBe(true);
    expect(after.metrics).toMatchObject({ files_scanned: 1 });
  });

  it('runs aggregate DISTINCT on a catalog table (R2 SQL has since the 2026-06 changelog)', async () => {
    const { rows } = await engine().query(sql);
    expect(rows).toEqual([{ n: 300, ids: 300 }]);
  });
});
