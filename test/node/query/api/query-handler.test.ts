import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtInRegistry,
  createQueryHandler,
  hashToken,
  type QueryHandler,
} from '../../../../query/api/index.ts';
import { tempDir } from '../../fixtures/events.ts';
import { type TenantLakes, tenantLakes } from './tenant-lake.ts';

const ADMIN = 'admin';
const TENANT = 'tenant';
let lakes: TenantLakes;
let api: QueryHandler;
let temp: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  lakes = await tenantLakes();
  temp = await tempDir('dotdo-qapi-csv-');
  api = createQueryHandler({
    registry: builtInRegistry(),
    engine: lakes.all,
    tokens: [
      { sha256: await hashToken(ADMIN), namespaces: ['*'], admin: true },
      { sha256: await hashToken(TENANT), namespaces: ['https://*.acme.test'] },
    ],
    basePath: '/api',
    cache: false,
    lag: () => 42,
  });
}, 60_000);
afterAll(async () => {
  await lakes?.close();
  await temp?.remove();
});

const call = (path: string, init: RequestInit = {}, token = ADMIN) =>
  api(
    new Request(`http://api.test${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    }),
  );
const rawSql = (sql: string, format: string) =>
  call(`/api/sql?format=${format}`, { method: 'POST', body: JSON.stringify({ sql }) });

describe('formats', () => {
  const SQL = `SELECT ns, seq, ts, data, duration_ms, actor FROM analytics.events ORDER BY ns, seq, id LIMIT 300`;

  it('writes CSV that DuckDB reads back as the JSON rows (quotes, commas, newlines in JSON values)', async () => {
    const json = (await (await rawSql(SQL, 'json')).json()) as {
      result: { schema: { name: string; kind: string }[]; rows: Record<string, unknown>[] };
    };
    expect(json.result.schema.map((c) => c.kind)).toEqual([
      'string',
      'integer',
      'timestamp',
      'string',
      'float',
      'string',
    ]); // data: JSON text
    const path = join(temp.dir, 'events.csv');
    writeFileSync(path, await (await rawSql(SQL, 'csv')).text());
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const read = await connection.runAndReadAll(
      `SELECT * FROM read_csv('${path}', header = true, all_varchar = true)`,
    );
    const fromCsv = read.getRowObjectsJson();
    connection.closeSync();
    expect(fromCsv.length).toBe(300);
    const text = (v: unknown) => (v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v));
    expect(fromCsv).toEqual(
      json.result.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, text(v)]))),
    );
  });

  it('negotiates by Accept, refuses what it cannot serve, and sends NDJSON one row a line', async () => {
    const ndjson = await call('/api/views/events_per_hour', {
      headers: { accept: 'text/html;q=1, application/x-ndjson;q=0.5' },
    });
    expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(ndjson.headers.get('x-view-lag-seconds')).toBe('42');
    expect(ndjson.headers.get('x-newest-event-time')).toMatch(/https:\/\/one\.acme\.test=\d{4}-/);
    const lines = (await ndjson.text()).trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['hour', 'verb', 'events']);
    expect((await call('/api/views/events_per_hour', { headers: { accept: 'image/png' } })).status).toBe(406);
    expect((await call('/api/views/events_per_hour?format=xml')).status).toBe(400);
  });

  it('answers 304 for a matching If-None-Match, and documents every view in OpenAPI', async () => {
    const first = await call('/api/views/events_per_hour?since=2025-01-01');
    const etag = first.headers.get('etag')!;
    const again = await call('/api/views/events_per_hour?since=2025-01-01', {
      headers: { 'if-none-match': `W/${etag}` },
    });
    expect(again.status).toBe(304);
    const doc = (await (await api(new Request('http://api.test/api/openapi.json'))).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string }[] } }>;
    };
    expect(doc.paths['/views/events_per_hour']?.get?.parameters?.map((p) => p.name)).toEqual([
      'since',
      'until',
    ]);
  });
});

describe('hostile requests', () => {
  const paths = [
    '/api/views',
    '/api/views/events_per_hour',
    '/api/views/nope',
    '/api/sql',
    '/api/openapi.json',
    '/api/views/%zz',
    '/api/views/a/b',
    '/api',
    '/elsewhere',
  ];
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    path: fc.oneof(
      fc.constantFrom(...paths),
      fc.string({ maxLength: 30 }).map((s) => `/api/views/${encodeURIComponent(s)}`),
    ),
    query: fc.dictionary(
      fc.constantFrom('since', 'until', 'format', 'limit', 'x', ''),
      fc.string({ maxLength: 20 }),
      { maxKeys: 3 },
    ),
    token: fc.constantFrom(ADMIN, TENANT, '', 'nope', 'x'.repeat(600)),
    accept: fc.constantFrom(
      undefined,
      '*/*',
      'text/csv',
      'application/vnd.apache.arrow.stream',
      'garbage;q=x',
      '',
    ),
    body: fc.oneof(
      fc.constant(undefined),
      fc.json(),
      fc.string({ maxLength: 50 }),
      fc.constant('{"sql": "SELECT 1 AS x"}'),
      fc.constant('x'.repeat(70_000)),
    ),
  });

  it('1,000 fuzzed requests: never a 5xx, never a hang, always the error shape on failure', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const url = `http://api.test${r.path}?${new URLSearchParams(r.query)}`;
        const headers: Record<string, string> = { authorization: `Bearer ${r.token}` };
        if (r.accept !== undefined) headers.accept = r.accept;
        const hasBody = r.body !== undefined && r.method !== 'GET';
        const answer = await Promise.race([
          api(new Request(url, { method: r.method, headers, ...(hasBody ? { body: r.body } : {}) })),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`hung: ${url}`)), 5_000)),
        ]);
        const text = await answer.text();
        expect(answer.status, `${r.method} ${url}: ${text.slice(0, 200)}`).toBeLessThan(500);
        if (answer.status >= 400) expect(Object.keys(JSON.parse(text))).toEqual(['error']);
      }),
      { numRuns: 1000, seed: 15 },
    );
  }, 60_000);
});
