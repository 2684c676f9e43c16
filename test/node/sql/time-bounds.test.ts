import { describe, expect, it } from 'vitest';
import {
  analyzeR2Sql,
  type CheckedR2Sql,
  parseUtcTimestamp,
  mentionBounds,
  sql,
  tableOccurrences,
  timeBounds,
  toDuckDbSql,
} from '../../../sql/index.ts';

const DAY = 86_400_000_000n;
const T0 = 1_795_564_800_000_000n; // 2026-11-25T00:00:00Z
const lit = (us: bigint) => sql.timestamp(us).text;
const A = lit(T0);
const B = lit(T0 + DAY);

function checked(text: string): CheckedR2Sql {
  const result = analyzeR2Sql(text);
  if ('kind' in result) throw new Error(`${result.message}\n${text}`);
  return result;
}
const bounds = (text: string, column?: string) =>
  Object.fromEntries(
    [...timeBounds(checked(text), { column })].map(([k, b]) => [k, [b.min, b.max] as const]),
  );

describe('timeBounds: what bounds a table', () => {
  it('reads >=, >, <=, <, = and BETWEEN on TIMESTAMP literals, either side', () => {
    expect(bounds(`SELECT * FROM analytics.events WHERE ts >= ${A} AND ts < ${B}`)).toEqual({
      'analytics.events': [T0, T0 + DAY],
    });
    expect(bounds(`SELECT * FROM analytics.events WHERE ts > ${A}`)).toEqual({
      'analytics.events': [T0, null],
    });
    expect(bounds(`SELECT * FROM analytics.events WHERE ${B} >= ts`)).toEqual({
      'analytics.events': [null, T0 + DAY],
    });
    expect(bounds(`SELECT * FROM analytics.events WHERE ${A} < ts`)).toEqual({
      'analytics.events': [T0, null],
    });
    expect(bounds(`SELECT * FROM analytics.events WHERE ts = ${A}`)).toEqual({
      'analytics.events': [T0, T0],
    });
    expect(bounds(`SELECT * FROM analytics.events WHERE ts BETWEEN ${A} AND ${B} AND seq > 3`)).toEqual({
      'analytics.events': [T0, T0 + DAY],
    });
    expect(bounds(`SELECT * FROM analytics.events WHERE ts >= TIMESTAMPTZ '2026-11-25'`)).toEqual({
      'analytics.events': [T0, null],
    });
  });

  it('intersects several conjuncts, including parenthesized AND-lists', () => {
    const text = `SELECT * FROM analytics.events WHERE verb = 'x' AND (ts >= ${A} AND (ts <= ${B})) AND ts >= ${lit(T0 + 5n)}`;
    expect(bounds(text)).toEqual({ 'analytics.events': [T0 + 5n, T0 + DAY] });
  });

  it('accepts the alias, the table name or the full name as qualifier, and a quoted column', () => {
    expect(bounds(`SELECT * FROM analytics.events e WHERE e.ts >= ${A}`)).toEqual({
      'analytics.events': [T0, null],
    });
    expect(bounds(`SELECT * FROM analytics.events AS e WHERE "e"."TS" >= ${A}`)).toEqual({
      'analytics.events': [T0, null],
    });
    expect(bounds(`SELECT * FROM analytics.events WHERE events.ts >= ${A}`)).toEqual({
      'analytics.events': [T0, null],
    });
    // An alias hides the table's own name.
    expect(bounds(`SELECT * FROM analytics.events e WHERE events.ts >= ${A}`)).toEqual({});
  });

  it('bounds a table inside a derived table or a CTE, where the SELECT reads it', () => {
    const view = `SELECT count(*) FROM (SELECT DISTINCT ON (id) * FROM analytics.events WHERE ts >= ${A} AND ts < ${B} ORDER BY id, ts DESC) d`;
    expect(bounds(view)).toEqual({ 'analytics.events': [T0, T0 + DAY] });
    const cte = `WITH w AS (SELECT * FROM analytics.events WHERE ts >= ${A}) SELECT * FROM w JOIN analytics.things t ON t.id = w.target`;
    expect(bounds(cte)).toEqual({ 'analytics.events': [T0, null] });
  });

  it('takes the hull over every place a table is read', () => {
    const text = `SELECT * FROM analytics.events WHERE ts >= ${B} UNION ALL SELECT * FROM analytics.events WHERE ts BETWEEN ${A} AND ${lit(T0 + 5n)}`;
    expect(bounds(text)).toEqual({ 'analytics.events': [T0, null] });
  });

  it('uses only qualified predicates when the SELECT reads several relations', () => {
    const join = `SELECT * FROM analytics.events e JOIN analytics.things t ON t.id = e.target WHERE ts >= ${A} AND t.ts < ${B}`;
    expect(bounds(join)).toEqual({ 'analytics.things': [null, T0 + DAY] });
    const left = `SELECT * FROM analytics.things t LEFT JOIN analytics.events e ON e.target = t.id WHERE e.ts >= ${A}`;
    expect(bounds(left)).toEqual({ 'analytics.events': [T0, null] });
  });

  it('bounds another column when told', () => {
    expect(bounds(`SELECT * FROM analytics.things WHERE created_at >= ${A}`, 'created_at')).toEqual({
      'analytics.things': [T0, null],
    });
    expect(bounds(`SELECT * FROM analytics.things WHERE created_at >= ${A}`)).toEqual({});
  });
});

