import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IcebergRestCatalog } from 'iceberg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogTableDir, compactIcebergTable, createIcebergTable } from '../../../lake/iceberg/index.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { replay } from '../../../jobs/replay/index.ts';
import { tempDir } from '../helpers.ts';
import { ingestAndRoll, queryLake, SUMMARY } from './replay-fixtures.ts';

const TOKEN = 'catalog-token';
let stack: LocalStack;
let temp: Awaited<ReturnType<typeof tempDir>>;

// One stack for the file (starting one is the slow part); the first test builds the table the others read.
beforeAll(async () => {
  temp = await tempDir('dotdo-replay-catalog-');
  stack = await startLocalStack({
    dataDir: join(temp.dir, 'data'),
    port: 0,
    token: TOKEN,
    pipelines: { streams: { events: { table: 'events', sink: { kind: 'r2-data-catalog' } } } },
  });
});
afterAll(async () => {
  await stack.close();
  await temp.remove();
});

describe('replay from the local R2 Data Catalog', () => {
  it('after a compaction copies only the live files and equals the live table, not doubled', async () => {
    for (let roll = 0; roll < 4; roll++) await ingestAndRoll(stack, roll * 25 + 1, 25, TOKEN);
    const tableDir = catalogTableDir(stack.pipelines.bucketDir, 'analytics', 'events');
    const compacted = compactIcebergTable(tableDir);
    expect(compacted.removed).toHaveLength(4);
    await ingestAndRoll(stack, 101, 10, TOKEN);
    // On disk: 4 replaced files, the compacted one and the new one; live: the last two.
    expect(readdirSync(join(tableDir, 'data')).filter((f) => f.endsWith('.parquet'))).toHaveLength(6);
    const live = createIcebergTable({ dir: tableDir }).liveFiles();
    expect(live).toHaveLength(2);

    const to = join(temp.dir, 'replayed');
    const result = await replay({ source: stack.catalogUrl, to, credentials: { token: TOKEN } });
    expect(result.tables).toEqual([
      {
        name: 'analytics.events',
        kind: 'iceberg',
        files: 2,
        rows: 110,
        bytes: live.reduce((s, f) => s + f.file_size_in_bytes, 0),
      },
    ]);
    expect(result.fetched).toBe(2);
    const copied = readdirSync(join(to, '__r2_data_catalog', 'analytics', 'events', 'data'));
    expect(copied.sort()).toEqual(live.map((f) => f.localPath.split('/').at(-1)).sort());
    for (const uri of compacted.removed) expect(copied).not.toContain(uri.split('/').at(-1));

    const expected = await queryLake(stack.pipelines.bucketDir, SUMMARY);
    expect(expected[0]).toMatchObject({ n: 110, ids: 110 });
    expect(await queryLake(to, SUMMARY)).toEqual(expected);
    expect(existsSync(join(to, '.replay', 'finished.jsonl'))).toBe(true);

    // The same bucket read as a directory follows the same manifests.
    const fromDir = join(temp.dir, 'from-dir');
    const direct = await replay({ source: stack.pipelines.bucketDir, to: fromDir });
    expect(direct.tables.find((t) => t.name === 'analytics.events')).toMatchObject({ files: 2, rows: 110 });
    expect(await queryLake(fromDir, SUMMARY)).toEqual(expected);
  });

  it('serves the Iceberg REST read side to iceberg-js, with bearer auth and Iceberg errors', async () => {
    const catalog = new IcebergRestCatalog({
      baseUrl: stack.catalogUrl,
      catalogName: 'lake',
      auth: { type: 'bearer', token: TOKEN },
    });
    expect(await catalog.listNamespaces()).toEqual([{ namespace: ['analytics'] }]);
    expect(await catalog.listTables({ namespace: ['analytics'] })).toEqual([
      { namespace: ['analytics'], name: 'events' },
    ]);
    const metadata = await catalog.loadTable({ namespace: ['analytics'], name: 'events' });
    expect(metadata.location).toMatch(/^file:\/\/.*\/__r2_data_catalog\/analytics\/events$/);
    expect(metadata['current-snapshot-id']).toBeGreaterThan(0);
    expect(await catalog.tableExists({ namespace: ['analytics'], name: 'nope' })).toBe(false);
    await expect(catalog.loadTable({ namespace: ['analytics'], name: 'nope' })).rejects.toMatchObject({
      status: 404,
      icebergType: 'NoSuchTableException',
    });
    const anonymous = new IcebergRestCatalog({ baseUrl: stack.catalogUrl, catalogName: 'lake' });
    await expect(anonymous.listNamespaces()).rejects.toMatchObject({
      status: 401,
      icebergType: 'NotAuthorizedException',
    });
    await expect(catalog.createNamespace({ namespace: ['other'] })).rejects.toMatchObject({
      status: 406,
      icebergType: 'UnsupportedOperationException',
    });

    const auth = { authorization: `Bearer ${TOKEN}` };
    const config = await fetch(`${stack.catalogUrl}/v1/config?warehouse=acct_lake`, { headers: auth });
    expect(await config.json()).toEqual({
      defaults: {},
      overrides: { prefix: 'lake', 's3.endpoint': stack.filesUrl, 's3.path-style-access': 'true' },
    });
    const load: any = await (
      await fetch(`${stack.catalogUrl}/v1/lake/namespaces/analytics/tables/events`, { headers: auth })
    ).json();
    expect(load['metadata-location']).toMatch(/metadata\/v\d+\.metadata\.json$/);
    expect(load.config['s3.endpoint']).toBe(stack.filesUrl);
  });

  it('refuses hostile catalog paths and file keys, reading nothing outside the bucket', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const hostile = [
      `${stack.catalogUrl}/v1/lake/namespaces/..%2F..%2F..`,
      `${stack.catalogUrl}/v1/lake/namespaces/analytics/tables/..%2F..%2Fmetadata`,
      `${stack.catalogUrl}/v1/lake/namespaces/%zz`,
      `${stack.url}/catalog/local/..%2Fr2/v1/config`,
    ];
    for (const url of hostile) {
      const answer = await fetch(url, { headers: auth });
      expect(answer.status, url).toBeGreaterThanOrEqual(400);
      expect(answer.status, url).toBeLessThan(500);
      const body: any = await answer.json();
      expect(body.error, url).toMatchObject({ code: answer.status });
      expect(typeof body.error.message).toBe('string');
    }
    for (const key of [
      '..%2F..%2Fpipelines.wal',
      '__r2_data_catalog/../../x',
      '%2e%2e/%2e%2e/etc/passwd',
      'a//b',
      '%00',
    ]) {
      const answer = await fetch(`${stack.filesUrl}/lake/${key}`, { headers: auth });
      expect(answer.status, key).toBe(404);
    }
    expect((await fetch(`${stack.filesUrl}/lake/nothing`, {})).status).toBe(401);
  });

  it('serves files with ETag, Range and If-None-Match', async () => {
    const [file] = createIcebergTable({
      dir: catalogTableDir(stack.pipelines.bucketDir, 'analytics', 'events'),
    }).liveFiles();
    const key = `__r2_data_catalog/analytics/events/data/${file!.localPath.split('/').at(-1)}`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const whole = await fetch(`${stack.filesUrl}/lake/${key}`, { headers: auth });
    expect(whole.status).toBe(200);
    const bytes = new Uint8Array(await whole.arrayBuffer());
    expect(bytes.byteLength).toBe(file!.file_size_in_bytes);
    const etag = whole.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const tail = await fetch(`${stack.filesUrl}/lake/${key}`, { headers: { ...auth, range: 'bytes=-8' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(
      `bytes ${bytes.byteLength - 8}-${bytes.byteLength - 1}/${bytes.byteLength}`,
    );
    expect(Buffer.from(await tail.arrayBuffer()).toString('latin1', 4)).toBe('PAR1');
    expect(
      (
        await fetch(`${stack.filesUrl}/lake/${key}`, {
          headers: { ...auth, range: `bytes=${bytes.byteLength}-` },
        })
      ).status,
    ).toBe(416);
    expect(
      (await fetch(`${stack.filesUrl}/lake/${key}`, { headers: { ...auth, 'if-none-match': etag } })).status,
    ).toBe(304);
  });
});
