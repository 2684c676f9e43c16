import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { checkR2Sql, isSqlProblem, toDuckDbSql, tokenizeSql } from '../../../sql/index.ts';
import { UNSUPPORTED } from '../fixtures/unsupported-sql.ts';

describe('checkR2Sql', () => {
  it.each(UNSUPPORTED)('refuses %s with 40004 naming %s and its position', (sql, construct, line, column) => {
    const problem = checkR2Sql(sql);
    expect(isSqlProblem(problem)).toBe(true);
    expect(problem).toMatchObject({ code: 40004, construct, position: { line, column } });
    expect(problem!.message).toContain(`line ${line}, column ${column}`);
  });

  it.each([
    ['SELEC * FROM analytics.events', 1, 1],
    ["SELECT 'unterminated FROM analytics.events", 1, 8],
    ['SELECT "unterminated FROM analytics.events', 1, 8],
    ['SELECT (1 + 2 FROM analytics.events', 1, 8],
    ['SELECT 1) FROM analytics.events', 1, 9],
    ['SELECT 1 /* never closed', 1, 10],
    ['', 1, 1],
  ])('answers %j with a syntax error (40003)', (sql, line, column) => {
    expect(checkR2Sql(sql)).toMatchObject({ code: 40003, position: { line, column } });
  });

  it.each([
    "SELECT 'OFFSET 5; DROP TABLE x' AS text",
    'SELECT "offset", "lateral" FROM analytics.events',
    'SELECT 1 -- OFFSET 5; DELETE FROM x\n',
    'SELECT 1 /* UNNEST(x) /* nested */ LATERAL */',
    "SELECT json_get_str(data, 'delete') FROM analytics.events;",
    'SELECT DISTINCT verb FROM analytics.events',
    'SELECT verb FROM analytics.events UNION SELECT verb FROM analytics.events LIMIT 3',
    'SELECT row_number() OVER (PARTITION BY ns ORDER BY seq) FROM analytics.events QUALIFY 1 = 1',
    'WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT * FROM b',
    'SHOW TABLES IN analytics',
    'SHOW TABLES FROM analytics',
    "SELECT count(DISTINCT ns), median(seq), string_agg(verb, ',') FROM analytics.events",
    'DESCRIBE analytics.events',
    'EXPLAIN SELECT count(*) FROM analytics.events',
    "SELECT e.data->>'name' FROM analytics.events e",
    "SELECT upper(replace(verb, 'd', 'D')) AS v, (comment IS NULL) AS c, (update_count + 1) FROM analytics.t",
  ])('accepts %j', (sql) => {
    expect(checkR2Sql(sql)).toBeNull();
  });
});

describe('tokenizeSql', () => {
  it('keeps literals, quoted identifiers and comments apart', () => {
    const tokens = tokenizeSql(`SELECT 'it''s' AS "a ""b""", E'x\\'y' -- c\n/* d */ FROM t`);
    expect(Array.isArray(tokens) && tokens.map((t) => [t.kind, t.value])).toEqual([
      ['word', 'SELECT'],
      ['string', "it's"],
      ['word', 'AS'],
      ['quoted', 'a "b"'],
      ['symbol', ','],
      ['string', "x'y"],
      ['word', 'FROM'],
      ['word', 'T'],
    ]);
  });
});

