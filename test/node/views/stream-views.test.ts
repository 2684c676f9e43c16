import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { pipelinesConfig } from '../../../local/pipelines/pipelines-config.ts';
import { namespacePattern, tenantTables } from '../../../query/api/namespace-scope.ts';
import { createStreamOutputs, withStreamViews } from '../../../local/pipelines/transforms/index.ts';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { createR2SqlEngine, type QueryEngine, withR2SqlDialect } from '../../../query/index.ts';
import { col, type EventRow } from '../../../schemas/index.ts';
import { sql } from '../../../sql/index.ts';
import { createViewRegistry, defineStreamView, type StreamView } from '../../../views/index.ts';
import { compareRows, type Row } from './normalize-rows.ts';
import { dedupeById, microsToIso } from './oracle-helpers.ts';
import { generateWorkload } from './workload.ts';
import { requestBodies } from './workload-lake.ts';

// Filters on three columns, copies with a rename, casts (int64 → text, float → int64, a double
// division), JSON fields pulled out of two json columns, and a boolean computed per record.
const slowOrFailed = defineStreamView({
  name: 'slow_or_failed',
  description: 'failed, slow, deleted or paid actions',
  from: 'events',
  select: {
    ts: 'ts',
    verb: 'verb',
    who: 'actor',
    status: 'status',
    seq: 'seq',
    seq_text: { sql: sql`CAST(seq AS VARCHAR)`, type: col.string() },
    seconds: { sql: sql`CAST(duration_ms AS DOUBLE) / 1000.0`, type: col.float64().nullable() },
    whole_ms: { sql: sql`CAST(floor(duration_ms) AS BIGINT)`, type: col.int64().nullable() },
    error_message: { sql: sql`json_get_str(error, 'message')`, type: col.string().nullable() },
    role: { sql: sql`json_get_str(data, 'role')`, type: col.string().nullable() },
    on_main: { sql: sql`branch IS NULL`, type: col.bool() },
  },
  where: sql`status = 'failed' OR duration_ms > 10 OR verb IN ('deleted', 'paid')`,
});

