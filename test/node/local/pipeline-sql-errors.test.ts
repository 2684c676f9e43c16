import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPipelinesStandIn,
  PipelineSqlError,
  type PipelineSqlErrorKind,
} from '../../../local/pipelines/index.ts';
import { tempDir } from '../helpers.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir('dotdo-pipeline-sql-errors-'));
});
afterAll(() => remove());

/** A refused pipeline: its SQL, the construct named, the error kind, and the text the error points at. */
interface Refusal {
  sql: string;
  construct: string | RegExp;
  code: PipelineSqlErrorKind;
  at: string;
  message: RegExp;
}

const REFUSED: Record<string, Refusal> = {
  'GROUP BY': {
    sql: 'INSERT INTO audit_sink SELECT ns FROM events GROUP BY ns',
    construct: 'GROUP BY',
    code: 'unsupported',
    at: 'GROUP BY',
    message: /GROUP BY is not supported: pipelines are stateless/,
  },
  HAVING: {
    sql: 'INSERT INTO audit_sink SELECT ns FROM events HAVING ns IS NOT NULL',
    construct: 'HAVING',
    code: 'unsupported',
    at: 'HAVING',
    message: /HAVING is not supported/,
  },
  JOIN: {
    sql: 'INSERT INTO audit_sink SELECT e.id FROM events e\n  JOIN events f ON e.id = f.id',
    construct: 'JOIN',
    code: 'unsupported',
    at: 'JOIN',
    message: /joins are not supported/,
  },
  'comma join': {
    sql: 'INSERT INTO audit_sink SELECT id FROM events, events',
    construct: 'JOIN',
    code: 'unsupported',
    at: ', events',
    message: /joins are not supported/,
  },
  'window (OVER)': {
    sql: 'INSERT INTO audit_sink SELECT id, first_value(id) OVER (PARTITION BY ns) AS hash FROM events',
    construct: 'aggregate',
    code: 'unsupported',
    at: 'first_value',
    message: /first_value\(\) is an aggregate/,
  },
  'window function': {
    sql: 'INSERT INTO audit_sink SELECT id, row_number() OVER (ORDER BY seq) AS seq FROM events',
    construct: 'window function',
    code: 'unsupported',
    at: 'row_number',
    message: /row_number\(\) is a window function/,
  },
  OVER: {
    sql: 'INSERT INTO audit_sink SELECT id, lower(ns) OVER (PARTITION BY ns) AS ns FROM events',
    construct: 'window function (OVER)',
    code: 'unsupported',
    at: 'OVER',
    message: /window functions are not supported/,
  },
  aggregate: {
    sql: 'INSERT INTO audit_sink SELECT count(*) AS seq FROM events',
    construct: 'aggregate',
    code: 'unsupported',
    at: 'count',
    message: /count\(\) is an aggregate, not supported/,
  },
  'ORDER BY': {
    sql: 'INSERT INTO audit_sink SELECT id FROM events WHERE seq > 1 ORDER BY seq',
    construct: 'ORDER BY',
    code: 'unsupported',
    at: 'ORDER BY',
    message: /ORDER BY is not supported/,
  },
  LIMIT: {
    sql: 'INSERT INTO audit_sink SELECT id FROM events LIMIT 10',
    construct: 'LIMIT',
    code: 'unsupported',
    at: 'LIMIT',
    message: /LIMIT is not supported/,
  },
  DISTINCT: {
    sql: 'INSERT INTO audit_sink SELECT DISTINCT ns FROM events',
    construct: 'DISTINCT',
    code: 'unsupported',
    at: 'DISTINCT',
    message: /DISTINCT is not supported/,
  },
  UNION: {
    sql: 'INSERT INTO audit_sink SELECT id FROM events UNION ALL SELECT id FROM events',
    construct: 'UNION',
    code: 'unsupported',
    at: 'UNION',
    message: /set operations \(UNION\)/,
  },
  subquery: {
    sql: 'INSERT INTO audit_sink SELECT id FROM events WHERE seq > (SELECT 1)',
    construct: 'subquery',
    code: 'unsupported',
    at: 'SELECT 1',
    message: /subqueries are not supported/,
  },
  'subquery in FROM': {
    sql: 'INSERT INTO audit_sink SELECT id FROM (SELECT * FROM events)',
    construct: 'subquery',
    code: 'unsupported',
    at: 'SELECT *',
    message: /subqueries are not supported/,
  },
  'unknown sink': {
    sql: 'INSERT INTO nowhere SELECT id FROM events',
    construct: 'nowhere',
    code: 'unknown-sink',
    at: 'nowhere',
    message: /unknown sink "nowhere"; sinks: audit_sink/,
  },
  'unknown stream': {
    sql: 'INSERT INTO audit_sink SELECT id FROM clicks',
    construct: 'clicks',
    code: 'unknown-stream',
    at: 'clicks',
    message: /unknown stream "clicks"; streams: events/,
  },
  'unknown column': {
    sql: "INSERT INTO audit_sink SELECT id, colour FROM events WHERE ns = 'x'",
    construct: 'colour',
    code: 'unknown-column',
    at: 'colour',
    message: /unknown column "colour": stream "events" has no such column/,
  },
  'column not in the sink table': {
    sql: "INSERT INTO audit_sink SELECT id, json_get_str(data, 'name') AS title FROM events",
    construct: 'title',
    code: 'unknown-column',
    at: 'title FROM',
    message: /produces "title", which is not a column of sink "audit_sink"/,
  },
  'unknown function': {
    sql: 'INSERT INTO audit_sink SELECT id, frobnicate(ns) AS ns FROM events',
    construct: 'frobnicate',
    code: 'unsupported',
    at: 'frobnicate',
    message: /unknown function frobnicate\(\)/,
  },
  'not an INSERT': {
    sql: 'SELECT id FROM events',
    construct: 'SELECT',
    code: 'syntax',
    at: 'SELECT',
    message: /expected INSERT INTO: a pipeline statement is INSERT INTO <sink> SELECT/,
  },
  // The platform unnests one array per SELECT; the R2 SQL dialect this stand-in translates with refuses it.
  'UNNEST (not in the local stand-in)': {
    sql: "INSERT INTO audit_sink SELECT UNNEST(['a', 'b']) AS hash FROM events",
    construct: 'UNNEST',
    code: 'unsupported',
    at: 'UNNEST',
    message: /UNNEST is not supported/,
  },
  'an engine function': {
    sql: "INSERT INTO audit_sink SELECT id FROM events WHERE read_text('/etc/passwd') IS NULL",
    construct: 'read_text',
    code: 'unsupported',
    at: 'read_text',
    message: /unknown function read_text\(\)/,
  },
};