describe('toDuckDbSql', () => {
  it('appends LIMIT 500 only when the outermost query has none', () => {
    const plain = toDuckDbSql('SELECT id FROM analytics.events -- no limit');
    expect(plain.ok && plain.value).toMatchObject({ limitApplied: true });
    expect(plain.ok && plain.value.sql).toMatch(/\nLIMIT 500$/);
    const inner = toDuckDbSql('SELECT * FROM (SELECT id FROM analytics.events LIMIT 3) s');
    expect(inner.ok && inner.value.limitApplied).toBe(true);
    const outer = toDuckDbSql('WITH a AS (SELECT id FROM analytics.events) SELECT * FROM a LIMIT 9;');
    expect(outer.ok && outer.value).toMatchObject({ limitApplied: false });
    expect(outer.ok && outer.value.sql.endsWith('LIMIT 9')).toBe(true);
    const none = toDuckDbSql('SELECT 1', { defaultLimit: null });
    expect(none.ok && none.value.sql).toBe('SELECT 1 AS "Int64(1)"');
  });

  it('names the tables and columns a query reads', () => {
    const result = toDuckDbSql(
      'SELECT e.verb, count(*) FROM analytics.events e JOIN "analytics"."events" f ON e.id = f.id GROUP BY 1',
    );
    expect(result.ok && result.value.tables).toEqual([{ namespace: 'analytics', table: 'events' }]);
    expect(result.ok && result.value.selectsAll).toBe(false);
    expect(result.ok && [...result.value.identifiers]).toEqual(expect.arrayContaining(['verb', 'id']));
    const comma = toDuckDbSql('SELECT a.x, b.y FROM analytics.events a, analytics.actions b');
    expect(comma.ok && comma.value.tables.map((t) => t.table)).toEqual(['events', 'actions']);
    const star = toDuckDbSql('SELECT * FROM analytics.events');
    expect(star.ok && star.value.selectsAll).toBe(true);
  });

  it('rejects a wrong number of arguments to a mapped function with 40004', () => {
    const result = toDuckDbSql('SELECT approx_median(seq, 2) FROM analytics.events');
    expect(!result.ok && result.problem).toMatchObject({ code: 40004, construct: 'approx_median' });
  });

  // Each R2 SQL function, translated, run by DuckDB: the values R2 SQL (DataFusion) documents.
  const doc = `'{"name":"Acme","n":42,"f":1.5,"ok":true,"tags":["a","b"],"o":{"k":[10,{"deep":"x"}]},"a/b":"slash"}'`;
  it.each([
    [`json_get_str(${doc}, 'name')`, 'Acme'],
    [`json_get_str(${doc}, 'n')`, null],
    [`json_get_str(${doc}, 'o', 'k', 1, 'deep')`, 'x'],
    [`json_get_str(${doc}, 'a/b')`, 'slash'],
    [`json_get_int(${doc}, 'n')`, 42],
    [`json_get_int(${doc}, 'name')`, null],
    [`json_get_int(${doc}, 'o', 'k', 0)`, 10],
    [`json_get_float(${doc}, 'f')`, 1.5],
    [`json_get_float(${doc}, 'n')`, 42],
    [`json_get_bool(${doc}, 'ok')`, true],
    [`json_get_json(${doc}, 'o')`, '{"k":[10,{"deep":"x"}]}'],
    [`json_get_array(${doc}, 'tags')`, ['"a"', '"b"']],
    [`json_contains(${doc}, 'tags')`, true],
    [`json_contains(${doc}, 'nope')`, false],
    [`json_length(${doc}, 'tags')`, 2],
    [`json_length(${doc})`, 7],
    [`json_as_text(${doc}, 'n')`, '42'],
    [`json_as_text(${doc}, 'name')`, 'Acme'],
    [`${doc}->>'name'`, 'Acme'],
    [`to_timestamp_micros(1770000000000000)`, '2026-02-02 02:40:00'],
    [`from_unixtime(1770000000)`, '2026-02-02 02:40:00'],
    [`to_unixtime(TIMESTAMPTZ '2026-02-02 02:40:00+00')`, 1770000000],
    [`date_bin(INTERVAL '15 minutes', TIMESTAMPTZ '2024-01-01 18:18:18+00')`, '2024-01-01 18:15:00+00'],
    [`date_bin(INTERVAL '1 day', TIMESTAMPTZ '2024-01-05 18:18:18+00')`, '2024-01-05 00:00:00+00'],
    [`regexp_like('Engineering', '^[A-Z]')`, true],
    [`regexp_match('Sales North', '([A-Z][a-z]+) ([A-Z][a-z]+)')`, ['Sales', 'North']],
    [`regexp_match('abc', 'z')`, null],
    [`regexp_count('banana', 'a')`, 3],
    [`nvl(NULL, 'x')`, 'x'],
    [`nvl2(1, 'has', 'none')`, 'has'],
    [`signum(-4)`, -1],
  ])('%s → %j', async (expression, expected) => {
    const result = toDuckDbSql(`SELECT ${expression} AS v`);
    if (!result.ok) throw new Error(result.problem.message);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    const rows = (await connection.runAndReadAll(result.value.sql)).getRowObjectsJson();
    const value = rows[0]!.v;
    expect(typeof value === 'string' && typeof expected === 'number' ? Number(value) : value).toEqual(
      expected,
    );
  });

  it.each([
    ['SELECT approx_distinct(x) AS v FROM (VALUES (1), (2), (2)) t(x)', 2],
    ['SELECT approx_median(x) AS v FROM (VALUES (1), (2), (3)) t(x)', 2],
    ['SELECT approx_percentile_cont(x, 0.5) AS v FROM (VALUES (1), (2), (3)) t(x)', 2],
    ['SELECT approx_percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS v FROM (VALUES (1), (2), (3)) t(x)', 2],
    [
      'SELECT approx_percentile_cont(0.0) WITHIN GROUP (ORDER BY x DESC) AS v FROM (VALUES (1), (2), (3)) t(x)',
      3,
    ],
    ['SELECT bool_and(x) AS v FROM (VALUES (true), (false)) t(x)', false],
    ['SELECT bool_or(x) AS v FROM (VALUES (true), (false)) t(x)', true],
    ['SELECT first_value(x ORDER BY y DESC) AS v FROM (VALUES (1, 1), (2, 2)) t(x, y)', 2],
    ['SELECT last_value(x ORDER BY y DESC) AS v FROM (VALUES (1, 1), (2, 2)) t(x, y)', 1],
  ])('aggregate %s → %j', async (sql, expected) => {
    const result = toDuckDbSql(sql);
    if (!result.ok) throw new Error(result.problem.message);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const value = (await connection.runAndReadAll(result.value.sql)).getRowObjectsJson()[0]!.v;
    expect(typeof value === 'string' ? Number(value) : value).toEqual(expected);
  });
});