/** Each mention's `[key, min, max]`, or `[key, null]` when unbounded. */
const perMention = (text: string) =>
  mentionBounds(checked(text)).map((m) => (m.bound ? [m.key, m.bound.min, m.bound.max] : [m.key, null]));

describe('mentionBounds: a bound per FROM item', () => {
  const C = lit(T0 + 10n * DAY);
  const D = lit(T0 + 11n * DAY);

  it('bounds the sub-select of a refresh start query and leaves its row count unbounded', () => {
    const text = `SELECT "s"."oldest", "t"."rows" FROM (SELECT min("ts") AS "oldest" FROM "analytics"."events" WHERE "ts" >= ${A}) AS "s" CROSS JOIN (SELECT count(*) AS "rows" FROM "analytics"."events") AS "t"`;
    expect(perMention(text)).toEqual([
      ['analytics.events', T0, null],
      ['analytics.events', null],
    ]);
    // The table-level hull of the same query: unbounded, as before.
    expect(bounds(text)).toEqual({});
  });

  it('gives each side of a self-join its own range', () => {
    const text = `SELECT a.id FROM analytics.events a JOIN analytics.events b ON a.id = b.id WHERE a.ts >= ${A} AND a.ts < ${B} AND b.ts BETWEEN ${C} AND ${D}`;
    expect(perMention(text)).toEqual([
      ['analytics.events', T0, T0 + DAY],
      ['analytics.events', T0 + 10n * DAY, T0 + 11n * DAY],
    ]);
    expect(bounds(text)).toEqual({ 'analytics.events': [T0, T0 + 11n * DAY] });
  });

  it('gives each branch of a UNION its own range, in the order they are read', () => {
    const text = `SELECT id FROM analytics.events WHERE ts >= ${C} UNION ALL SELECT id FROM analytics.events WHERE ts < ${B} UNION ALL SELECT id FROM analytics.things`;
    expect(perMention(text)).toEqual([
      ['analytics.events', T0 + 10n * DAY, null],
      ['analytics.events', null, T0 + DAY],
      ['analytics.things', null],
    ]);
  });

  it('leaves every mention of a table unbounded when a column names it in three parts', () => {
    const threePart = `SELECT analytics.events.id FROM analytics.events WHERE ts >= ${A} UNION ALL SELECT id FROM analytics.events WHERE ts >= ${B}`;
    expect(perMention(threePart)).toEqual([
      ['analytics.events', null],
      ['analytics.events', null],
    ]);
  });

  it('bounds nothing in a statement other than SELECT', () => {
    expect(perMention(`EXPLAIN SELECT * FROM analytics.events WHERE ts >= ${A}`)).toEqual([
      ['analytics.events', null],
    ]);
  });
});