/** The same view in plain TypeScript over the rows as delivered: the independent answer. */
function oracle(rows: readonly EventRow[]): (Row & { id: string })[] {
  const field = (json: unknown, key: string): string | null => {
    const value = json && typeof json === 'object' ? (json as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' ? value : null;
  };
  return rows
    .filter(
      (e) => e.status === 'failed' || (e.duration_ms ?? 0) > 10 || e.verb === 'deleted' || e.verb === 'paid',
    )
    .map((e) => ({
      id: e.id,
      ns: e.ns,
      ts: microsToIso(e.ts),
      verb: e.verb,
      who: e.actor ?? null,
      status: e.status,
      seq: Number(e.seq),
      seq_text: String(e.seq),
      seconds: e.duration_ms == null ? null : e.duration_ms / 1000,
      whole_ms: e.duration_ms == null ? null : Math.floor(e.duration_ms),
      error_message: field(e.error, 'message'),
      role: field(e.data, 'role'),
      on_main: e.branch == null,
    }));
}

const byTsThenId = (a: Row, b: Row) =>
  String(a.ts).localeCompare(String(b.ts)) || String(a.id).localeCompare(String(b.id));

describe('a stream view on the Pipelines stand-in', () => {
  const workload = generateWorkload({ events: 2000, namespaces: 5, days: 3, duplicates: 0.05, seed: 5 });
  let dir: string;
  let stack: LocalStack;
  let duckdb: QueryEngine;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dotdo-stream-views-'));
    stack = await startLocalStack({
      dataDir: dir,
      port: 0,
      streamViews: [slowOrFailed],
      pipelines: { rollIntervalMs: 3_600_000, rollRows: 10_000_000 },
    });
    for (const batch of workload.batches) {
      for (const body of requestBodies(batch)) {
        const response = await fetch(`${stack.ingestUrl}/events`, { method: 'POST', body });
        expect(response.status, await response.text()).toBe(200);
      }
      await stack.pipelines.rollAsync('events');
    }
    duckdb = withR2SqlDialect(await createDuckDbEngine({ lake: stack.pipelines.bucketDir }));
  }, 60_000);

  afterAll(async () => {
    await duckdb?.close?.();
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lands every delivery in its own table: exactly the rows its SQL yields over the raw events', async () => {
    const expected = oracle(workload.delivered);
    const duplicated = expected.length - new Set(expected.map((r) => r.id)).size;
    expect(duplicated, 'the workload delivers some selected rows twice').toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(workload.delivered.length);

    const landed = await duckdb.query(`SELECT * FROM analytics.${slowOrFailed.table} LIMIT 100000`);
    const sink = compareRows(landed.rows, expected, 'unordered');
    expect(sink.differences).toEqual([]);
    // The lake's events table lands every delivery too: the view's SELECT over it is the same multiset.
    const raw = await duckdb.query(
      slowOrFailed.pipeline.sql
        .replace(/^INSERT INTO \w+ /, '')
        .replace(' FROM events ', ' FROM analytics.events ')
        .concat(' LIMIT 100000'),
    );
    expect(compareRows(raw.rows, expected, 'unordered').differences).toEqual([]);
  });

  it('reads deduplicated on id, the same rows as the view computed from raw events, on both engines', async () => {
    const expected = dedupeById(oracle(workload.delivered)).sort(byTsThenId);
    const registry = createViewRegistry([slowOrFailed, slowOrFailed.overRaw]);
    const params = { limit: 10_000 };
    const fromSink = await registry.run(duckdb, 'slow_or_failed', params);
    const fromRaw = await registry.run(duckdb, 'slow_or_failed_raw', params);
    expect(compareRows(fromSink.rows, expected).differences).toEqual([]);
    expect(compareRows(fromRaw.rows, expected).differences).toEqual([]);

    const r2sql = createR2SqlEngine({
      accountId: 'acct',
      bucket: 'lake',
      token: 'unused',
      endpoint: stack.url,
    });
    const overHttp = await registry.run(r2sql, 'slow_or_failed', params);
    expect(compareRows(overHttp.rows, expected).differences).toEqual([]);

    // Bounded reads: one namespace and one day, both ways.
    const ns = workload.namespaces[0]!;
    const since = new Date(workload.from.getTime() + 86_400_000);
    const until = new Date(since.getTime() + 86_400_000);
    const bounded = { ns, since: since.toISOString(), until: until.toISOString(), limit: 10_000 };
    const inRange = expected.filter(
      (r) =>
        r.ns === ns &&
        String(r.ts) >= microsToIso(since.getTime() * 1000) &&
        String(r.ts) < microsToIso(until.getTime() * 1000),
    );
    expect(inRange.length).toBeGreaterThan(0);
    const sinkBounded = await registry.run(duckdb, 'slow_or_failed', bounded);
    const rawBounded = await registry.run(duckdb, 'slow_or_failed_raw', bounded);
    expect(compareRows(sinkBounded.rows, inRange).differences).toEqual([]);
    expect(compareRows(rawBounded.rows, inRange).differences).toEqual([]);
  });
});

describe('a stream view under tenancy', () => {
  it('renders over the namespace-filtered table the query API passes, so a token sees only its rows', () => {
    const ns = 'https://acme.startups.studio';
    const rendered = slowOrFailed.render({}, { table: tenantTables([namespacePattern.parse(ns)]) });
    expect(rendered.sql).toContain(
      `FROM (SELECT * FROM "analytics"."slow_or_failed_v1" WHERE ns IN ('${ns}'))`,
    );
    const raw = slowOrFailed.overRaw.render({}, { table: tenantTables([namespacePattern.parse(ns)]) });
    expect(raw.sql).toContain(`FROM (SELECT * FROM "analytics"."events" WHERE ns IN ('${ns}'))`);
  });
});

