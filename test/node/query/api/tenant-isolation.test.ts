import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryHandler, hashToken, type QueryHandler } from '../../../../query/api/index.ts';
import { builtInViews } from '../../../../query/api/index.ts';
import { createViewRegistry, type View } from '../../../../views/index.ts';
import { MARK, MINE, type TenantLakes, THEIRS, tenantLakes } from './tenant-lake.ts';

// Every view the library exports (more land with each family): the test iterates the registry.
const library = builtInViews();
const registry = createViewRegistry(library);
const TOKEN = 'tenant-a-token';
const ADMIN = 'admin-token';
let lakes: TenantLakes;
let api: QueryHandler;

/** Answers a SQL text seen before from memory: many param sets render the same SQL, and the rows of a
 * text on a lake that does not change are the same. Isolation is a property of the rendered SQL. */
function memo<E extends { query(sql: string): Promise<any> }>(engine: E): E['query'] {
  const seen = new Map<string, Promise<any>>();
  return (sql: string) => {
    if (!seen.has(sql)) seen.set(sql, engine.query(sql));
    return seen.get(sql)!;
  };
}
let all: TenantLakes['all']['query'];
let mine: TenantLakes['mine']['query'];

beforeAll(async () => {
  lakes = await tenantLakes();
  all = memo(lakes.all);
  mine = memo(lakes.mine);
  api = createQueryHandler({
    registry,
    engine: { query: (sql) => all(sql) },
    tokens: [
      { name: 'a', sha256: await hashToken(TOKEN), namespaces: ['https://*.acme.test', 'https://solo.test'] },
      { name: 'admin', sha256: await hashToken(ADMIN), namespaces: ['*'], admin: true },
    ],
    cache: false,
    freshness: false,
  });
}, 60_000);
afterAll(() => lakes?.close());

const call = (path: string, init: RequestInit = {}, token = TOKEN) =>
  api(
    new Request(`http://api.test${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    }),
  );

// Values meant to break out of a string literal, a LIKE pattern or a regex, or to name another tenant.
const HOSTILE = [
  "' OR '1'='1",
  "') OR TRUE --",
  "x' UNION SELECT * FROM analytics.events --",
  '%',
  '_',
  '\\',
  "\\' OR 1=1 --",
  'https://evil.test',
  'https://*.acme.test',
  "https://evil.test' OR ns LIKE '%",
  '*/ OR TRUE /*',
  '$1',
  '\u2019 OR 1=1',
  MARK,
];
const anyParam = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: -10, max: 20_000 }),
  fc.constantFrom('2025-11-24T00:00:00Z', '2025-11-25', 1_764_000_000_000, 0, true, false, null),
  fc.array(fc.constantFrom(...HOSTILE), { maxLength: 3 }),
);

function paramsFor(view: View) {
  const entry = registry.catalog().find((e) => e.key === view.key)!;
  const names = Object.keys((entry.params.properties ?? {}) as object);
  return fc.dictionary(fc.constantFrom(...names, 'ns', 'namespace'), anyParam, { maxKeys: names.length + 1 });
}

/** Rows as the engine on the token-only lake answers them (the view unfiltered over only A's data). */
async function expected(view: View, params: unknown) {
  const rendered = view.render(params);
  const { rows } = await mine(rendered.sql);
  return view.finish(rows, rendered.params as never);
}

describe('tenant isolation through every view', () => {
  it('has views to check, and a lake with both tenants', async () => {
    expect(library.length).toBeGreaterThan(0);
    const { rows } = await lakes.all.query('SELECT count(DISTINCT ns) AS n FROM analytics.events');
    expect(rows[0]!.n).toBe(MINE.length + THEIRS.length);
  });

  it('1,000 param sets (hostile ones among them) never answer a row of another namespace', async () => {
    const runs = Math.ceil(1000 / library.length);
    let answered = 0;
    for (const view of library) {
      await fc.assert(
        fc.asyncProperty(paramsFor(view), fc.boolean(), async (params, asBody) => {
          const response = asBody
            ? await call(`/views/${view.name}`, { method: 'POST', body: JSON.stringify(params) })
            : await call(
                `/views/${view.name}?${new URLSearchParams(
                  Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
                )}`,
              );
          const text = await response.text();
          expect(response.status, text).toBeLessThan(500);
          // A refusal may quote the caller's own params back; only an answer is checked for rows.
          if (response.status !== 200) return;
          expect(text).not.toContain(MARK);
          for (const ns of THEIRS) expect(text).not.toContain(`"${ns}`);
          answered += 1;
          const body = JSON.parse(text) as { result: { rows: unknown[] } };
          const parsed = view.parseParams(asBody ? params : undefined);
          if (asBody) expect(body.result.rows).toEqual(await expected(view, parsed));
        }),
        { numRuns: runs, seed: 15 },
      );
    }
    expect(answered).toBeGreaterThan(0);
  }, 60_000);

  it('a valid call answers exactly what the token-only lake answers', async () => {
    for (const view of library) {
      const sample = view.samples[0] ?? {};
      const response = await call(`/views/${view.name}`, { method: 'POST', body: JSON.stringify(sample) });
      if (view.name === 'thing_diff') {
        // Its sample names a thing this lake does not hold: a 404 naming the param, never another tenant's row.
        expect(response.status).toBe(404);
        continue;
      }
      expect(response.status, `${view.key}: ${await response.clone().text()}`).toBe(200);
      const body = (await response.json()) as { result: { rows: unknown[] } };
      expect(body.result.rows).toEqual(await expected(view, sample));
    }
  });
});

