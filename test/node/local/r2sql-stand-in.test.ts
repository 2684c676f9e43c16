import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { eventRows, post, tempDir } from '../fixtures/events.ts';
import { UNSUPPORTED } from '../fixtures/unsupported-sql.ts';

const TOKEN = 'r2sql-secret';
const EVENTS = 600;
let stack: LocalStack;
let remove: () => Promise<void>;
let url: string;

const query = (sql: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  post(url, { query: sql }, headers);

beforeAll(async () => {
  const temp = await tempDir('dotdo-r2sql-');
  remove = temp.remove;
  stack = await startLocalStack({
    dataDir: temp.dir,
    port: 0,
    token: TOKEN,
    pipelines: { rollIntervalMs: 3_600_000 },
  });
  url = `${stack.r2SqlUrl}/accounts/acct123/r2-sql/query/lake`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  // Two rolls: two data files, so the metrics have more than one file to count.
  expect((await post(`${stack.ingestUrl}/events`, eventRows(1, 300), auth)).status).toBe(200);
  stack.pipelines.roll();
  expect((await post(`${stack.ingestUrl}/events`, eventRows(301, EVENTS), auth)).status).toBe(200);
  stack.pipelines.roll();
});

afterAll(async () => {
  await stack?.close();
  await remove?.();
});

describe('R2 SQL stand-in over HTTP', () => {
  it("answers in the platform's shape, with metrics measured from the files read", async () => {
    const { status, body } = await query(
      'SELECT verb, count(*) AS n FROM analytics.events GROUP BY verb ORDER BY verb',
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, errors: [] });
    expect(body.result.schema.map((c: { name: string }) => c.name)).toEqual(['verb', 'n']);
    expect(body.result.rows).toEqual([
      { verb: 'created', n: 200 },
      { verb: 'updated', n: 400 },
    ]);
    const { files_scanned, bytes_scanned, r2_requests_count } = body.result.metrics;
    expect(files_scanned).toBe(2);
    expect(bytes_scanned).toBeGreaterThan(0);
    expect(r2_requests_count).toBeGreaterThanOrEqual(4); // a footer and a row group per file
  });

  it('counts more bytes for SELECT * than for one column, and none but footers for count(*)', async () => {
    const one = (await query('SELECT verb FROM analytics.events')).body.result.metrics;
    const all = (await query('SELECT * FROM analytics.events')).body.result.metrics;
    const count = (await query('SELECT count(*) AS n FROM analytics.events')).body.result.metrics;
    expect(all.bytes_scanned).toBeGreaterThan(one.bytes_scanned);
    expect(one.bytes_scanned).toBeGreaterThan(count.bytes_scanned);
    expect(count.r2_requests_count).toBe(2);
  });

  it('maps R2 SQL functions end to end: json_get_str and friends on the data column', async () => {
    const { status, body } = await query(
      `SELECT json_get_str(data, 'name') AS name, json_get_int(data, 'seq') AS seq,
              json_get_float(data, 'score') AS score, json_length(data, 'tags') AS tags
       FROM analytics.events WHERE json_get_bool(data, 'paid') ORDER BY seq LIMIT 3`,
    );
    expect(status).toBe(200);
    expect(body.result.rows).toEqual([
      { name: 'Acme 2', seq: 2, score: 1, tags: 2 },
      { name: 'Acme 4', seq: 4, score: 2, tags: 2 },
      { name: 'Acme 6', seq: 6, score: 3, tags: 2 },
    ]);
    const agg = await query(
      `SELECT approx_distinct(target) AS targets, date_bin(INTERVAL '1 day', ts) AS day
       FROM analytics.events GROUP BY 2`,
    );
    expect(agg.body.result.rows).toEqual([
      { targets: 7, day: expect.stringMatching(/^2025-11-24T00:00:00/) },
    ]);
  });

  it('returns at most 500 rows when the query has no LIMIT', async () => {
    expect((await query('SELECT id FROM analytics.events')).body.result.rows).toHaveLength(500);
    expect((await query('SELECT id FROM analytics.events LIMIT 550')).body.result.rows).toHaveLength(550);
    expect((await query('SELECT count(*) AS n FROM analytics.events')).body.result.rows).toEqual([
      { n: EVENTS },
    ]);
  });

  it('accepts the body wrangler 4.86 sends, and refuses a warehouse of another bucket', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const ok = await post(url, { warehouse: 'acct123_lake', query: 'SELECT 1 AS one' }, auth);
    expect(ok.body.result.rows).toEqual([{ one: 1 }]);
    const wrong = await post(url, { warehouse: 'acct123_other', query: 'SELECT 1' }, auth);
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({
      code: 40004,
      message: expect.stringContaining('warehouse'),
    });
  });

  it('lists namespaces and tables', async () => {
    expect((await query('SHOW TABLES IN analytics')).body.result.rows).toContainEqual({
      namespace: 'analytics',
      table_name: 'events',
    });
    const described = await query('DESCRIBE analytics.events');
    expect(described.body.result.rows.map((r: { column_name: string }) => r.column_name)).toContain('data');
  });
});