describe('defineStreamView refuses what a stateless pipeline cannot run', () => {
  const attempt = (config: Partial<Parameters<typeof defineStreamView>[0]>) => {
    try {
      defineStreamView({
        name: 'bad',
        description: 'x',
        from: 'events',
        select: { verb: 'verb' },
        ...config,
      });
    } catch (error) {
      return error as Error & { construct?: string; code?: string };
    }
    throw new Error('defined');
  };

  it.each([
    ['GROUP BY', { where: sql`status = 'failed' GROUP BY ns` }],
    ['JOIN', { where: sql`TRUE JOIN things USING (id)` }],
    [
      'window function',
      { select: { n: { sql: sql`row_number() OVER (PARTITION BY ns)`, type: col.int64() } } },
    ],
    [
      'window function (OVER)',
      { select: { n: { sql: sql`sum(seq) OVER (PARTITION BY ns)`, type: col.int64() } } },
    ],
    ['aggregate', { select: { n: { sql: sql`count(*)`, type: col.int64() } } }],
    ['subquery', { where: sql`ns IN (SELECT ns FROM things)` }],
    ['DISTINCT', { select: { n: { sql: sql`DISTINCT verb`, type: col.string() } } }],
  ] as const)('%s', (construct, config) => {
    const error = attempt(config as never);
    expect(error.name).toBe('StreamViewError');
    expect(error.code).toBe('invalid_view');
    if (construct === 'window function (OVER)') expect(error.construct).toMatch(/aggregate|window/);
    else expect(error.construct).toBe(construct);
    expect(error.message).toMatch(/^view bad@1: pipeline "bad_v1_pipeline": .*\(at line 1, column \d+\)$/);
  });

  it('names a bad stream, a bad column, an untyped expression and a non-timestamp time column', () => {
    expect(attempt({ from: 'nope' }).message).toMatch(/"nope" is not a stream of the lake; streams: events/);
    expect(attempt({ select: { v: 'no_such' } }).message).toMatch(/select\.v: "no_such" is not a column/);
    expect(attempt({ select: { v: { sql: sql`1`, type: {} as never } } }).message).toMatch(/col\.\*/);
    expect(attempt({ select: { Bad: 'verb' } }).message).toMatch(/lower-case identifier/);
    expect(attempt({ time: 'verb' }).message).toMatch(/not a timestamp column/);
    expect(attempt({ version: 0 }).message).toMatch(/positive integer/);
  });

  it('is a view a registry holds, and its params are validated', () => {
    const view: StreamView = slowOrFailed;
    expect(view.kind).toBe('stream');
    expect(createViewRegistry([view]).require('slow_or_failed').key).toBe('slow_or_failed@1');
    expect(() => view.render({ limit: 0 })).toThrow(/limit/);
    expect(() => view.render({ ns: 'not a url' })).toThrow(/ns/);
    expect(view.sink.schema.fields.find((f) => f.name === 'whole_ms')).toMatchObject({ type: 'int64' });
  });
});

describe('the stand-in builds a stream view with the real output types', () => {
  it('refuses a column whose declared type the SELECT does not produce, naming both', async () => {
    const mistyped = defineStreamView({
      name: 'mistyped',
      description: 'x',
      from: 'events',
      select: { next_seq: { sql: sql`seq + 1`, type: col.string() } },
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'dotdo-stream-types-'));
    try {
      const config = pipelinesConfig.parse({ dataDir, ...withStreamViews({}, [mistyped]) });
      expect(() => createStreamOutputs(config, join(dataDir, 'r2', 'lake'))).toThrow(
        /column "next_seq" of sink "mistyped_v1_sink": the SELECT produces BIGINT, which does not land in a string column: CAST it/,
      );
      // The same view with the type it produces is built, beside the lake's own pipelines.
      const typed = defineStreamView({
        ...mistypedConfig,
        select: { next_seq: { sql: sql`seq + 1`, type: col.int64() } },
      });
      const outputs = createStreamOutputs(
        pipelinesConfig.parse({ dataDir, ...withStreamViews({}, [typed]) }),
        join(dataDir, 'r2', 'lake'),
      );
      expect(outputs.byStream.get('events')?.map((o) => o.name)).toEqual([
        'events_sink',
        'things_sink',
        'actions_sink',
        'mistyped_v1_sink',
      ]);
      outputs.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a view of a stream the stand-in does not configure, and a plan over the account limits', () => {
    expect(() => withStreamViews({ streams: { clicks: { table: 'events' } } }, [slowOrFailed])).toThrow(
      /reads stream "events", which the stand-in does not configure \(streams: clicks\)/,
    );
    const many = Array.from({ length: 16 }, (_, i) => defineStreamView({ ...mistypedConfig, name: `v${i}` }));
    expect(() => withStreamViews({}, many)).toThrow(/21 sinks \(limit 20\)/);
  });
});

const mistypedConfig = {
  name: 'mistyped',
  description: 'x',
  from: 'events',
  select: { verb: 'verb' },
} as const;
