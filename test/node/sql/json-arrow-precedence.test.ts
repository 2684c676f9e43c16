import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { toDuckDbSql } from '../../../sql/index.ts';

describe('JSON arrows bind to their operand, as in R2 SQL', () => {
  it('reads `a AND data->>k LIKE x` as `a AND ((data->>k) LIKE x)`', async () => {
    const sql = `SELECT count(*) AS n FROM analytics.t WHERE seq > 0 AND data->>'name' LIKE 'Acme%' AND data->'tags'->>0 = 'ai'`;
    const translated = toDuckDbSql(sql, { defaultLimit: null });
    if (!translated.ok) throw new Error(translated.problem.message);
    expect(translated.value.sql).toContain(`(data->>'name') LIKE`);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    await connection.run('CREATE SCHEMA analytics');
    await connection.run(`CREATE TABLE analytics.t AS SELECT * FROM (VALUES
      (1, '{"name":"Acme","tags":["ai"]}'::JSON), (2, '{"name":"Zeta","tags":["ai"]}'::JSON),
      (3, '{"name":"Acme Two","tags":["saas"]}'::JSON)) v(seq, data)`);
    const reader = await connection.runAndReadAll(translated.value.sql);
    expect(Number(reader.getRowObjects()[0]!.n)).toBe(1);
    connection.closeSync();
  });
});