describe('R2 SQL stand-in: bad input, each a clear error and each counted', () => {
  it.each(UNSUPPORTED)('%s → 40004 naming %s', async (sql, _construct, line, column) => {
    const { status, body } = await query(sql);
    expect(status).toBe(400);
    expect(body.success).toBe(false);
    expect(body.errors[0]).toMatchObject({ code: 40004, position: { line, column } });
    expect(body.errors[0].message).toMatch(
      /not supported|not allowed|read-only|not valid|cannot be read|unknown function/,
    );
  });

  it('counted every refused form under 40004', () => {
    expect(stack.r2sql.stats().failed['40004']).toBeGreaterThanOrEqual(UNSUPPORTED.length);
  });

  it.each([
    ['SELEC verb FROM analytics.events'],
    ["SELECT 'open FROM analytics.events"],
    ['SELECT verb FROM analytics.events WHERE'],
    ['SELECT verb,, ns FROM analytics.events'],
  ])('%j → 40003 syntax error', async (sql) => {
    const before = stack.r2sql.stats().failed['40003'] ?? 0;
    const { status, body } = await query(sql);
    expect(status).toBe(400);
    expect(body.errors[0].code).toBe(40003);
    expect(body.errors[0].message).toMatch(/syntax error/i);
    expect(stack.r2sql.stats().failed['40003']).toBe(before + 1);
  });

  it('answers an unknown column or table with 40004 and the engine message', async () => {
    const column = await query('SELECT nope FROM analytics.events');
    expect(column.body.errors[0]).toMatchObject({ code: 40004, message: expect.stringContaining('nope') });
    const table = await query('SELECT * FROM analytics.nothing');
    expect(table.body.errors[0]).toMatchObject({ code: 40004, message: expect.stringContaining('nothing') });
  });

  it('answers a wrong or missing token with HTTP 403', async () => {
    const before = stack.r2sql.stats().failed['10000'] ?? 0;
    const wrong = await query('SELECT 1', { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errors[0].message).toMatch(/Authentication error/);
    expect((await query('SELECT 1', {})).status).toBe(403);
    expect(stack.r2sql.stats().failed['10000']).toBe(before + 2);
  });

  it('answers a query to an unknown bucket with a 404 error, never an empty result', async () => {
    const other = `${stack.r2SqlUrl}/accounts/acct123/r2-sql/query/no-such-bucket`;
    const { status, body } = await post(
      other,
      { query: 'SELECT 1 AS one' },
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(status).toBe(404);
    expect(body).toMatchObject({ success: false, result: null });
    expect(body.errors[0]).toMatchObject({ code: 40004, message: expect.stringContaining('no-such-bucket') });
  });

  it('answers a malformed body with 40004 naming what is expected', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await post(url, '{"query": ', auth)).body.errors[0].message).toMatch(/malformed JSON/);
    expect((await post(url, { sql: 'SELECT 1' }, auth)).body.errors[0].message).toMatch(/\{"query"/);
  });
});
