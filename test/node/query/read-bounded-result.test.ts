import {
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBScalarFunction,
  StatementType,
  VARCHAR,
} from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBoundedResult } from '../../../query/duckdb/read-bounded-result.ts';
import { isQueryEngineError } from '../../../query/index.ts';
import { sql } from '../../../sql/index.ts';
import { tempDir } from '../fixtures/events.ts';

const BOUNDS = { timeoutMs: 5_000, maxResultBytes: 1 << 20 };

let connection: DuckDBConnection;
let dir: string;
let remove: () => Promise<void>;
let files: string[];
let binds = 0;

beforeAll(async () => {
  ({ dir, remove } = await tempDir('dotdo-bind-once-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  connection = await instance.connect();
  files = [join(dir, 'a.parquet'), join(dir, 'b.parquet')];
  for (const [i, file] of files.entries()) {
    await connection.run(
      sql`COPY (SELECT ${i} * 10 + range AS v FROM range(10)) TO ${file} (FORMAT parquet)`.text,
    );
  }
  await connection.run('CREATE TABLE t AS SELECT 1 AS a');
  // Counts every bind of a statement that names it: the planner calls a function's bind once per bind.
  connection.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: 'bind_probe',
      returnType: VARCHAR,
      bindFunction: () => {
        binds++;
      },
      mainFunction: (_info, input, output) => {
        for (let r = 0; r < input.rowCount; r++) output.setItem(r, 'probe');
        output.flush();
      },
    }),
  );
});

afterAll(async () => {
  connection?.closeSync();
  await remove?.();
});

const read = (text: string) => readBoundedResult<Record<string, unknown>>(connection, text, BOUNDS);

/** What the engine answered before it bound once: extract, prepare, check the bound type, run. */
async function preparedFirst(text: string): Promise<unknown> {
  const extracted = await connection.extractStatements(text);
  if (extracted.count !== 1) return `refused: found ${extracted.count}`;
  const prepared = await extracted.prepare(0);
  if (![StatementType.SELECT, StatementType.EXPLAIN].includes(prepared.statementType))
    return `refused: ${StatementType[prepared.statementType]}`;
  return (await prepared.runAndReadAll()).getRowObjectsJson();
}

/** The state every refused statement must leave as it was. */
async function state() {
  const reader = await connection.runAndReadAll(
    "SELECT (SELECT count(*) FROM t) AS rows, (SELECT count(*) FROM duckdb_tables()) AS tables, (SELECT count(*) FROM duckdb_views() WHERE NOT internal) AS views, (SELECT count(*) FROM duckdb_databases()) AS dbs, current_setting('threads') AS threads, current_setting('TimeZone') AS tz",
  );
  return reader.getRowObjectsJson()[0];
}

describe('readBoundedResult binds a statement once', () => {
  const scan = () => `SELECT bind_probe() AS p, count(*) AS n FROM read_parquet(['${files.join("', '")}'])`;

  it('a SELECT over many files is bound once (prepare-then-run binds it twice)', async () => {
    binds = 0;
    expect((await read(scan())).rows).toEqual([{ p: 'probe', n: 20 }]);
    expect(binds).toBe(1);
    // The control: the way this replaced binds the same statement again when it runs.
    binds = 0;
    await preparedFirst(scan());
    expect(binds).toBe(2);
  });

  it('a view of many files, a CTE and a FROM-first query are bound once too', async () => {
    await connection.run(
      `CREATE OR REPLACE VIEW lake AS SELECT * FROM read_parquet(['${files.join("', '")}'])`,
    );
    for (const text of [
      'SELECT bind_probe() AS p, max(v) AS m FROM lake',
      'WITH x AS (SELECT v FROM lake) SELECT bind_probe() AS p, max(v) AS m FROM x',
      'FROM lake SELECT bind_probe() AS p, max(v) AS m',
    ]) {
      binds = 0;
      expect((await read(text)).rows).toEqual([{ p: 'probe', m: 19 }]);
      expect(binds).toBe(1);
    }
  });
});

