import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { eventRows, post, tempDir } from '../fixtures/events.ts';
import { REFUSED_PROBES } from './r2sql-refused-probes.ts';

const A = 'https://acme.startups.studio';
const B = 'https://beta.startups.studio';
let stack: LocalStack;
let remove: () => Promise<void>;
let url: string;

/** The rows as an independent reader (hyparquet) sees them in the Parquet files the stand-in reads. */
interface LakeRow {
  ns: string;
  seq: number;
  verb: string;
  target: string;
  id: string;
}
const lake: LakeRow[] = [];

const query = async (sql: string) => post(url, { query: sql });

beforeAll(async () => {
  const temp = await tempDir('dotdo-r2sql-conformance-');
  remove = temp.remove;
  stack = await startLocalStack({ dataDir: temp.dir, port: 0, pipelines: { rollIntervalMs: 3_600_000 } });
  url = `${stack.r2SqlUrl}/accounts/acct/r2-sql/query/lake`;
  expect((await post(`${stack.ingestUrl}/events`, eventRows(1, 300, A))).status).toBe(200);
  stack.pipelines.roll();
  expect((await post(`${stack.ingestUrl}/events`, eventRows(1, 200, B))).status).toBe(200);
  stack.pipelines.roll();
  const dir = join(temp.dir, 'r2', 'lake', 'events');
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.parquet'));
  expect(files.length).toBe(2);
  for (const file of files) {
    const bytes = await readFile(join(dir, file));
    const rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      compressors,
      utf8: true,
    });
    lake.push(
      ...rows.map((r) => ({ ns: r.ns, seq: Number(r.seq), verb: r.verb, target: r.target, id: r.id })),
    );
  }
});

afterAll(async () => {
  await stack?.close();
  await remove?.();
});

const distinct = <T>(values: T[]) => new Set(values).size;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const sampleVariance = (values: number[]) => {
  const mean = sum(values) / values.length;
  return sum(values.map((v) => (v - mean) ** 2)) / (values.length - 1);
};
const of = (ns: string) => lake.filter((r) => r.ns === ns);
const T = 'analytics.events';

