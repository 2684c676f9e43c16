import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { sql } from '../../../sql/index.ts';
import type { EventRow, ThingRow } from '../../../schemas/index.ts';
import { createViewRegistry, isViewParamsError, type ViewEngine } from '../../../views/index.ts';
import { encodeSearchCursor, searchThings } from '../../../views/library/search/index.ts';
import { eventRow, tempDir } from '../fixtures/events.ts';
import { normalizeRows } from './oracles/oracle-time.ts';
import { searchAllOracle, searchOracle } from './oracles/search.ts';
import { dialectViewEngine, writeSmallLake } from './write-small-lake.ts';

const NS = 'https://a.test';
const STARTUP = `${NS}/Startup`;
const WIDGET = `${NS}/Widget`;
let seq = 0;
/** One version of a thing: an event that wrote it (seq doubles as the version number). */
function version(
  slug: string,
  name: string | null,
  data: Record<string, unknown>,
  more: Partial<EventRow> = {},
) {
  seq += 1;
  return {
    ...eventRow(seq, NS),
    ts: Date.parse('2026-11-20T00:00:00Z') * 1000 + seq * 1_000_123,
    type: STARTUP,
    target: `${NS}/${slug}`,
    output_version: `${NS}/${slug}@v${seq}`,
    name,
    data,
    deleted: false,
    ...more,
  } as EventRow;
}

const events: EventRow[] = [
  version('acme', 'Acme', { stage: 'seed', employees: 5, description: 'rockets' }),
  version('acme', 'Acme', { stage: 'series-a', employees: 12, description: 'rockets', public: false }),
  version('acme-corp', 'Acme Corp', { stage: 'seed', employees: 40 }),
  version('the-acme', 'The ACME Co', { stage: 'seed', employees: '9' }),
  version('rocket', 'Rocket Labs', { description: 'Supplier of ACME rockets', employees: 10 }),
  version('anon', null, { description: 'an acme fan club' }),
  version('gone', 'Acme Gone', { stage: 'seed' }),
  version('gone', 'Acme Gone', { stage: 'seed' }, { deleted: true }),
  version('deal', '50%_off', { stage: 'seed' }),
  version('deal2', '50% off', {}),
  version('deal3', '50x_off', {}),
  version('deal4', '5000off', {}),
  version('obrien', "O'Brien's Bakery", { stage: 'seed' }),
  version('acme', 'Acme X', { stage: 'seed' }, { branch: 'experiment' }),
  version('branchy', 'Acme Branch', {}, { branch: 'experiment' }),
  version('person', 'Acme Person', {}, { type: `${NS}/Person` }),
  ...Array.from({ length: 23 }, (_, i) =>
    version(`widget-${i}`, `Widget ${String(i % 12).padStart(2, '0')}`, { n: i }, { type: WIDGET }),
  ),
];
// At-least-once delivery: some versions arrive twice, one of them late (after newer versions).
const delivered = [...events, events[0]!, events[1]!, events[20]!];

let duckdb: DuckDbEngine;
let things: ThingRow[] = [];
let remove: () => Promise<void>;
const registry = createViewRegistry([searchThings]);

beforeAll(async () => {
  const temp = await tempDir('dotdo-search-');
  remove = temp.remove;
  things = (await writeSmallLake(temp.dir, delivered)).things;
  duckdb = await createDuckDbEngine({ lake: temp.dir });
});

afterAll(async () => {
  await duckdb?.close();
  await remove?.();
});

const engine = (): ViewEngine => dialectViewEngine(duckdb);
const run = async (params: unknown) => (await registry.run(engine(), 'search_things', params)).rows;
const oracle = (params: unknown) => normalizeRows(searchOracle(things, searchThings.parseParams(params)));
const names = (rows: Record<string, unknown>[]) => rows.map((r) => r.name);