// Everything else must be refused before it runs, as before, with the same code and message.
const REFUSED: [text: string, message: RegExp][] = [
  ['SET threads = 1', /not a SET statement/],
  ['SET VARIABLE x = 1', /not a SET statement/],
  ['RESET threads', /only read-only/],
  ['PRAGMA threads = 1', /not a SET statement/],
  ["ATTACH '{dir}/x.db' AS x", /not a ATTACH statement/],
  ["COPY t TO '{dir}/copied.csv'", /not a COPY statement/],
  ["COPY (SELECT 1) TO '{dir}/copied.csv'", /not a COPY statement/],
  ["EXPORT DATABASE '{dir}/export'", /not a EXPORT statement/],
  ['INSTALL json', /not a LOAD statement/],
  ['LOAD json', /not a LOAD statement/],
  ['CREATE TABLE u AS SELECT 1 AS a', /not a CREATE statement/],
  ['CREATE OR REPLACE VIEW t2 AS SELECT 42 AS a', /not a CREATE statement/],
  ['CREATE MACRO m() AS 1', /not a CREATE statement/],
  ['INSERT INTO t VALUES (2)', /not a INSERT statement/],
  ['WITH x AS (SELECT 2 AS a) INSERT INTO t SELECT * FROM x', /not a INSERT statement/],
  ['UPDATE t SET a = 2', /not a UPDATE statement/],
  ['DELETE FROM t', /not a DELETE statement/],
  ['DROP TABLE t', /not a DROP statement/],
  ['ALTER TABLE t RENAME TO t3', /not a ALTER statement/],
  ['TRUNCATE t', /not a DELETE statement/],
  ['CALL pragma_version()', /not a CALL statement/],
  ['CHECKPOINT', /only read-only/],
  ['BEGIN TRANSACTION', /not a TRANSACTION statement/],
  ['USE memory', /only read-only/],
  ['PREPARE p AS SELECT 1', /not a PREPARE statement/],
  ['SELECT 1; DROP TABLE t', /found 2/],
  ['SELECT 1 AS one; SELECT 2 AS two', /found 2/],
  ["SELECT ';'; DROP TABLE t", /found 2/],
  ['SELECT $$;$$; DROP TABLE t', /found 2/],
  ['SELECT 1 /* ; */; DROP TABLE t', /found 2/],
  ['SELECT 1 -- ;\n; DROP TABLE t', /found 2/],
  ['SELECT 1 AS "a;b"; DROP TABLE t', /found 2/],
  ['/* SELECT */ DROP TABLE t', /not a DROP statement/],
  ['-- SELECT\nDROP TABLE t', /not a DROP statement/],
  ['(SELECT 1) ; DROP TABLE t', /found 2/],
  ["EXPLAIN ANALYZE SELECT ';' AS s; DROP TABLE t", /found 2/],
  ['SELECT 1) ; DROP TABLE t; SELECT * FROM (SELECT 2', /syntax error|Parser Error/],
];

// EXPLAIN ANALYZE runs what it explains: only a SELECT may follow an EXPLAIN.
const EXPLAIN_TAKES_SELECT = /EXPLAIN takes one SELECT/;
const EXPLAINED: string[] = [
  'EXPLAIN ANALYZE CREATE TABLE u AS SELECT 1 AS a',
  'EXPLAIN ANALYZE CREATE OR REPLACE VIEW t2 AS SELECT 42 AS a',
  "EXPLAIN ANALYZE COPY (SELECT 1) TO '{dir}/copied.csv'",
  'EXPLAIN ANALYZE INSERT INTO t VALUES (2)',
  'EXPLAIN ANALYSE DELETE FROM t',
  'EXPLAIN (ANALYZE) UPDATE t SET a = 2',
  'EXPLAIN (ANALYZE, FORMAT json) DROP TABLE t',
  'EXPLAIN\tANALYZE\nINSERT INTO t VALUES (3)',
  'explain analyze insert into t values (4)',
  'EXPLAIN /* SELECT */ ANALYZE INSERT INTO t VALUES (5)',
  'EXPLAIN ANALYZE /* SELECT */ INSERT INTO t VALUES (6)',
  'EXPLAIN ANALYZE WITH x AS (SELECT 7 AS a) INSERT INTO t SELECT * FROM x',
  'EXPLAIN ANALYZE (SELECT 1) UNION ALL SELECT 2',
  'EXPLAIN CREATE TABLE u AS SELECT 1 AS a',
];

/** Runs `template` (`{dir}` filled in), expects it refused with `message`, and the state unchanged. */
async function refusedWithoutEffect(template: string, message: RegExp): Promise<string> {
  const text = template.replaceAll('{dir}', dir);
  const before = await state();
  const error = await read(text).then(
    () => null,
    (e: unknown) => e,
  );
  expect(isQueryEngineError(error)).toBe(true);
  expect(String((error as Error).message)).toMatch(message);
  expect(await state()).toEqual(before);
  return text;
}