describe('timeBounds: no bound when unsure', () => {
  const none: [string, string][] = [
    ['an OR at the top', `SELECT * FROM analytics.events WHERE ts >= ${A} AND verb = 'a' OR verb = 'b'`],
    ['NOT', `SELECT * FROM analytics.events WHERE NOT ts >= ${A}`],
    ['NOT BETWEEN', `SELECT * FROM analytics.events WHERE ts NOT BETWEEN ${A} AND ${B}`],
    ['BETWEEN SYMMETRIC', `SELECT * FROM analytics.events WHERE ts BETWEEN SYMMETRIC ${B} AND ${A}`],
    ['a function of the column', `SELECT * FROM analytics.events WHERE date_trunc('day', ts) >= ${A}`],
    ['a cast of the column', `SELECT * FROM analytics.events WHERE ts::date >= DATE '2026-11-25'`],
    ['arithmetic on the literal', `SELECT * FROM analytics.events WHERE ts >= ${A} + INTERVAL '1 day'`],
    ['a comparison compared again', `SELECT * FROM analytics.events WHERE ts >= ${A} = false`],
    ['a string, not a timestamp', `SELECT * FROM analytics.events WHERE ts >= '2026-11-25'`],
    ['a non-UTC offset', `SELECT * FROM analytics.events WHERE ts >= TIMESTAMP '2026-11-25 00:00:00+02'`],
    ['an impossible date', `SELECT * FROM analytics.events WHERE ts >= TIMESTAMP '2026-02-30'`],
    [
      'a column from an outer query',
      `SELECT * FROM analytics.events o WHERE EXISTS (SELECT 1 FROM analytics.things t WHERE t.id = o.target) AND x.ts >= ${A}`,
    ],
    [
      'a correlated comparison',
      `SELECT * FROM analytics.things t WHERE EXISTS (SELECT 1 FROM analytics.events e WHERE e.ts >= t.ts)`,
    ],
    [
      'a predicate on a derived table’s output',
      `SELECT * FROM (SELECT DISTINCT ON (id) * FROM analytics.events ORDER BY id, ts DESC) d WHERE d.ts >= ${A}`,
    ],
    [
      'a predicate outside the CTE',
      `WITH w AS (SELECT * FROM analytics.events) SELECT * FROM w WHERE ts >= ${A}`,
    ],
    [
      'one read unbounded',
      `SELECT * FROM analytics.events WHERE ts >= ${A} UNION ALL SELECT * FROM analytics.events`,
    ],
    [
      'an unqualified column in a join',
      `SELECT * FROM analytics.events e, analytics.things t WHERE ts >= ${A}`,
    ],
    [
      'a select-list alias named like the column',
      `SELECT date_trunc('day', ts) AS ts FROM analytics.events WHERE ts >= ${A}`,
    ],
    ['a column named in three parts', `SELECT analytics.events.seq FROM analytics.events WHERE ts >= ${A}`],
    ['a predicate in HAVING', `SELECT verb FROM analytics.events GROUP BY verb HAVING max(ts) >= ${A}`],
    [
      'a predicate in a CASE',
      `SELECT * FROM analytics.events WHERE CASE WHEN verb = 'a' AND ts >= ${A} AND true THEN true ELSE true END`,
    ],
    [
      'a predicate in ON',
      `SELECT * FROM analytics.events e JOIN analytics.things t ON e.ts >= ${A} AND t.id = e.target`,
    ],
    [
      'an OR inside the only parenthesized conjunct',
      `SELECT * FROM analytics.events WHERE (ts >= ${A} OR verb = 'x')`,
    ],
    [
      'a scalar subquery compared',
      `SELECT * FROM analytics.events WHERE ts >= (SELECT max(ts) FROM analytics.things)`,
    ],
  ];
  it.each(none)('%s', (_name, text) => {
    expect(bounds(text)['analytics.events']).toBeUndefined();
  });

  it('no bound for statements other than SELECT', () => {
    expect(bounds('DESCRIBE analytics.events')).toEqual({});
    expect(bounds(`EXPLAIN SELECT * FROM analytics.events WHERE ts >= ${A}`)).toEqual({});
  });

  it('keeps the bound of a parenthesized conjunct beside an OR-ed one', () => {
    expect(bounds(`SELECT * FROM analytics.events WHERE (verb = 'a' OR verb = 'b') AND ts >= ${A}`)).toEqual({
      'analytics.events': [T0, null],
    });
  });
});

