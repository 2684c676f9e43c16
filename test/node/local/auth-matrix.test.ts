import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { eventRows, tempDir } from '../fixtures/events.ts';
import { rawRequest } from '../fixtures/raw-http.ts';

const TOKEN = 'matrix-secret';

const TOKENS: Record<string, Record<string, string>> = {
  none: {},
  wrong: { authorization: 'Bearer not-the-token' },
  'malformed (no scheme)': { authorization: TOKEN },
  'malformed (lower-case scheme)': { authorization: `bearer ${TOKEN}` },
  'malformed (Basic)': { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
  // (Trailing whitespace is not part of a header value in HTTP: the parser drops it, so it is not a case.)
  'malformed (two spaces)': { authorization: `Bearer  ${TOKEN}` },
  'malformed (token twice)': { authorization: `Bearer ${TOKEN} ${TOKEN}` },
  'malformed (empty Bearer)': { authorization: 'Bearer ' },
  correct: { authorization: `Bearer ${TOKEN}` },
};

interface Route {
  method: string;
  path: string;
  body?: () => string;
  /** The status with the correct token, and for any other. */
  ok: number;
  refused: number;
  /** How a refusal is shaped. */
  shape: 'ingest' | 'r2sql' | 'server' | 'iceberg' | 'none';
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/healthz', ok: 200, refused: 200, shape: 'none' },
  {
    method: 'POST',
    path: '/streams/events',
    body: () => JSON.stringify(eventRows(1, 2)),
    ok: 200,
    refused: 401,
    shape: 'ingest',
  },
  {
    method: 'POST',
    path: '/',
    body: () => JSON.stringify(eventRows(3, 4)),
    ok: 200,
    refused: 401,
    shape: 'ingest',
  },
  { method: 'POST', path: '/streams/nope', body: () => '[]', ok: 404, refused: 401, shape: 'ingest' },
  {
    method: 'POST',
    path: '/api/v1/accounts/local/r2-sql/query/lake',
    body: () => JSON.stringify({ query: 'SELECT 1 AS one' }),
    ok: 200,
    refused: 403,
    shape: 'r2sql',
  },
  { method: 'POST', path: '/_admin/roll', ok: 200, refused: 401, shape: 'server' },
  { method: 'GET', path: '/_admin/stats', ok: 200, refused: 401, shape: 'server' },
  { method: 'GET', path: '/_admin/stats/r2sql', ok: 200, refused: 401, shape: 'server' },
  { method: 'GET', path: '/_admin/faults', ok: 200, refused: 401, shape: 'server' },
  {
    method: 'POST',
    path: '/_admin/faults',
    body: () => '{"rate": 0}',
    ok: 200,
    refused: 401,
    shape: 'server',
  },
  { method: 'DELETE', path: '/_admin/stats', ok: 405, refused: 401, shape: 'server' },
  { method: 'GET', path: '/_admin/anything-else', ok: 404, refused: 401, shape: 'server' },
  { method: 'GET', path: '/_admin/%zz', ok: 404, refused: 401, shape: 'server' },
  // The local R2 Data Catalog (Iceberg REST, read-only) and the bucket's file route.
  {
    method: 'GET',
    path: '/catalog/local/lake/v1/config?warehouse=local_lake',
    ok: 200,
    refused: 401,
    shape: 'iceberg',
  },
  { method: 'GET', path: '/catalog/local/lake/v1/namespaces', ok: 200, refused: 401, shape: 'iceberg' },
  {
    method: 'POST',
    path: '/catalog/local/lake/v1/namespaces',
    body: () => '{"namespace":["x"]}',
    ok: 406,
    refused: 401,
    shape: 'iceberg',
  },
  { method: 'GET', path: '/r2/lake/events/no-such-file.parquet', ok: 404, refused: 401, shape: 'server' },
  // The query API under /api (the stack's token is its admin token); its OpenAPI document is public.
  { method: 'GET', path: '/api/views', ok: 200, refused: 401, shape: 'server' },
  {
    method: 'POST',
    path: '/api/sql',
    body: () => JSON.stringify({ sql: 'SELECT 1 AS one' }),
    ok: 200,
    refused: 401,
    shape: 'server',
  },
  { method: 'GET', path: '/api/openapi.json', ok: 200, refused: 200, shape: 'none' },
  { method: 'GET', path: '/no-such-route', ok: 404, refused: 404, shape: 'server' },
];

let stack: LocalStack;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('dotdo-auth-');
  remove = temp.remove;
  stack = await startLocalStack({
    dataDir: temp.dir,
    port: 0,
    token: TOKEN,
    faults: true,
    pipelines: { rollIntervalMs: 3_600_000 },
  });
});