describe('Pipeline SQL refused at construction', () => {
  it.each(Object.entries(REFUSED))('%s', (_, refusal) => {
    const sql = `-- routed\n${refusal.sql}`;
    let error: unknown;
    try {
      createPipelinesStandIn({
        dataDir: dir,
        sinks: { audit_sink: { kind: 'r2', schema: 'events' } },
        pipelines: [{ name: 'audit', sql }],
      }).close();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PipelineSqlError);
    const e = error as PipelineSqlError;
    const offset = sql.indexOf(refusal.at);
    const before = sql.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    expect({ code: e.code, pipeline: e.pipeline, line: e.position.line, column: e.position.column }).toEqual({
      code: refusal.code,
      pipeline: 'audit',
      line,
      column,
    });
    expect(e.construct).toMatch(refusal.construct);
    expect(e.message).toMatch(refusal.message);
    expect(e.message).toMatch(
      new RegExp(`^pipeline "audit": .* \\(at line ${line}, column ${column}\\)$`, 's'),
    );
  });

  it('names the statement that fails among several', () => {
    const sql =
      'INSERT INTO audit_sink SELECT id FROM events;\nINSERT INTO b_sink SELECT ns, max(seq) AS seq FROM events GROUP BY ns;';
    expect(() =>
      createPipelinesStandIn({
        dataDir: dir,
        sinks: { audit_sink: { kind: 'r2', schema: 'events' }, b_sink: { kind: 'r2', schema: 'events' } },
        pipelines: [{ name: 'route', sql }],
      }),
    ).toThrow(/^pipeline "route": max\(\) is an aggregate, not supported: .* \(at line 2, column 31\)$/);
  });

  it('refuses two sinks that write to the same place, and a sink fed twice', () => {
    expect(() =>
      createPipelinesStandIn({
        dataDir: dir,
        sinks: { a_sink: { kind: 'r2', schema: 'events', path: 'events' } },
        pipelines: [{ name: 'a', sql: 'INSERT INTO a_sink SELECT * FROM events' }],
        streams: { events: { table: 'events' }, things: { table: 'events' } },
      }),
    ).toThrow(/sinks "a_sink" and "things_sink" both write to r2 prefix "events\/"/);
    expect(() =>
      createPipelinesStandIn({
        dataDir: dir,
        sinks: { a_sink: { kind: 'r2', schema: 'events' } },
        pipelines: [
          { name: 'a', sql: 'INSERT INTO a_sink SELECT * FROM events' },
          { name: 'b', sql: 'INSERT INTO a_sink SELECT * FROM events' },
        ],
      }),
    ).toThrow(/pipeline "b": sink "a_sink" is already fed by pipeline "a"/);
  });
});