describe('result column names follow DataFusion', () => {
  const names = (sql: string) => {
    const result = toDuckDbSql(sql, { defaultLimit: null });
    if (!result.ok) throw new Error(result.problem.message);
    return [...result.value.sql.matchAll(/ AS "((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"'));
  };

  it.each([
    ['SELECT count(*) FROM analytics.events', ['count(*)']],
    ['SELECT COUNT(DISTINCT e.ns), SUM(seq) FROM analytics.events e', ['count(DISTINCT e.ns)', 'sum(e.seq)']],
    [
      'SELECT abs(c1) BETWEEN 0 AND log(c1 * 100) FROM analytics.t test',
      ['abs(test.c1) BETWEEN Int64(0) AND log(test.c1 * Int64(100))'],
    ],
    ["SELECT 1, 'a', 1.5, -2, TRUE", ['Int64(1)', 'Utf8("a")', 'Float64(1.5)', 'Int64(-2)', 'Boolean(true)']],
    ['SELECT seq + 1 FROM analytics.events', ['analytics.events.seq + Int64(1)']],
    ['SELECT a.seq + 1 FROM analytics.events a JOIN analytics.things b ON a.id = b.id', ['a.seq + Int64(1)']],
    ['SELECT seq, e.verb, count(*) AS n, max(seq) top, * FROM analytics.events e', []],
    [
      'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY seq) FROM analytics.events e',
      ['percentile_cont(Float64(0.5)) WITHIN GROUP (ORDER BY e.seq)'],
    ],
  ])('%s → %j', (sql, expected) => {
    expect(names(sql)).toEqual(expected);
  });

  it('names only the outermost select list, and can be turned off', () => {
    expect(names('SELECT n FROM (SELECT count(*) AS n FROM analytics.events) t')).toEqual([]);
    const off = toDuckDbSql('SELECT count(*) FROM analytics.events', { dataFusionNames: false });
    expect(off.ok && off.value.sql).not.toContain(' AS ');
  });
});

describe('a catalog of known tables', () => {
  const tables = [
    { namespace: 'analytics', table: 'events' },
    { namespace: 'analytics', table: 'things' },
  ];

  it('refuses a table the catalog does not hold, naming it and listing those it does', () => {
    const problem = checkR2Sql(
      'SELECT count(*) FROM analytics.events e JOIN analytics.nope n ON e.id = n.id',
      {
        tables,
      },
    );
    expect(problem).toMatchObject({ code: 40004, construct: 'analytics.nope', position: { column: 46 } });
    expect(problem!.message).toContain('analytics.events, analytics.things');
  });

  it('checks only tables, not CTE names, and resolves quoted names as written', () => {
    expect(
      checkR2Sql('WITH nope AS (SELECT id FROM analytics.events) SELECT * FROM nope', { tables }),
    ).toBeNull();
    expect(checkR2Sql('SELECT * FROM "analytics"."things"', { tables })).toBeNull();
    expect(checkR2Sql('SELECT * FROM "analytics"."Things"', { tables })).toMatchObject({ code: 40004 });
  });
});
