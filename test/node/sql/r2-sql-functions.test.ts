import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkR2Sql,
  R2SQL_FUNCTION_LIST,
  R2SQL_SAMPLE_TABLE,
  type R2SqlFunction,
  toDuckDbSql,
} from '../../../sql/index.ts';

let connection: DuckDBConnection;
beforeAll(async () => {
  connection = await (await DuckDBInstance.create(':memory:')).connect();
  await connection.run(`SET TimeZone = 'UTC'`);
});
afterAll(() => connection?.closeSync());

/** The kind of value an Arrow type or a DuckDB type holds; integer widths are not compared. */
function kindOf(type: string): string {
  if (/^U?Int\d+$|^(U?TINYINT|U?SMALLINT|U?INTEGER|U?BIGINT|U?HUGEINT)$/.test(type)) return 'integer';
  if (/^Float\d+$|^(FLOAT|DOUBLE)$/.test(type)) return 'float';
  if (type === 'Utf8' || type === 'VARCHAR') return 'string';
  if (type === 'Boolean' || type === 'BOOLEAN') return 'boolean';
  if (type === 'Date32' || type === 'DATE') return 'date';
  if (type === 'Time64' || (type.startsWith('TIME') && !type.startsWith('TIMESTAMP'))) return 'time';
  if (type.startsWith('Timestamp') || type.startsWith('TIMESTAMP')) return 'timestamp';
  if (type === 'Binary' || type === 'BLOB') return 'binary';
  if (type === 'List' || type.endsWith('[]')) return 'list';
  if (type === 'Struct' || type.startsWith('STRUCT')) return 'struct';
  if (type === 'Map' || type.startsWith('MAP')) return 'map';
  if (type === 'Json' || type === 'JSON') return 'json';
  return `unknown ${type}`;
}

/** JSON values equal, numbers within 1e-9 (BIGINTs arrive as strings). */
function near(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number') {
    const n = typeof actual === 'string' ? Number(actual) : actual;
    return typeof n === 'number' && Math.abs(n - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(expected))
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, k) => near(actual[k], e))
    );
  if (expected && typeof expected === 'object')
    return (
      !!actual &&
      typeof actual === 'object' &&
      Object.keys(expected).length === Object.keys(actual).length &&
      Object.entries(expected).every(([k, e]) => near((actual as Record<string, unknown>)[k], e))
    );
  return actual === expected;
}

/** Runs an R2 SQL function's example: its checked value and the DuckDB type of the call itself. */
async function run(f: R2SqlFunction): Promise<{ value: unknown; type: string }> {
  const example = f.example!;
  const value = f.check ? f.check.replaceAll('$', () => `(${example})`) : example;
  const from = f.kind === 'scalar' ? '' : ` FROM ${R2SQL_SAMPLE_TABLE}`;
  const r2sql = `SELECT ${f.kind === 'window' ? 'x, ' : ''}${value} AS v, ${example} AS w${from}`;
  const translated = toDuckDbSql(r2sql, { defaultLimit: null });
  if (!translated.ok) throw new Error(`${f.name}: ${translated.problem.message}`);
  const sql = `SELECT v, typeof(w) AS t FROM (${translated.value.sql}) q${f.kind === 'window' ? ' ORDER BY x' : ''}`;
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
  const values = rows.map((r) => r.v);
  return { value: f.kind === 'window' ? values : values[0], type: String(rows[0]!.t) };
}

const runnable = R2SQL_FUNCTION_LIST.filter((f) => !f.gap && f.example);
const gaps = R2SQL_FUNCTION_LIST.filter((f) => f.gap);

describe("R2 SQL's function list", () => {
  it('covers the documented references, each name once', () => {
    const names = R2SQL_FUNCTION_LIST.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(R2SQL_FUNCTION_LIST.filter((f) => f.kind === 'scalar').length).toBeGreaterThanOrEqual(173);
    expect(R2SQL_FUNCTION_LIST.filter((f) => f.kind === 'aggregate').length).toBeGreaterThanOrEqual(33);
    expect(names).toEqual(
      expect.arrayContaining(['initcap', 'digest', 'make_array', 'array_element', 'date_bin']),
    );
    // Every function that is not a gap has an example, but grouping (it needs GROUP BY: see the probes).
    expect(R2SQL_FUNCTION_LIST.filter((f) => !f.gap && !f.example).map((f) => f.name)).toEqual(['grouping']);
  });

  it.each(runnable.map((f) => [f.name, f] as const))(
    '%s runs under its R2 SQL name with the checked result and type',
    async (_name, f) => {
      const { value, type } = await run(f);
      expect(near(value, f.expected), `${f.name} returned ${JSON.stringify(value)}`).toBe(true);
      expect(kindOf(type), `${f.name} returned a ${type}`).toBe(kindOf(f.localType ?? f.returns));
    },
  );

  it.each(gaps.map((f) => [f.name, f] as const))(
    '%s is a declared gap, refused with 40004 and its reason',
    (name, f) => {
      const problem = checkR2Sql(`SELECT ${name}(1)`);
      expect(problem).toMatchObject({ code: 40004, construct: name });
      expect(problem!.message).toContain(f.gap!.slice(0, 30));
    },
  );

  it.each([
    ['SELECT "read_text"(\'/etc/passwd\')', 'read_text'],
    ["SELECT READ_TEXT('/etc/passwd')", 'read_text'],
    ["SELECT main.read_csv('/etc/passwd')", 'main.read_csv'],
    ["SELECT system.main.read_blob('/etc/passwd')", 'system.main.read_blob'],
    ['SELECT "main"."getenv"(\'HOME\')', '"main"."getenv"'],
    ["SELECT 'abc'.upper()", "'abc'.upper"],
    ['SELECT duckdb_settings()', 'duckdb_settings'],
    ['SELECT list_transform([1], x -> x)', 'list_transform'],
    ['SELECT sha512(verb) FROM analytics.events', 'sha512'],
    ["SELECT digest(verb, 'sha512') FROM analytics.events", 'digest'],
  ])('refuses %s naming %s', (sql, construct) => {
    const result = toDuckDbSql(sql);
    expect(!result.ok && result.problem).toMatchObject({ code: 40004, construct });
  });
});
