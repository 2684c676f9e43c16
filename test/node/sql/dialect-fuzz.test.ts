import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSqlProblem, toDuckDbSql } from '../../../sql/index.ts';

// Token soup from R2 SQL's and DuckDB's grammar: whatever the order, the dialect answers a translation
// or a structured problem, never an exception (which a server would answer 500), and quickly.
const WORDS = (
  'SELECT FROM WHERE GROUP BY ORDER HAVING LIMIT OFFSET WITH AS JOIN LEFT ON USING UNION ALL EXCEPT ' +
  'INTERSECT DISTINCT CASE WHEN THEN ELSE END NOT IN EXISTS IS NULL AND OR OVER PARTITION WITHIN WINDOW ' +
  'QUALIFY LATERAL DESCRIBE SHOW EXPLAIN FORMAT JSON CAST EXTRACT PLACING FOR count sum json_get_str ' +
  'date_bin approx_percentile_cont first_value overlay make_array initcap analytics events e x read_text'
).split(' ');
const SYMBOLS = [
  '(',
  ')',
  ',',
  '.',
  '*',
  '->',
  '->>',
  '::',
  '=',
  '-',
  ';',
  "'a'",
  '"q"',
  '1',
  '1.5',
  '[',
  ']',
];
const token = fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(...SYMBOLS));

describe('the dialect never throws', () => {
  it('on 3,000 random token sequences', () => {
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 40 }), (tokens) => {
        const sql = tokens.join(' ');
        const result = toDuckDbSql(sql);
        if (!result.ok) expect(isSqlProblem(result.problem)).toBe(true);
        else expect(typeof result.value.sql).toBe('string');
      }),
      { numRuns: 3_000 },
    );
  });

  it('on valid queries with a random part cut off or repeated', () => {
    const base =
      "WITH a AS (SELECT e.ns, count(DISTINCT e.id) AS n FROM analytics.events e WHERE json_get_str(e.data, 'k') = 'v' GROUP BY ROLLUP (e.ns)) SELECT overlay(ns PLACING 'x' FROM 1 FOR 2), percentile_cont(0.5) WITHIN GROUP (ORDER BY n) FROM a";
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(base.length), fc.nat(3), (from, to, times) => {
        const [a, b] = from < to ? [from, to] : [to, from];
        const sql = base.slice(0, a) + base.slice(a, b).repeat(times) + base.slice(b);
        const result = toDuckDbSql(sql);
        expect(result.ok || isSqlProblem(result.problem)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