afterAll(async () => {
  await stack?.close();
  await remove?.();
});

function expectShape(shape: Route['shape'], body: any, status: number): void {
  if (shape === 'ingest') expect(body).toMatchObject({ success: false, code: expect.any(String) });
  if (shape === 'r2sql')
    expect(body).toMatchObject({ success: false, errors: [{ code: expect.any(Number) }] });
  if (shape === 'server')
    expect(body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  if (shape === 'iceberg')
    expect(body).toMatchObject({
      error: { code: status, type: expect.any(String), message: expect.any(String) },
    });
  if (status === 401 && shape === 'iceberg') expect(body.error.type).toBe('NotAuthorizedException');
  if (status === 401 && shape !== 'r2sql' && shape !== 'iceberg')
    expect(JSON.stringify(body)).toMatch(/unauthorized/);
}

describe('the auth matrix: every route × {none, wrong, malformed, correct} token', () => {
  const cases = ROUTES.flatMap((route) =>
    Object.keys(TOKENS).map((token) => [`${route.method} ${route.path}`, token, route] as const),
  );
  it.each(cases)('%s with %s token', async (_, token, route) => {
    const answer = await rawRequest(stack.url, {
      method: route.method,
      path: route.path,
      headers: TOKENS[token],
      ...(route.body ? { body: route.body() } : {}),
    });
    const want = token === 'correct' ? route.ok : route.refused;
    expect(answer.status, JSON.stringify(answer.body)).toBe(want);
    if (want >= 400) expectShape(route.shape, answer.body, want);
  });
});

describe('fault injection', () => {
  const admin = { authorization: `Bearer ${TOKEN}` };
  const ingest = (headers: Record<string, string>) =>
    rawRequest(stack.url, { path: '/streams/events', headers, body: JSON.stringify(eventRows(100, 100)) });

  it('a queued fault is consumed only by a request that passed the token check', async () => {
    const queued = await rawRequest(stack.url, {
      path: '/_admin/faults',
      headers: admin,
      body: '{"ingest":[503]}',
    });
    expect(queued).toMatchObject({ status: 200, body: { queued: 1 } });
    for (const headers of [{}, TOKENS.wrong!, TOKENS['malformed (Basic)']!])
      expect((await ingest(headers)).status).toBe(401);
    expect(await ingest(admin)).toMatchObject({
      status: 503,
      body: { success: false, code: 'injected_fault' },
    });
    expect((await ingest(admin)).status).toBe(200);
  });

  it.each([
    ['a 2xx (acknowledging what it does not store)', '{"ingest":[200]}'],
    ['a status outside HTTP', '{"ingest":[1000]}'],
    ['a 3xx', '{"ingest":[302]}'],
    ['a fraction', '{"ingest":[500.5]}'],
    ['an empty queue', '{"ingest":[]}'],
    ['a rate over 1', '{"rate":2}'],
    ['an unknown key', '{"ingest":[500],"also":1}'],
    ['not JSON', '{"ingest":'],
  ])('refuses %s with 400, naming the problem', async (_, body) => {
    const answer = await rawRequest(stack.url, { path: '/_admin/faults', headers: admin, body });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toMatch(/invalid_faults|malformed_json/);
    // Nothing queued: the next ingest is stored and acknowledged.
    expect((await ingest(admin)).status).toBe(200);
  });

  it('is off unless the stand-in was started with it', async () => {
    const temp = await tempDir('dotdo-auth-nofaults-');
    const plain = await startLocalStack({
      dataDir: temp.dir,
      port: 0,
      pipelines: { rollIntervalMs: 3_600_000 },
    });
    try {
      const answer = await rawRequest(plain.url, { path: '/_admin/faults', body: '{"ingest":[503]}' });
      expect(answer).toMatchObject({ status: 404, body: { error: { code: 'faults_disabled' } } });
      expect(answer.body.error.message).toMatch(/--faults/);
      const stored = await rawRequest(plain.url, {
        path: '/streams/events',
        body: JSON.stringify(eventRows(1, 1)),
      });
      expect(stored.status).toBe(200);
      expect(() => plain.pipelines.injectFaults([204])).toThrow(/400–599/);
    } finally {
      await plain.close();
      await temp.remove();
    }
  });
});