describe('search_things over a small lake, through R2 SQL’s dialect on DuckDB, equals its oracle', () => {
  it('ranks exact name, prefix, substring, then property hits, case-insensitively', async () => {
    const params = { text: 'ACME', fields: ['data.description'], type: STARTUP };
    const rows = await run(params);
    expect(normalizeRows(rows)).toEqual(oracle(params));
    expect(rows.map((r) => [r.name, r.rank])).toEqual([
      ['Acme', 1],
      ['Acme Corp', 2],
      ['The ACME Co', 3],
      [null, 4],
      ['Rocket Labs', 4],
    ]);
    expect(rows[0]).toMatchObject({ id: `${NS}/acme@v2`, version: 2, branch: null });
  });

  it('lists every current thing on main without text (rank 0), deleted and branch-only things left out', async () => {
    const rows = await run({});
    expect(normalizeRows(rows)).toEqual(oracle({}));
    expect(rows.every((r) => r.rank === 0)).toBe(true);
    expect(names(rows)).not.toContain('Acme Gone');
    expect(names(rows)).not.toContain('Acme Branch');
  });

  it('takes `%`, `_` and quotes as plain characters', async () => {
    for (const [text, want] of [
      ['50%_', ['50%_off']],
      ['%', ['50% off', '50%_off']],
      ['_', ['50%_off', '50x_off']],
      ["o'brien", ["O'Brien's Bakery"]],
      ["'; DROP TABLE things; --", []],
    ] as const) {
      const rows = await run({ text });
      expect(names(rows)).toEqual(want);
      expect(normalizeRows(rows)).toEqual(oracle({ text }));
    }
  });

  it('filters on property predicates by the value’s JSON type (a missing or other-typed property never matches)', async () => {
    for (const where of [
      [{ field: 'data.stage', value: 'seed' }],
      [{ field: 'data.employees', op: 'gte', value: 10 }],
      [{ field: 'data.employees', op: 'lte', value: 12 }],
      [{ field: 'data.public', op: 'ne', value: true }],
      [
        { field: 'data.stage', op: 'ne', value: 'seed' },
        { field: 'data.employees', op: 'gt', value: 1 },
      ],
    ]) {
      const rows = await run({ where, type: STARTUP });
      expect(normalizeRows(rows)).toEqual(oracle({ where, type: STARTUP }));
      expect(rows.length).toBeGreaterThan(0);
    }
    // 'The ACME Co' has employees "9", a string: a number predicate never matches it.
    expect(names(await run({ where: [{ field: 'data.employees', op: 'lt', value: 10 }] }))).toEqual([]);
    expect(names(await run({ where: [{ field: 'data.employees', value: '9' }] }))).toEqual(['The ACME Co']);
    expect(names(await run({ where: [{ field: 'data.public', op: 'ne', value: true }] }))).toEqual(['Acme']);
  });

  it('reads another branch when asked, and prunes on since', async () => {
    const branch = await run({ branch: 'experiment', text: 'acme' });
    expect(names(branch)).toEqual(['Acme Branch', 'Acme X']);
    const since = new Date(Date.parse('2026-11-20T00:00:00Z') + (10 * 1_000_123) / 1000);
    expect(normalizeRows(await run({ since }))).toEqual(oracle({ since }));
  });

  it('pages through every result with keyset cursors: the pages add up to the oracle’s full ranked list', async () => {
    const params = { type: WIDGET, limit: 5 };
    const pages: Record<string, unknown>[][] = [];
    let cursor: string | undefined;
    do {
      const page = await run({ ...params, ...(cursor ? { cursor } : {}) });
      pages.push(page);
      cursor = page.length === params.limit ? String(page.at(-1)!.cursor) : undefined;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    const all = searchAllOracle(things, searchThings.parseParams(params));
    expect(normalizeRows(pages.flat())).toEqual(normalizeRows(all));
    // Names repeat (Widget 00 twice): the id breaks the tie, so no row is skipped or repeated.
    expect(new Set(pages.flat().map((r) => r.id)).size).toBe(23);
  });
});

describe('search_things through a tenancy-filtered table reference', () => {
  it('answers only the namespaces the derived table lets through', async () => {
    const table = (name: string) =>
      sql`(SELECT * FROM ${sql.id('analytics', name)} WHERE ns IN ${['https://other.test']}) AS scoped`;
    const rows = (await registry.run(engine(), 'search_things', { text: 'acme' }, { table })).rows;
    expect(rows).toEqual([]);
    const mine = (name: string) =>
      sql`(SELECT * FROM ${sql.id('analytics', name)} WHERE ns IN ${[NS]}) AS scoped`;
    const same = (await registry.run(engine(), 'search_things', { text: 'acme' }, { table: mine })).rows;
    expect(normalizeRows(same)).toEqual(oracle({ text: 'acme' }));
  });
});

describe('search params are refused before any SQL reaches the engine', () => {
  const trap: ViewEngine = {
    query: () => {
      throw new Error('the engine was called');
    },
  };
  const cases: [unknown, string][] = [
    [{ text: '' }, 'text'],
    [{ text: 'x'.repeat(201) }, 'text'],
    [{ text: 42 }, 'text'],
    [{ text: 'a\u0000b' }, 'text'],
    [{ text: '\uD800' }, 'text'],
    [{ branch: 'x\u0000' }, 'branch'],
    [{ where: [{ field: 'data.n', value: '\u0000' }] }, 'where.0.value'],
    [{ cursor: encodeSearchCursor({ rank: 1, name: 'a\u0000', id: 'b' }) }, 'cursor'],
    [{ cursor: 'garbage!' }, 'cursor'],
    [{ cursor: "' OR 1=1 --" }, 'cursor'],
    [{ cursor: btoa('["x"]').replace(/=+$/, '') }, 'cursor'],
    [{ cursor: encodeSearchCursor({ rank: 9, name: 'a', id: 'b' }) }, 'cursor'],
    [{ fields: ["data.a') OR 1=1 --"] }, 'fields.0'],
    [{ fields: ['name'] }, 'fields.0'],
    [{ where: [{ field: 'data.n', op: 'gt', value: 'x' }] }, 'where.0.value'],
    [{ where: [{ field: 'data.n', op: 'like', value: 'x' }] }, 'where.0.op'],
    [{ where: [{ field: 'ts', value: 1 }] }, 'where.0.field'],
    [{ where: [{ field: 'data.n', value: { $gt: 1 } }] }, 'where.0.value'],
    [{ where: [{ field: 'data.n', value: 1, sql: 'TRUE' }] }, 'where.0.sql'],
    [{ limit: 5000 }, 'limit'],
    [{ limit: 1.5 }, 'limit'],
    [{ offset: 10 }, 'offset'],
    [{ type: 'not a url' }, 'type'],
    [{ type: 'https://x.test/\uDC00' }, 'type'],
    [{ branch: '' }, 'branch'],
    [{ since: 'last week' }, 'since'],
  ];
  it.each(cases)('%j → names %s', async (params, param) => {
    const error = await registry.run(trap, 'search_things', params).catch((e: unknown) => e);
    expect(isViewParamsError(error)).toBe(true);
    expect((error as { issues: { param: string }[] }).issues.map((i) => i.param)).toContain(param);
  });
});