describe('who may call what', () => {
  const view = library[0]!;
  it('answers 401 without a token or with a wrong one, 403 outside the token’s views', async () => {
    const none = await api(new Request(`http://api.test/views/${view.name}`));
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await call(`/views/${view.name}`, {}, 'wrong')).status).toBe(401);
    expect((await call('/views', {}, `${TOKEN}x`)).status).toBe(401);
    const limited = createQueryHandler({
      registry,
      engine: lakes.all,
      tokens: [{ sha256: await hashToken('v'), namespaces: ['*'], views: ['no_such_view'] }],
      cache: false,
    });
    const refused = await limited(
      new Request(`http://api.test/views/${view.name}`, { headers: { authorization: 'Bearer v' } }),
    );
    expect(refused.status).toBe(403);
    const catalog = await limited(
      new Request('http://api.test/views', { headers: { authorization: 'Bearer v' } }),
    );
    expect(((await catalog.json()) as { views: unknown[] }).views).toEqual([]);
  });

  it('refuses raw SQL to a tenant token (403) and runs it for an admin, checked as R2 SQL', async () => {
    const body = JSON.stringify({ sql: 'SELECT ns FROM analytics.events LIMIT 1' });
    const tenant = await call('/sql', { method: 'POST', body });
    expect(tenant.status).toBe(403);
    expect(await tenant.text()).not.toContain('https://');
    const admin = await call('/sql', { method: 'POST', body }, ADMIN);
    expect(admin.status).toBe(200);
    const refused = await call(
      '/sql',
      { method: 'POST', body: JSON.stringify({ sql: 'DROP TABLE analytics.events' }) },
      ADMIN,
    );
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { field: string } }).error.field).toBe('sql');
  });

  it('names each bad param in a 400', async () => {
    const entry = registry.catalog()[0]!;
    const names = Object.keys((entry.params.properties ?? {}) as object);
    const response = await call(`/views/${entry.name}?nope=1&${names[0] ?? 'other'}=not-a-valid-value-%00`);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; issues: { field: string }[] } };
    expect(error.code).toBe('invalid_params');
    expect(error.issues.map((i) => i.field)).toContain('nope');
  });
});