describe('parseUtcTimestamp', () => {
  it('reads dates and date-times in UTC, to the microsecond', () => {
    expect(parseUtcTimestamp('2026-11-25')).toEqual([T0, T0]);
    expect(parseUtcTimestamp('2026-11-25T00:00:00.000001Z')).toEqual([T0 + 1n, T0 + 1n]);
    expect(parseUtcTimestamp('2026-11-25 00:00:00.0000005+00:00')).toEqual([T0, T0 + 1n]);
    expect(parseUtcTimestamp('2026-11-25T00:00')).toEqual([T0, T0]);
  });
  it.each(['2026-13-01', '2026-11-25T24:00:00', 'now', '2026-11-25T00:00:00-05:00', '1600-01-01', ''])(
    'refuses %j',
    (text) => expect(parseUtcTimestamp(text)).toBeNull(),
  );
});

describe('table substitution in the translation', () => {
  it('emits each FROM item named by its start token as its own relation, keeping aliases', () => {
    const text = `SELECT e.seq FROM analytics.events e WHERE e.ts >= ${A} UNION ALL SELECT events.seq FROM analytics.events WHERE ts >= ${A}`;
    const [first, second] = tableOccurrences(checked(text));
    expect([first?.alias, second?.alias]).toEqual(['e', null]);
    const relations = new Map([
      [first!.start, 'SELECT 1 AS seq'],
      [second!.start, 'SELECT 2 AS seq'],
    ]);
    const result = toDuckDbSql(text, { relations });
    expect(result.ok && result.value.sql).toContain('FROM (SELECT 1 AS seq) e WHERE');
    expect(result.ok && result.value.sql).toContain('FROM (SELECT 2 AS seq) AS events WHERE');
    // Only the FROM items named are replaced; an index where no mention starts is ignored.
    const one = toDuckDbSql(text, {
      relations: new Map([
        [second!.start, 'SELECT 2 AS seq'],
        [0, 'x'],
      ]),
    });
    expect(one.ok && one.value.sql).toContain('FROM analytics.events e WHERE');
    expect(one.ok && one.value.sql).toContain('FROM (SELECT 2 AS seq) AS events WHERE');
  });

  it('carries the bounds in the translation, per mention and per table', () => {
    const result = toDuckDbSql(`SELECT count(*) FROM analytics.events WHERE ts >= ${A}`);
    const bound = { column: 'ts', min: T0, max: null };
    expect(result.ok && result.value.timeBounds.get('analytics.events')).toEqual(bound);
    expect(result.ok && result.value.mentions).toEqual([
      { key: 'analytics.events', start: 6, end: 8, alias: null, bound },
    ]);
  });
});

describe('hostile inputs stay linear', () => {
  const time = (text: string) => {
    const c = checked(text);
    const start = performance.now();
    timeBounds(c);
    return performance.now() - start;
  };
  it('many FROM items, many conjuncts, deep parentheses', () => {
    const items = Array.from({ length: 2000 }, (_, i) => `analytics.events e${i}`).join(', ');
    const conj = Array.from({ length: 2000 }, (_, i) => `e${i}.ts >= ${A}`).join(' AND ');
    const wide = `SELECT 1 FROM ${items} WHERE ${conj}`.slice(0, 100_000);
    const cut = wide.slice(0, wide.lastIndexOf(' AND '));
    const deep = `SELECT 1 FROM analytics.events WHERE ${'('.repeat(60)}ts >= ${A}${')'.repeat(60)}`;
    const cases = `SELECT 1 FROM analytics.events WHERE ${Array.from({ length: 3000 }, () => `CASE WHEN a AND b THEN 1 END = 1`).join(' AND ')}`;
    for (const text of [cut, deep, cases.slice(0, cases.lastIndexOf(' AND ', 99_000))]) {
      expect(time(text)).toBeLessThan(500);
    }
    expect(bounds(deep)).toEqual({ 'analytics.events': [T0, null] });
  });
});