describe('readBoundedResult refuses the same statements, before they run', () => {
  it.each(REFUSED)('%s', async (template, message) => {
    const text = await refusedWithoutEffect(template, message);
    // Not 'export': the prepare-first way below creates it (DuckDB's binder of EXPORT DATABASE does).
    for (const name of ['x.db', 'copied.csv']) expect(existsSync(join(dir, name))).toBe(false);
    // Same refusal as the prepare-first way gave (or the same parser error).
    const old = await preparedFirst(text).catch((e: Error) => e.message);
    expect(String(old)).toMatch(/^refused|syntax error|Parser Error/);
  });

  it.each([
    "EXPORT DATABASE '{dir}/never'",
    "export database '{dir}/never' (FORMAT parquet)",
    "  ;; -- a comment\n/* one /* nested */ comment */ EXPORT DATABASE '{dir}/never'",
    "IMPORT DATABASE '{dir}'",
  ])('%s is refused by its first word, before its binder creates or reads anything', async (template) => {
    await refusedWithoutEffect(template, /only read-only queries run here, not a (EXPORT|IMPORT) statement/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it.each(['', '   ', ';', '-- only a comment', '/* a /* nested */ comment */ ;\n'])(
    '%j holds no statement and is refused as such',
    async (text) => {
      await refusedWithoutEffect(text, /expected exactly one statement, found none/);
    },
  );

  it.each(EXPLAINED)('%s', async (template) => {
    await refusedWithoutEffect(template, EXPLAIN_TAKES_SELECT);
    expect(existsSync(join(dir, 'copied.csv'))).toBe(false);
  });

  it('refuses an EXPLAIN of anything but one SELECT before binding what it wraps', async () => {
    binds = 0;
    await refusedWithoutEffect(
      'EXPLAIN ANALYZE CREATE TABLE probed AS SELECT bind_probe() AS p',
      EXPLAIN_TAKES_SELECT,
    );
    await refusedWithoutEffect('EXPLAIN INSERT INTO t SELECT length(bind_probe())', EXPLAIN_TAKES_SELECT);
    expect(binds).toBe(0);
    // One SELECT is explained, bound once.
    await read('EXPLAIN SELECT bind_probe() AS p');
    expect(binds).toBeGreaterThan(0);
  });

  it('a NUL byte ends the text for DuckDB, as before: the statement before it runs, nothing after', async () => {
    const before = await state();
    expect((await read('SELECT 7 AS n\0; DROP TABLE t')).rows).toEqual([{ n: 7 }]);
    expect(await state()).toEqual(before);
  });
});

// What parses as one SELECT (or is prepared as one) still runs, with the same answer as before.
const ANSWERED = [
  'SELECT 1 AS a',
  'SELECT 1 AS a;',
  ';SELECT 1 AS a;;',
  '  SELECT 1 AS a /* ; DROP TABLE t */',
  'SELECT 1 AS a -- ; DROP TABLE t',
  "SELECT ';' AS s",
  '(SELECT 1 AS a)',
  'SELECT 1 AS a UNION ALL SELECT 2 ORDER BY a',
  'WITH x AS (SELECT 1 AS a) SELECT * FROM x',
  'VALUES (1, 2)',
  'FROM t',
  'FROM range(3)',
  'DESCRIBE t',
  'SUMMARIZE t',
  'SHOW TABLES',
  'SHOW t',
  "PRAGMA table_info('t')",
  'EXPLAIN SELECT * FROM t',
  'EXPLAIN ANALYZE SELECT * FROM t',
  'EXPLAIN (FORMAT json) SELECT a FROM t',
  'EXPLAIN (ANALYZE, FORMAT json) SELECT a FROM t',
  'explain\nanalyse\tFROM t',
  "SELECT getvariable('nope') AS v",
];

describe('readBoundedResult answers what it answered before', () => {
  it.each(ANSWERED)('%s', async (text) => {
    const now = await read(text);
    const old = (await preparedFirst(text)) as Record<string, unknown>[];
    expect(Array.isArray(old)).toBe(true);
    expect(now.rows.length).toBe(old.length);
    // The prepared way read BIGINTs as strings; readBoundedResult answers them as numbers.
    const numbers = JSON.stringify(old, (_, v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v));
    if (!/^(EXPLAIN|SUMMARIZE)/i.test(text)) expect(JSON.stringify(now.rows)).toBe(numbers);
  });

  it.each([
    ['SELECT ?', /Values were not provided/],
    ['SELECT a FROM t WHERE a = $x', /Values were not provided/],
    ['SELECT * FROM nope', /Catalog Error: Table with name nope does not exist/],
    ['SELECT b FROM t', /Binder Error/],
    ['SELEC 1', /syntax error/],
  ])('fails %s with the same message as before', async (text, message) => {
    const error = (await read(text).catch((e: unknown) => e)) as Error;
    expect(isQueryEngineError(error)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('checks concurrent statements on one connection each on its own text', async () => {
    const texts = ['SELECT 1 AS a', 'DROP TABLE t', 'SELECT 2 AS a', 'SET threads = 1', 'SELECT 3 AS a'];
    const outcomes = await Promise.all(
      texts.map((text) =>
        read(text).then(
          (r) => r.rows,
          (e: Error) => e.message.slice(0, 24),
        ),
      ),
    );
    expect(outcomes).toEqual([
      [{ a: 1 }],
      'only read-only queries r',
      [{ a: 2 }],
      'only read-only queries r',
      [{ a: 3 }],
    ]);
  });
});