type Rows = Record<string, unknown>[];
/** A query R2 SQL runs, and what its rows must be: a value, or a function of the lake's rows. */
const PROBES: [name: string, sql: string, expected: (rows: Rows) => void][] = [
  ['count(*)', `SELECT count(*) AS v FROM ${T}`, (r) => expect(r[0]!.v).toBe(lake.length)],
  ['COUNT(DISTINCT ns)', `SELECT COUNT(DISTINCT ns) AS v FROM ${T}`, (r) => expect(r[0]!.v).toBe(2)],
  [
    'COUNT(DISTINCT target)',
    `SELECT count(DISTINCT target) AS v FROM ${T}`,
    (r) => expect(r[0]!.v).toBe(distinct(lake.map((x) => x.target))),
  ],
  [
    'SUM(DISTINCT seq)',
    `SELECT SUM(DISTINCT seq) AS v FROM ${T}`,
    (r) => expect(r[0]!.v).toBe(sum([...new Set(lake.map((x) => x.seq))])),
  ],
  [
    'AVG(DISTINCT seq)',
    `SELECT AVG(DISTINCT seq) AS v FROM ${T}`,
    (r) =>
      expect(r[0]!.v).toBeCloseTo(
        sum([...new Set(lake.map((x) => x.seq))]) / distinct(lake.map((x) => x.seq)),
      ),
  ],
  [
    'approx_distinct',
    `SELECT approx_distinct(target) AS v FROM ${T}`,
    // HyperLogLog: an estimate, within 25% on this small a set.
    (r) => expect(Math.abs(Number(r[0]!.v) / distinct(lake.map((x) => x.target)) - 1)).toBeLessThan(0.25),
  ],
  [
    'MEDIAN',
    `SELECT MEDIAN(seq) AS v FROM ${T}`,
    (r) => expect(r[0]!.v).toBe(median(lake.map((x) => x.seq))),
  ],
  [
    'PERCENTILE_CONT WITHIN GROUP',
    `SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY seq) AS v FROM ${T} WHERE ns = '${A}'`,
    (r) => expect(r[0]!.v).toBe(median(of(A).map((x) => x.seq))),
  ],
  [
    'approx_median',
    `SELECT approx_median(seq) AS v FROM ${T}`,
    (r) => expect(Math.abs(Number(r[0]!.v) - median(lake.map((x) => x.seq)))).toBeLessThan(10),
  ],
  [
    'approx_percentile_cont',
    `SELECT approx_percentile_cont(seq, 0.9) AS v FROM ${T} WHERE ns = '${A}'`,
    (r) => expect(Math.abs(Number(r[0]!.v) - 270)).toBeLessThan(10),
  ],
  [
    'ARRAY_AGG(DISTINCT)',
    `SELECT ARRAY_AGG(DISTINCT verb ORDER BY verb) AS v FROM ${T}`,
    (r) => expect(r[0]!.v).toEqual([...new Set(lake.map((x) => x.verb))].sort()),
  ],
  [
    'STRING_AGG',
    `SELECT STRING_AGG(DISTINCT verb, ',' ORDER BY verb) AS v FROM ${T}`,
    (r) => expect(r[0]!.v).toBe([...new Set(lake.map((x) => x.verb))].sort().join(',')),
  ],
  [
    'min/max',
    `SELECT min(seq) AS lo, max(seq) AS hi FROM ${T}`,
    (r) => expect(r[0]).toEqual({ lo: 1, hi: 300 }),
  ],
  [
    'var/stddev',
    `SELECT var(seq) AS v, stddev(seq) AS s FROM ${T}`,
    (r) => {
      expect(r[0]!.v).toBeCloseTo(sampleVariance(lake.map((x) => x.seq)), 6);
      expect(r[0]!.s).toBeCloseTo(Math.sqrt(sampleVariance(lake.map((x) => x.seq))), 6);
    },
  ],
  ['corr', `SELECT round(corr(seq, seq * 2), 9) AS v FROM ${T}`, (r) => expect(r[0]!.v).toBe(1)],
  [
    'bool_and/bool_or',
    `SELECT bool_and(seq > 0) AS a, bool_or(seq > 299) AS o FROM ${T}`,
    (r) => expect(r[0]).toEqual({ a: true, o: true }),
  ],
  ['bit_or', `SELECT bit_or(seq) AS v FROM ${T} WHERE seq <= 4`, (r) => expect(r[0]!.v).toBe(7)],
  [
    'first_value ORDER BY',
    `SELECT first_value(verb ORDER BY seq) AS v FROM ${T}`,
    (r) => expect(r[0]!.v).toBe(lake.find((x) => x.seq === 1)!.verb),
  ],
  [
    'json_get_str',
    `SELECT json_get_str(data, 'name') AS v FROM ${T} WHERE ns = '${A}' AND seq = 7`,
    (r) => expect(r).toEqual([{ v: 'Acme 7' }]),
  ],
  [
    'json_get_int',
    `SELECT sum(json_get_int(data, 'seq')) AS v FROM ${T}`,
    (r) => expect(r[0]!.v).toBe(sum(lake.map((x) => x.seq))),
  ],
  [
    'json_get_float',
    `SELECT json_get_float(data, 'score') AS v FROM ${T} WHERE ns = '${A}' AND seq = 5`,
    (r) => expect(r).toEqual([{ v: 2.5 }]),
  ],
  [
    'json_get_bool',
    `SELECT count(*) AS v FROM ${T} WHERE json_get_bool(data, 'paid')`,
    (r) => expect(r[0]!.v).toBe(lake.filter((x) => x.seq % 2 === 0).length),
  ],
  [
    'json_length / json_get_array',
    `SELECT json_length(data, 'tags') AS n, json_get_array(data, 'tags') AS t FROM ${T} WHERE ns = '${A}' AND seq = 6`,
    (r) => expect(r).toEqual([{ n: 2, t: ['"a"', '"t2"'] }]),
  ],
  [
    'json_contains',
    `SELECT count(*) AS v FROM ${T} WHERE json_contains(data, 'name')`,
    (r) => expect(r[0]!.v).toBe(lake.length),
  ],
  [
    '->> binds to its operand',
    `SELECT count(*) AS v FROM ${T} WHERE seq > 0 AND data->>'name' LIKE 'Acme 1%'`,
    (r) => expect(r[0]!.v).toBe(lake.filter((x) => String(x.seq).startsWith('1')).length),
  ],
  [
    'nested json_get_*',
    `SELECT json_get_str(json_get_json(data, 'tags'), 1) AS v FROM ${T} WHERE ns = '${A}' AND seq = 5`,
    (r) => expect(r).toEqual([{ v: 't1' }]),
  ],
  [
    'initcap',
    `SELECT DISTINCT initcap(verb) AS v FROM ${T} ORDER BY v`,
    (r) => expect(r.map((x) => x.v)).toEqual(['Created', 'Updated']),
  ],
  [
    'sha256 / md5 / digest',
    `SELECT sha256(verb) AS s, md5(verb) AS m, digest(verb, 'sha256') AS d FROM ${T} WHERE ns = '${A}' AND seq = 3`,
    (r) => {
      expect(r[0]).toEqual({
        s: sha256('created'),
        m: createHash('md5').update('created').digest('hex'),
        d: sha256('created'),
      });
    },
  ],
  [
    'encode / decode',
    `SELECT encode(CAST(verb AS BYTEA), 'base64') AS e, CAST(decode(encode(CAST(verb AS BYTEA), 'base64'), 'base64') AS VARCHAR) AS d FROM ${T} WHERE ns = '${A}' AND seq = 3`,
    (r) => expect(r[0]).toEqual({ e: 'Y3JlYXRlZA', d: 'created' }),
  ],
  [
    'make_array / array_element / cardinality',
    'SELECT make_array(1, 2, 3) AS a, array_element(make_array(10, 20, 30), 2) AS e, cardinality(make_array(1, 2, 3)) AS c',
    (r) => expect(r[0]).toEqual({ a: [1, 2, 3], e: 20, c: 3 }),
  ],
  [
    'string functions',
    `SELECT upper(verb) AS u, split_part(target, '/', 3) AS host, concat_ws('-', verb, seq) AS c, character_length(verb) AS n FROM ${T} WHERE ns = '${A}' AND seq = 3`,
    (r) => expect(r[0]).toEqual({ u: 'CREATED', host: 'acme.startups.studio', c: 'created-3', n: 7 }),
  ],
  [
    'regexp_like / regexp_replace',
    `SELECT count(*) AS n, min(regexp_replace(verb, 'd$', 'D')) AS v FROM ${T} WHERE regexp_like(target, 'startup-[0-3]$')`,
    (r) =>
      expect(r[0]).toEqual({ n: lake.filter((x) => /startup-[0-3]$/.test(x.target)).length, v: 'createD' }),
  ],
  [
    'to_hex / coalesce / nvl / greatest',
    `SELECT to_hex(seq) AS h, coalesce(actor, 'none') AS a, nvl(branch, 'main') AS b, greatest(seq, 100) AS g FROM ${T} WHERE ns = '${A}' AND seq = 255`,
    (r) => expect(r[0]).toEqual({ h: 'ff', a: 'none', b: 'main', g: 255 }),
  ],
  [
    'date_bin / date_trunc',
    `SELECT count(DISTINCT date_bin(INTERVAL '1 minute', ts)) AS m, count(DISTINCT date_trunc('hour', ts)) AS h FROM ${T}`,
    (r) => {
      const minutes = distinct(lake.map((x) => Math.floor((1_764_000_000 + x.seq) / 60)));
      const hours = distinct(lake.map((x) => Math.floor((1_764_000_000 + x.seq) / 3600)));
      expect(r[0]).toEqual({ m: minutes, h: hours });
    },
  ],
  [
    'to_unixtime / to_timestamp_micros',
    `SELECT to_unixtime(ts) AS s, to_unixtime(to_timestamp_micros(1770000000000000)) AS t FROM ${T} WHERE ns = '${A}' AND seq = 1`,
    (r) => expect(r[0]).toEqual({ s: 1_764_000_001, t: 1_770_000_000 }),
  ],
  ['arrow_typeof', "SELECT arrow_typeof('a') AS v", (r) => expect(r[0]!.v).toBe('Utf8')],
  [
    'decimal literals are Float64',
    'SELECT 1.5 * 2 AS v, arrow_typeof(1.5) AS t',
    (r) => expect(r[0]).toEqual({ v: 3, t: 'Float64' }),
  ],
  [
    'CASE and aliases',
    `SELECT CASE WHEN seq % 2 = 0 THEN 'even' ELSE 'odd' END AS parity, count(*) AS n FROM ${T} GROUP BY 1 ORDER BY 1`,
    (r) =>
      expect(r).toEqual([
        { parity: 'even', n: lake.filter((x) => x.seq % 2 === 0).length },
        { parity: 'odd', n: lake.filter((x) => x.seq % 2 === 1).length },
      ]),
  ],
  [
    'GROUP BY / HAVING / ORDER BY',
    `SELECT verb, count(*) AS n FROM ${T} GROUP BY verb HAVING count(*) > 100 ORDER BY verb`,
    (r) =>
      expect(r).toEqual(
        [...new Set(lake.map((x) => x.verb))]
          .sort()
          .map((verb) => ({ verb, n: lake.filter((x) => x.verb === verb).length }))
          .filter((x) => x.n > 100),
      ),
  ],
  [
    'SELECT DISTINCT',
    `SELECT DISTINCT ns FROM ${T} ORDER BY ns`,
    (r) => expect(r).toEqual([{ ns: A }, { ns: B }]),
  ],
  [
    'DISTINCT ON',
    `SELECT DISTINCT ON (ns) ns, seq FROM ${T} ORDER BY ns, seq DESC`,
    (r) =>
      expect(r).toEqual([
        { ns: A, seq: 300 },
        { ns: B, seq: 200 },
      ]),
  ],
  [
    'window with ROWS frame',
    `SELECT seq, sum(seq) OVER (ORDER BY seq ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM ${T} WHERE ns = '${A}' ORDER BY seq LIMIT 3`,
    (r) =>
      expect(r).toEqual([
        { seq: 1, s: 1 },
        { seq: 2, s: 3 },
        { seq: 3, s: 5 },
      ]),
  ],
  [
    'window with RANGE frame',
    `SELECT seq, count(*) OVER (ORDER BY seq RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) AS c FROM ${T} WHERE ns = '${A}' ORDER BY seq LIMIT 3`,
    (r) => expect(r.map((x) => x.c)).toEqual([1, 2, 3]),
  ],
  [
    'QUALIFY',
    `SELECT ns, seq FROM ${T} QUALIFY row_number() OVER (PARTITION BY ns ORDER BY seq DESC) = 1 ORDER BY ns`,
    (r) =>
      expect(r).toEqual([
        { ns: A, seq: 300 },
        { ns: B, seq: 200 },
      ]),
  ],
  [
    'rank / lag',
    `SELECT seq, rank() OVER (ORDER BY seq) AS r, lag(seq) OVER (ORDER BY seq) AS p FROM ${T} WHERE ns = '${B}' ORDER BY seq LIMIT 2`,
    (r) =>
      expect(r).toEqual([
        { seq: 1, r: 1, p: null },
        { seq: 2, r: 2, p: 1 },
      ]),
  ],
  [
    'ROLLUP + grouping()',
    `SELECT ns, verb, grouping(verb) AS g, count(*) AS n FROM ${T} GROUP BY ROLLUP (ns, verb) ORDER BY ns NULLS LAST, verb NULLS LAST`,
    (r) => {
      expect(r.length).toBe(2 * 2 + 2 + 1);
      expect(r[r.length - 1]).toEqual({ ns: null, verb: null, g: 1, n: lake.length });
    },
  ],
  [
    'GROUPING SETS',
    `SELECT ns, verb, count(*) AS n FROM ${T} GROUP BY GROUPING SETS ((ns), (verb))`,
    (r) => expect(r.length).toBe(4),
  ],
  [
    'CUBE',
    `SELECT ns, verb, count(*) AS n FROM ${T} GROUP BY CUBE (ns, verb)`,
    (r) => expect(r.length).toBe(9),
  ],
  [
    'INNER JOIN',
    `SELECT count(*) AS n FROM ${T} a JOIN ${T} b ON a.id = b.id`,
    (r) => expect(r[0]!.n).toBe(lake.length),
  ],
  [
    'LEFT / RIGHT / FULL JOIN',
    `SELECT (SELECT count(b.id) FROM ${T} a LEFT JOIN ${T} b ON a.seq = b.seq AND b.ns = '${B}') AS l, (SELECT count(*) FROM ${T} a RIGHT JOIN ${T} b ON a.id = b.id) AS r, (SELECT count(*) FROM ${T} a FULL JOIN ${T} b ON a.id = b.id) AS f`,
    (r) =>
      expect(r[0]).toEqual({ l: lake.filter((x) => x.seq <= 200).length, r: lake.length, f: lake.length }),
  ],
  [
    'CROSS JOIN',
    `SELECT count(*) AS n FROM ${T} a CROSS JOIN ${T} b WHERE a.seq = 1 AND b.seq = 1`,
    (r) => expect(r[0]!.n).toBe(4),
  ],
  [
    'IN / EXISTS / scalar subquery',
    `SELECT count(*) AS n FROM ${T} e WHERE e.seq IN (SELECT seq FROM ${T} WHERE ns = '${B}') AND EXISTS (SELECT 1 FROM ${T} f WHERE f.id = e.id) AND e.seq <= (SELECT max(seq) FROM ${T})`,
    (r) => expect(r[0]!.n).toBe(lake.filter((x) => x.seq <= 200).length),
  ],
  [
    'derived table',
    `SELECT max(n) AS v FROM (SELECT ns, count(*) AS n FROM ${T} GROUP BY ns) t`,
    (r) => expect(r[0]!.v).toBe(300),
  ],
  [
    'multi-table CTE',
    `WITH a AS (SELECT id FROM ${T} WHERE ns = '${A}'), b AS (SELECT id FROM ${T} WHERE ns = '${B}') SELECT (SELECT count(*) FROM a) AS x, (SELECT count(*) FROM b) AS y`,
    (r) => expect(r[0]).toEqual({ x: of(A).length, y: of(B).length }),
  ],
  [
    'UNION / INTERSECT / EXCEPT',
    `SELECT (SELECT count(*) FROM (SELECT seq FROM ${T} WHERE ns = '${A}' UNION SELECT seq FROM ${T} WHERE ns = '${B}') u) AS u, (SELECT count(*) FROM (SELECT seq FROM ${T} WHERE ns = '${A}' INTERSECT SELECT seq FROM ${T} WHERE ns = '${B}') i) AS i, (SELECT count(*) FROM (SELECT seq FROM ${T} WHERE ns = '${A}' EXCEPT SELECT seq FROM ${T} WHERE ns = '${B}') x) AS x`,
    (r) => expect(r[0]).toEqual({ u: 300, i: 200, x: 100 }),
  ],
  [
    'NOT IN on a list',
    `SELECT count(*) AS n FROM ${T} WHERE verb NOT IN ('created')`,
    (r) => expect(r[0]!.n).toBe(lake.filter((x) => x.verb !== 'created').length),
  ],
  ['LIMIT 500 by default', `SELECT id FROM ${T} a`, (r) => expect(r.length).toBe(Math.min(500, lake.length))],
];

