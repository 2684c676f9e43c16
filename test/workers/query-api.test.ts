import { tableFromIPC } from 'apache-arrow';
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInViews } from '../../query/api/index.ts';
import { roll, stackUrl } from './helpers.ts';

const TENANT = 'qapi-tenant';
const ADMIN = 'qapi-admin';
const MINE = ['one.qapi.test', 'two.qapi.test'];
const THEIRS = ['other.example.com', 'qapi.test.other.example.com'];

const worker = (path: string, init: RequestInit = {}, token: string | null = TENANT) =>
  exports.default.fetch(`http://worker${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
/** The same handler served by the local stack over DuckDB on the same lake (no R2 SQL in between). */
const local = (path: string, init: RequestInit = {}, token = TENANT) =>
  fetch(`${stackUrl()}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

type Answer = { result: { schema: { name: string; kind: string }[]; rows: Record<string, unknown>[] } };

/** RFC 4180: quoted fields may hold commas, CRLF and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

beforeAll(async () => {
  for (const host of [...MINE, ...THEIRS]) {
    const actions = Array.from({ length: 12 }, (_, i) => ({
      verb: i % 3 ? 'update' : 'create',
      type: 'Startup',
      target: `s${i % 4}`,
      data: { name: `n,"${i}"\n${host}` },
    }));
    const recorded = await worker(`/ns/${host}/actions`, { method: 'POST', body: JSON.stringify(actions) });
    expect(recorded.status).toBe(200);
    expect((await worker(`/ns/${host}/flush`, { method: 'POST' })).status).toBe(200);
  }
  await roll();
});

describe('the query API in the example Worker', () => {
  it('answers each view with the rows the DuckDB engine gives on the same lake, in every format', async () => {
    // Every view callable without params (its first sample is `{}`); the others are covered in Node.
    const callable = builtInViews().filter((v) => Object.keys((v.samples[0] ?? {}) as object).length === 0);
    expect(callable.length).toBeGreaterThan(3);
    let answered = 0;
    for (const view of callable) {
      const path = `/api/views/${view.name}`;
      const fromWorker = await worker(`${path}?format=json`);
      expect(fromWorker.status, await fromWorker.clone().text()).toBe(200);
      const json = (await fromWorker.json()) as Answer;
      const direct = (await (await local(`${path}?format=json`)).json()) as Answer;
      expect(json.result.rows).toEqual(direct.result.rows);
      answered += json.result.rows.length;

      const ndjson = await (await worker(path, { headers: { accept: 'application/x-ndjson' } })).text();
      expect(
        ndjson
          .trim()
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line)),
      ).toEqual(direct.result.rows);

      const csv = await worker(`${path}?format=csv`);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const [header, ...lines] = parseCsv(await csv.text());
      expect(header).toEqual(json.result.schema.map((c) => c.name));
      expect(lines.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i]])))).toEqual(
        direct.result.rows.map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([k, v]) => [
              k,
              v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v),
            ]),
          ),
        ),
      );

      const arrow = await worker(path, { headers: { accept: 'application/vnd.apache.arrow.stream' } });
      const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
      expect(table.numRows).toBe(direct.result.rows.length);
      expect(table.schema.fields.map((f) => f.name)).toEqual(json.result.schema.map((c) => c.name));
      direct.result.rows.forEach((row, i) => {
        const got = table.get(i)!.toJSON() as Record<string, unknown>;
        for (const column of json.result.schema) {
          const want = row[column.name];
          const value = got[column.name];
          if (column.kind === 'timestamp') expect(value).toBe(Date.parse(String(want)));
          else if (column.kind === 'integer') expect(value).toBe(BigInt(want as number));
          else expect(value).toEqual(want);
        }
      });
    }
    expect(answered).toBeGreaterThan(0);
  });

  it('filters every view to the token’s namespaces, and says what it scanned and how fresh it is', async () => {
    const response = await worker('/api/views/events_per_hour');
    const rows = ((await response.json()) as Answer).result.rows;
    const total = rows.reduce((n, row) => n + Number(row.events), 0);
    expect(total).toBe(12 * MINE.length);
    expect(Number(response.headers.get('x-files-scanned'))).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-bytes-scanned'))).toBeGreaterThan(0);
    const newest = response.headers.get('x-newest-event-time') ?? '';
    for (const host of MINE) expect(newest).toContain(`https://${host}=`);
    for (const host of THEIRS) expect(newest).not.toContain(host);
  });

  it('serves a repeat from the cache, 304 on If-None-Match, and keeps scopes apart', async () => {
    const first = await worker('/api/views/events_per_hour?format=csv');
    const etag = first.headers.get('etag')!;
    const body = await first.text();
    expect(etag).toMatch(/^"[0-9a-f]{32}-csv"$/);
    const again = await worker('/api/views/events_per_hour?format=csv');
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(await again.text()).toBe(body);
    const unchanged = await worker('/api/views/events_per_hour?format=csv', {
      headers: { 'if-none-match': etag },
    });
    expect(unchanged.status).toBe(304);
    const admin = await worker('/api/views/events_per_hour?format=csv', {}, ADMIN);
    expect(admin.headers.get('etag')).not.toBe(etag);
  });

  it('answers 401, 403 and 400 in the error shape, and raw SQL only for the admin', async () => {
    const none = await worker('/api/views/events_per_hour', {}, null);
    expect([none.status, ((await none.json()) as { error: { code: string } }).error.code]).toEqual([
      401,
      'unauthorized',
    ]);
    expect((await worker('/api/views', {}, 'wrong')).status).toBe(401);
    const sql = {
      method: 'POST',
      body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM analytics.events' }),
    };
    expect((await worker('/api/sql', sql)).status).toBe(403);
    const admin = await worker('/api/sql', sql, ADMIN);
    expect(admin.status).toBe(200);
    const bad = await worker('/api/views/events_per_hour?since=yesterday&limit=x');
    const error = ((await bad.json()) as { error: { code: string; issues: { field: string }[] } }).error;
    expect([bad.status, error.code, error.issues.map((i) => i.field).sort()]).toEqual([
      400,
      'invalid_params',
      ['limit', 'since'],
    ]);
    const catalog = (await (await worker('/api/views')).json()) as { views: { name: string }[] };
    expect(catalog.views.map((v) => v.name)).toContain('events_per_hour');
    const openapi = (await (await worker('/api/openapi.json', {}, null)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/views', '/views/events_per_hour', '/sql']),
    );
  });
});
