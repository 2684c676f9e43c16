import { describe, expect, it } from 'vitest';
import { toDuckDbSql } from '../../../sql/index.ts';

// The dialect check is the first layer under the R2 SQL stand-in (DuckDB's own external-access lock is
// the second): every way to reach a file or the engine's state through DuckDB SQL is refused here, with
// a structured problem naming what was refused.
const ESCAPES: string[] = [
  `SELECT * FROM "read_text"('/etc/passwd')`,
  `SELECT * FROM read_text('/etc/passwd')`,
  `SELECT * FROM READ_CSV_AUTO('/etc/passwd')`,
  `SELECT * FROM Main.READ_TEXT('/etc/passwd')`,
  `SELECT * FROM "main"."read_csv"('/etc/passwd')`,
  `SELECT * FROM system.main.read_csv('/etc/passwd')`,
  `SELECT "READ_TEXT"('/etc/passwd')`,
  `SELECT main.read_blob('/etc/passwd')`,
  `SELECT * FROM "/etc/passwd"`,
  `SELECT * FROM '/etc/passwd'`,
  `SELECT * FROM '/etc/*.conf'`,
  `SELECT * FROM analytics.events JOIN '/etc/passwd' ON true`,
  `SELECT * FROM analytics.events, '/etc/passwd'`,
  `SELECT * FROM analytics.events e JOIN analytics.events f ON true, "/etc/passwd"`,
  `WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x`,
  `SELECT * FROM (SELECT * FROM read_blob('/etc/passwd')) t`,
  `SELECT (SELECT content FROM read_text('/etc/passwd')) AS c`,
  `SELECT * FROM analytics.events WHERE id IN (SELECT content FROM read_text('/etc/passwd'))`,
  `SELECT id FROM analytics.events UNION ALL SELECT content FROM read_text('/etc/passwd')`,
  `SELECT * FROM (FROM read_text('/etc/passwd'))`,
  `FROM read_text('/etc/passwd')`,
  `DESCRIBE '/etc/passwd'`,
  `DESCRIBE read_csv('/etc/passwd')`,
  `DESCRIBE SELECT * FROM read_text('/etc/passwd')`,
  `SUMMARIZE '/etc/passwd'`,
  `EXPLAIN SELECT * FROM read_text('/etc/passwd')`,
  `SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')`,
  `SELECT * FROM query_table('analytics.events')`,
  `SELECT * FROM glob('/etc/*')`,
  `SELECT * FROM duckdb_settings()`,
  `SELECT * FROM duckdb_tables`,
  `SELECT * FROM information_schema.tables`,
  `SELECT * FROM "information_schema"."columns"`,
  `SELECT * FROM pg_catalog.pg_tables`,
  `SELECT * FROM sqlite_master`,
  `SELECT current_setting('home_directory')`,
  `SELECT getenv('HOME')`,
  `SELECT json_get_str(content, 'x') FROM read_json('/etc/x.json')`,
  `SELECT 'x'.read_text()`,
  `SET enable_external_access = true`,
  `RESET enable_external_access`,
  `PRAGMA database_list`,
  `CALL pragma_version()`,
  `ATTACH '/tmp/x.db' AS x`,
  `COPY analytics.events TO '/tmp/x.csv'`,
  `EXPORT DATABASE '/tmp/x'`,
  `INSTALL httpfs`,
  `LOAD httpfs`,
  `SELECT 1; SELECT * FROM read_text('/etc/passwd')`,
  `SELECT 1; ATTACH '/tmp/x.db'`,
];

describe('the dialect check refuses every file or engine-state read', () => {
  it('has at least 30 shapes', () => expect(ESCAPES.length).toBeGreaterThanOrEqual(30));

  it.each(ESCAPES)('%s', (sql) => {
    const result = toDuckDbSql(sql);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect([40003, 40004]).toContain(result.problem.code);
    expect(result.problem.message).toMatch(/\(at line \d+, column \d+\)$/);
    expect(result.problem.construct).toBeTruthy();
  });

  it.each([
    'SELECT count(*) FROM analytics.events',
    'SELECT e.id FROM "analytics"."events" e JOIN analytics.things t ON t.id = e.target',
    'WITH read_text AS (SELECT id FROM analytics.events) SELECT * FROM read_text',
    "SELECT extract(year FROM ts), trim(BOTH 'x' FROM verb), substring(verb FROM 1 FOR 2) FROM analytics.events",
    'SELECT CAST(seq AS DECIMAL(10, 2)), seq::BIGINT FROM analytics.events',
    'SELECT x FROM (VALUES (1), (2)) AS t(x)',
    'WITH a (n) AS (SELECT 1) SELECT n FROM a',
  ])('still accepts %s', (sql) => {
    const result = toDuckDbSql(sql);
    expect(result.ok ? null : result.problem.message).toBeNull();
  });
});