describe('R2 SQL conformance through the stand-in over HTTP (counts checked against hyparquet)', () => {
  it('reads the lake the probes are checked against', () => {
    expect(lake.length).toBe(500);
    expect(distinct(lake.map((r) => r.id))).toBe(500);
  });

  it.each(PROBES)('%s', async (_name, sql, check) => {
    const { status, body } = await query(sql);
    expect(body.errors, sql).toEqual([]);
    expect(status).toBe(200);
    check(body.result.rows);
  });

  it.each(REFUSED_PROBES)('refuses %s with %i', async (_name, code, sql, contains) => {
    const { status, body } = await query(sql);
    expect(status).toBe(400);
    expect(body).toMatchObject({ success: false, errors: [{ code }] });
    if (contains) expect(body.errors[0].message).toContain(contains);
  });

  it('names unaliased columns as R2 SQL does (count(*), sum(analytics.events.seq), Int64(1))', async () => {
    const { body } = await query(`SELECT count(*), sum(seq), verb, 1 FROM ${T} GROUP BY verb ORDER BY verb`);
    expect(body.result.schema.map((c: { name: string }) => c.name)).toEqual([
      'count(*)',
      'sum(analytics.events.seq)',
      'verb',
      'Int64(1)',
    ]);
    const aliased = await query(`SELECT count(e.id), max(e.seq) AS top FROM ${T} e`);
    expect(aliased.body.result.rows).toEqual([{ 'count(e.id)': lake.length, top: 300 }]);
  });

  it('answers EXPLAIN and EXPLAIN FORMAT JSON, SHOW TABLES and DESCRIBE', async () => {
    const plain = await query(`EXPLAIN SELECT count(*) FROM ${T}`);
    expect(plain.status).toBe(200);
    expect(plain.body.result.rows.length).toBeGreaterThan(0);
    const json = await query(`EXPLAIN FORMAT JSON SELECT verb, count(*) FROM ${T} GROUP BY verb`);
    expect(json.status).toBe(200);
    const plan = JSON.parse(String(Object.values(json.body.result.rows[0] as object).at(-1)));
    expect(Array.isArray(plan) || typeof plan === 'object').toBe(true);
    // ANALYZE runs the plan and reports it; with FORMAT JSON as JSON.
    const analyzed = await query(`EXPLAIN ANALYZE FORMAT JSON SELECT verb, count(*) FROM ${T} GROUP BY verb`);
    expect(analyzed.status).toBe(200);
    const profile = JSON.parse(String(Object.values(analyzed.body.result.rows[0] as object).at(-1)));
    expect(JSON.stringify(profile)).toContain('"latency"');
    const analyzedText = await query(`explain analyze format json SELECT count(*) FROM ${T}`);
    expect(analyzedText.status).toBe(200);
    expect((await query(`EXPLAIN ANALYZE SELECT count(*) FROM ${T}`)).status).toBe(200);
    const tables = await query('SHOW TABLES IN analytics');
    expect(tables.body.result.rows.map((r: { table_name: string }) => r.table_name)).toContain('events');
    const described = await query(`DESCRIBE ${T}`);
    expect(described.body.result.rows.map((r: { column_name: string }) => r.column_name)).toEqual(
      expect.arrayContaining(['id', 'ns', 'seq', 'verb', 'data']),
    );
  });
});
