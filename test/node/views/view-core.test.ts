import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { sql } from '../../../sql/index.ts';
import {
  count,
  countDistinct,
  createViewRegistry,
  defineRollup,
  defineView,
  isViewParamsError,
  last,
  sum,
  timestampParam,
  type ViewEngine,
  ViewDefinitionError,
  ViewNotFoundError,
  ViewParamsError,
} from '../../../views/index.ts';

/** An engine that records what reached it and answers one fixed row. */
function recordingEngine() {
  const seen: string[] = [];
  const engine: ViewEngine = {
    async query(text) {
      seen.push(text);
      return { schema: [{ name: 'n' }], rows: [{ n: 1 }] };
    },
  };
  return { engine, seen };
}

const byVerb = defineView({
  name: 'by_verb',
  description: 'events of one verb',
  params: z.object({
    verb: z.enum(['created', 'updated', 'deleted']).default('created'),
    limit: z.number().int().min(1).max(1000).default(100),
    since: timestampParam().optional(),
  }),
  time: { column: 'ts', since: 'since' },
  sql: ({ params, table }) =>
    sql`SELECT id FROM ${table('events')} WHERE verb = ${params.verb}${
      params.since ? sql` AND ts >= ${params.since}` : sql``
    } ORDER BY id LIMIT ${params.limit}`,
});

describe('defineView', () => {
  it('renders validated params as literals, defaults applied', () => {
    const rendered = byVerb.render({ since: '2026-11-01T12:00:00+02:00' });
    expect(rendered.view).toBe('by_verb@1');
    expect(rendered.params).toEqual({ verb: 'created', limit: 100, since: new Date('2026-11-01T10:00:00Z') });
    expect(rendered.sql).toBe(
      `SELECT id FROM "analytics"."events" WHERE verb = 'created' AND ts >= TIMESTAMP '2026-11-01T10:00:00.000000Z' ORDER BY id LIMIT 100`,
    );
  });

  it('renders tables through the caller’s table function (the query API’s tenancy hook)', () => {
    const rendered = byVerb.render(
      {},
      { table: (name) => sql`(SELECT * FROM ${sql.id('lake', name)} WHERE ns = ${'https://a.test'})` },
    );
    expect(rendered.sql).toContain(`FROM (SELECT * FROM "lake"."events" WHERE ns = 'https://a.test')`);
  });

  it.each([
    [{ verb: 'exploded' }, 'verb'],
    [{ limit: 0 }, 'limit'],
    [{ limit: 5000 }, 'limit'],
    [{ limit: '10' }, 'limit'],
    [{ since: 'yesterday' }, 'since'],
    [{ since: '2026-13-01' }, 'since'],
    [{ bogus: 1 }, 'bogus'],
    [{ verb: "created' OR 1=1 --" }, 'verb'],
  ])('refuses %j naming the param, before anything reaches the engine', async (params, param) => {
    const { engine, seen } = recordingEngine();
    const registry = createViewRegistry([byVerb]);
    const error = await registry.run(engine, 'by_verb', params).catch((e: unknown) => e);
    expect(isViewParamsError(error)).toBe(true);
    expect((error as ViewParamsError).issues.map((i) => i.param)).toContain(param);
    expect((error as Error).message).toContain(`param "${param}"`);
    expect(seen).toEqual([]);
  });

  it('refuses params that are not an object', () => {
    for (const bad of [[], 'x', 42]) expect(() => byVerb.render(bad)).toThrow(ViewParamsError);
  });

  it('fails at definition when R2 SQL would refuse the SQL, naming the construct', () => {
    const define = () =>
      defineView({
        name: 'paged',
        description: 'x',
        sql: ({ table }) => sql`SELECT * FROM ${table('events')} ORDER BY id LIMIT 10 OFFSET 10`,
      });
    expect(define).toThrow(ViewDefinitionError);
    expect(define).toThrow(/paged@1: R2 SQL would refuse it \(40004\).*OFFSET/);
  });

  it('checks the SQL of every sample, so a branch only some params reach is checked too', () => {
    const define = () =>
      defineView({
        name: 'branchy',
        description: 'x',
        params: z.object({ lateral: z.boolean().default(false) }),
        samples: [{}, { lateral: true }],
        sql: ({ params, table }) =>
          params.lateral
            ? sql`SELECT * FROM ${table('events')} e, LATERAL (SELECT 1) x`
            : sql`SELECT * FROM ${table('events')}`,
      });
    expect(define).toThrow(/LATERAL/);
  });

  it('refuses a malformed definition', () => {
    const sqlOf = () => sql`SELECT 1`;
    expect(() => defineView({ name: 'Bad-Name', description: 'x', sql: sqlOf })).toThrow(/snake_case/);
    expect(() => defineView({ name: 'v', version: 0, description: 'x', sql: sqlOf })).toThrow(/positive/);
    expect(() =>
      defineView({ name: 'v', description: 'x', time: { column: 'ts', since: 'from' }, sql: sqlOf }),
    ).toThrow(/"from" is not one of its params/);
    expect(() =>
      defineView({
        name: 'v',
        description: 'x',
        params: z.object({ n: z.number() }),
        sql: ({ params }) => sql`SELECT ${params.n} AS n`,
      }),
    ).toThrow(/cannot render with sample \{\}/);
  });
});

describe('createViewRegistry', () => {
  const v1 = defineView({ name: 'n', description: 'first', sql: () => sql`SELECT 1 AS n` });
  const v2 = defineView({ name: 'n', version: 2, description: 'second', sql: () => sql`SELECT 2 AS n` });

  it('resolves name to the highest version unless told which is current, and name@version exactly', () => {
    expect(createViewRegistry([v1, v2]).require('n').version).toBe(2);
    const pinned = createViewRegistry([v1, v2], { current: { n: 1 } });
    expect(pinned.require('n').version).toBe(1);
    expect(pinned.require('n@2').description).toBe('second');
    expect(pinned.catalog().map((e) => [e.key, e.current])).toEqual([
      ['n@1', true],
      ['n@2', false],
    ]);
  });

  it('names the views there are when a lookup fails', () => {
    const registry = createViewRegistry([v1, byVerb]);
    expect(registry.get('n@3')).toBeUndefined();
    expect(() => registry.require('nope')).toThrow(ViewNotFoundError);
    expect(() => registry.require('nope')).toThrow('no view "nope" (views: by_verb, n)');
  });

  it('refuses two views with one key, and a current version that is not registered', () => {
    expect(() => createViewRegistry([v1, v1])).toThrow(/n@1 is registered twice/);
    expect(() => createViewRegistry([v1], { current: { n: 7 } })).toThrow(/n@7 is not registered/);
  });

  it('publishes params as JSON Schema (what a caller sends), with defaults and ranges', () => {
    const entry = createViewRegistry([byVerb]).catalog()[0]!;
    const params = entry.params as {
      properties: Record<string, Record<string, unknown>>;
      additionalProperties?: unknown;
    };
    expect(params.properties.verb).toMatchObject({
      enum: ['created', 'updated', 'deleted'],
      default: 'created',
    });
    expect(params.properties.limit).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 100,
    });
    expect(params.additionalProperties).toBe(false);
    expect(entry.time).toEqual({ column: 'ts', since: 'since' });
  });

  it('runs a view on the engine it is given and applies the view’s own step', async () => {
    const doubled = defineView({
      name: 'doubled',
      description: 'x',
      sql: () => sql`SELECT 1 AS n`,
      finish: (rows) => rows.map((r) => ({ n: Number(r.n) * 2 })),
    });
    const { engine, seen } = recordingEngine();
    const result = await createViewRegistry([doubled]).run(engine, 'doubled');
    expect(seen).toEqual(['SELECT 1 AS n']);
    expect(result).toMatchObject({ view: 'doubled@1', sql: 'SELECT 1 AS n', rows: [{ n: 2 }] });
  });
});

describe('defineRollup', () => {
  it('reads only the columns its keys and measures name, every column with a where of free SQL', () => {
    const base = {
      from: 'Order.created',
      groupBy: ['data.customer', 'type'],
      compute: { total: sum('data.amount'), last: last('ts'), buyers: countDistinct('actor') },
      window: 'hour' as const,
    };
    const narrow = defineRollup('narrow', base).render({ since: '2026-11-01' }).sql;
    expect(narrow).toContain('SELECT DISTINCT ON ("id") "id", "ts", "event", "data", "type", "actor" FROM');
    const wide = defineRollup('wide', { ...base, where: sql`"status" = 'completed'` }).render({}).sql;
    expect(wide).toContain('SELECT DISTINCT ON ("id") * FROM');
  });

  it('compiles to a deduplicating, time-bounded GROUP BY that R2 SQL accepts', () => {
    const revenue = defineRollup('revenue', {
      from: ['Order.created', 'Order.paid'],
      groupBy: ['data.customer', 'type'],
      compute: {
        total: sum('data.amount'),
        n: count(),
        buyers: countDistinct('actor', { approximate: true }),
      },
      where: sql`"status" = 'completed'`,
      window: 'day',
    });
    const { sql: text } = revenue.render({ since: '2026-11-01', until: '2026-11-08', limit: 50 });
    expect(text).toContain(
      `SELECT DISTINCT ON ("id") * FROM "analytics"."events" WHERE "event" IN ('Order.created', 'Order.paid') AND "ts" >= TIMESTAMP '2026-11-01T00:00:00.000000Z' AND "ts" < TIMESTAMP '2026-11-08T00:00:00.000000Z'`,
    );
    expect(text).toContain(`WHERE "status" = 'completed'`);
    expect(text).toContain(`GROUP BY date_trunc('day', "ts"), json_get_str("data", 'customer'), "type"`);
    expect(text).toMatch(/LIMIT 50$/);
    expect(revenue.time).toEqual({ column: 'bucket', since: 'since', until: 'until' });
    expect(revenue.rollup.groupBy).toEqual([
      { field: 'data.customer', column: 'customer' },
      { field: 'type', column: 'type' },
    ]);
  });

  it('refuses a malformed rollup with a message that says what to change', () => {
    const compute = { n: count() };
    expect(() => defineRollup('r', { from: 'order created', compute, window: 'hour' })).toThrow(
      /event names like Order.created/,
    );
    expect(() =>
      defineRollup('r', { from: 'Order.created', compute, window: 'fortnight' as 'hour' }),
    ).toThrow(/window/);
    expect(() => defineRollup('r', { from: 'Order.created', compute: {}, window: 'hour' })).toThrow(
      /at least one measure/,
    );
    expect(() =>
      defineRollup('r', { from: 'Order.created', groupBy: ['data.n'], compute, window: 'hour' }),
    ).toThrow(/two output columns are named "n"/);
    expect(() =>
      defineRollup('r', { from: 'Order.created', groupBy: ["data.x'y"], compute, window: 'hour' }),
    ).toThrow(/not a plain name/);
  });
});
