/**
 * A small hand-built lake for the focused view tests: events from two namespaces written as a Durable
 * Object writes them (versions counted per namespace, branches, tombstones, failed actions, actors),
 * some delivered twice, ingested through the Pipelines stand-in (which fans them out to things and
 * actions) and read by the DuckDB engine in R2 SQL's dialect.
 *
 * @module
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { createPipelinesStandIn } from '../../../local/index.ts';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { withR2SqlDialect } from '../../../query/with-r2-sql-dialect.ts';
import {
  type ActionRow,
  deriveGlobalRows,
  EVENTS_SCHEMA_VERSION,
  type EventRow,
  type ThingRow,
} from '../../../schemas/index.ts';
import { tempDir } from '../fixtures/events.ts';
import { isViewParamsError } from '../../../views/index.ts';
import type { Workload } from './view-case.ts';

/** One action as a test writes it. */
export interface Step {
  ns: string;
  verb: string;
  type: string;
  /** The thing's local path. */
  target: string;
  data?: unknown;
  branch?: string;
  actor?: string;
  status?: 'completed' | 'failed';
  /** µs since the epoch. */
  ts: number;
  name?: string;
}

const ACTION: Record<string, string> = {
  created: 'create',
  updated: 'update',
  deleted: 'delete',
  raised: 'raise',
  liked: 'like',
};

/** The event rows a Durable Object would send for these steps (per namespace: seq, versions, refs). */
export function eventsOf(steps: readonly Step[]): EventRow[] {
  const seqs = new Map<string, number>();
  const versions = new Map<string, number>();
  const current = new Map<string, string>();
  return steps.map((s) => {
    const seq = (seqs.get(s.ns) ?? 0) + 1;
    seqs.set(s.ns, seq);
    const target = `${s.ns}/${s.target}`;
    const writes = s.status !== 'failed';
    const key = `${s.branch ?? ''} ${target}`;
    const input = current.get(key) ?? (s.branch ? current.get(` ${target}`) : undefined) ?? null;
    let output: string | null = null;
    if (writes) {
      const version = (versions.get(s.ns) ?? 0) + 1;
      versions.set(s.ns, version);
      output = `${target}@v${version}`;
      current.set(key, output);
    }
    const type = `${s.ns}/${s.type}`;
    return {
      schema_version: EVENTS_SCHEMA_VERSION,
      id: `${s.ns}/events/inc-1/${seq}`,
      ns: s.ns,
      incarnation: 'inc-1',
      seq,
      ts: s.ts,
      event: `${s.type}.${s.verb}`,
      verb: s.verb,
      action: ACTION[s.verb] ?? s.verb,
      type,
      target,
      actor: s.actor ?? null,
      durability: 'try',
      status: s.status ?? 'completed',
      branch: s.branch ?? null,
      input_version: input,
      output_version: output,
      data: (s.data ?? null) as EventRow['data'],
      error: s.status === 'failed' ? { message: 'refused' } : null,
      request_id: null,
      session_id: null,
      workflow_id: null,
      correlation_id: null,
      started_at: s.ts,
      completed_at: s.ts,
      duration_ms: 1.5,
      prev_hash: null,
      hash: null,
      action_id: `${s.ns}/actions/inc-1/${seq}`,
      name: writes ? (s.name ?? null) : null,
      deleted: writes && s.verb === 'deleted',
    };
  });
}

const dedupe = <T extends { id: string }>(rows: T[]): T[] => [
  ...new Map(rows.map((r) => [r.id, r])).values(),
];

/** The workload the oracles read: the events as delivered and what the stack derives from them. */
export function workloadOf(delivered: EventRow[]): Workload {
  const events = dedupe(delivered).sort((a, b) =>
    a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : Number(a.seq) - Number(b.seq),
  );
  const things: ThingRow[] = dedupe(events.flatMap((e) => deriveGlobalRows(e).things));
  const actions: ActionRow[] = dedupe(events.flatMap((e) => deriveGlobalRows(e).actions));
  const ts = events.map((e) => e.ts);
  return {
    delivered,
    events,
    things,
    actions,
    namespaces: [...new Set(events.map((e) => e.ns))].sort(),
    types: [...new Set(events.map((e) => e.type))].sort(),
    actors: [...new Set(events.flatMap((e) => (e.actor ? [e.actor] : [])))].sort(),
    from: new Date(Math.min(...ts) / 1000),
    to: new Date(Math.max(...ts) / 1000),
  };
}

/** A lake of these events (delivered as given, duplicates and all) and an R2-dialect engine over it. */
export async function startSmallLake(delivered: EventRow[]) {
  const temp = await tempDir('dotdo-views-');
  const pipelines = createPipelinesStandIn({ dataDir: temp.dir, rollIntervalMs: 3_600_000 });
  // Two requests, so the lake holds more than one file per table.
  const half = Math.ceil(delivered.length / 2);
  for (const part of [delivered.slice(0, half), delivered.slice(half)]) {
    const answer = pipelines.ingest('events', JSON.stringify(part), undefined);
    if (answer.status !== 200) throw new Error(`ingest refused: ${JSON.stringify(answer)}`);
  }
  pipelines.close();
  const duckdb: DuckDbEngine = await createDuckDbEngine({ lake: pipelines.bucketDir });
  const queries: string[] = [];
  const dialect = withR2SqlDialect(duckdb);
  const engine = {
    /** Every SQL text that reached the engine. */
    queries,
    query: async (text: string) => {
      queries.push(text);
      const { schema, rows } = await dialect.query(text);
      return { schema, rows };
    },
  };
  return {
    engine,
    close: async () => {
      await duckdb.close();
      await temp.remove();
    },
  };
}

/** What {@link useSmallLake} holds once the file's `beforeAll` has run. */
export interface SmallLakeFixture {
  lake: Awaited<ReturnType<typeof startSmallLake>>;
  /** The workload the oracles read, from the same delivery. */
  w: Workload;
}

/**
 * Lands the small lake ({@link smallDelivery}) before the file's tests and removes it after them.
 *
 * @example
 * ```ts
 * const small = useSmallLake();
 * it('reads', async () => expect((await small.lake.engine.query('SELECT 1 AS x')).rows).toHaveLength(1));
 * ```
 */
export function useSmallLake(): SmallLakeFixture {
  const fixture = {} as SmallLakeFixture;
  beforeAll(async () => {
    const delivered = smallDelivery();
    fixture.w = workloadOf(delivered);
    fixture.lake = await startSmallLake(delivered);
  });
  afterAll(async () => fixture.lake?.close());
  return fixture;
}

/**
 * Renders a view with params it must refuse: a ViewParamsError whose issues name `param`, and no
 * query sent to the lake. Answers the error, for further checks.
 *
 * @example
 * ```ts
 * expectParamsRefused(small, thingsWhere, { type: 'x' }, 'type');
 * ```
 */
export function expectParamsRefused(
  fixture: SmallLakeFixture,
  view: { render(params: unknown): unknown },
  params: unknown,
  param: string,
): Error {
  const before = fixture.lake.engine.queries.length;
  let error: unknown;
  try {
    view.render(params);
  } catch (e) {
    error = e;
  }
  expect(isViewParamsError(error), String(error)).toBe(true);
  expect((error as { issues: { param: string }[] }).issues.map((i) => i.param)).toContain(param);
  expect(fixture.lake.engine.queries.length).toBe(before);
  return error as Error;
}

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$/;

/** Engine values in the oracles' form: timestamps as ISO text with µs, JSON `data` parsed, bigints as numbers. */
export function normalizeRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => {
        if (typeof value === 'bigint') return [key, Number(value)];
        if (value instanceof Date) return [key, `${value.toISOString().slice(0, 23)}000Z`];
        if (typeof value === 'string') {
          const iso = ISO.exec(value);
          if (iso && iso[3] === 'Z') return [key, `${iso[1]}.${(iso[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`];
          if (key === 'data') return [key, JSON.parse(value)];
        }
        return [key, value];
      }),
    ),
  );
}

/** The small lake's two namespaces. */
export const A = 'https://a.startups.studio';
export const B = 'https://b.startups.studio';
const NATHAN = 'https://auth.dev/nathan';
const PRIYA = 'https://auth.dev/priya';
const at = (iso: string): number => {
  const [whole, fraction = ''] = iso.replace('Z', '').split('.');
  return Date.parse(`${whole}Z`) * 1000 + Number(fraction.padEnd(6, '0'));
};

/**
 * Two namespaces over Q4 2026: creates, updates, raises (one failed), deletes, a branch `exp` in each,
 * a version written back in time (an import), shared actors — and three events delivered twice.
 */
export const SMALL_STEPS: readonly Step[] = [
  {
    ns: A,
    verb: 'created',
    type: 'Startup',
    target: 'acme',
    actor: NATHAN,
    ts: at('2026-10-01T09:00:00Z'),
    name: 'Acme',
    data: { stage: 'seed', raised: 0, city: 'Berlin' },
  },
  {
    ns: A,
    verb: 'created',
    type: 'Startup',
    target: 'zeta',
    actor: PRIYA,
    ts: at('2026-10-02T10:00:00Z'),
    name: 'Zeta',
    data: { stage: 'seed', raised: 0 },
  },
  {
    ns: A,
    verb: 'raised',
    type: 'Startup',
    target: 'acme',
    actor: NATHAN,
    ts: at('2026-10-15T12:00:00.000250Z'),
    name: 'Acme',
    data: { stage: 'a', raised: 5, city: 'Berlin' },
  },
  {
    ns: A,
    verb: 'created',
    type: 'Idea',
    target: 'idea1',
    actor: PRIYA,
    ts: at('2026-10-16T08:00:00Z'),
    data: { title: 'robots' },
  },
  {
    ns: A,
    verb: 'updated',
    type: 'Startup',
    target: 'zeta',
    actor: PRIYA,
    branch: 'exp',
    ts: at('2026-11-01T00:00:00Z'),
    data: { stage: 'a', raised: 2.5 },
  },
  {
    ns: A,
    verb: 'raised',
    type: 'Startup',
    target: 'zeta',
    actor: NATHAN,
    status: 'failed',
    ts: at('2026-11-02T00:00:00Z'),
  },
  {
    ns: A,
    verb: 'raised',
    type: 'Startup',
    target: 'zeta',
    actor: NATHAN,
    ts: at('2026-11-20T16:30:00Z'),
    name: 'Zeta',
    data: { stage: 'b', raised: 7 },
  },
  { ns: A, verb: 'deleted', type: 'Idea', target: 'idea1', actor: PRIYA, ts: at('2026-11-21T00:00:00Z') },
  {
    ns: A,
    verb: 'updated',
    type: 'Startup',
    target: 'acme',
    ts: at('2026-12-01T00:00:00.000001Z'),
    name: 'Acme',
    data: { stage: 'a', raised: 5, city: 'Paris', tags: ['x'] },
  },
  {
    ns: A,
    verb: 'raised',
    type: 'Startup',
    target: 'acme',
    actor: PRIYA,
    ts: at('2026-09-30T23:59:59.999999Z'),
    name: 'Acme',
    data: { stage: 'a', raised: 12, city: 'Paris' },
  },
  {
    ns: B,
    verb: 'created',
    type: 'Startup',
    target: 'beta',
    actor: NATHAN,
    ts: at('2026-10-05T00:00:00Z'),
    name: 'Beta',
    data: { stage: 'seed', raised: 1 },
  },
  {
    ns: B,
    verb: 'updated',
    type: 'Startup',
    target: 'beta',
    actor: NATHAN,
    branch: 'exp',
    ts: at('2026-10-06T00:00:00Z'),
    name: 'Beta',
    data: { stage: "seed's", raised: 1, open: false },
  },
  {
    ns: B,
    verb: 'raised',
    type: 'Startup',
    target: 'gamma',
    actor: PRIYA,
    ts: at('2026-10-07T00:00:00Z'),
    name: 'Gamma',
    data: { stage: 'b', raised: 30, open: true },
  },
  { ns: B, verb: 'deleted', type: 'Startup', target: 'beta', actor: NATHAN, ts: at('2026-12-10T00:00:00Z') },
  {
    ns: B,
    verb: 'liked',
    type: 'Startup',
    target: 'gamma',
    actor: NATHAN,
    ts: at('2026-12-11T00:00:00Z'),
    name: 'Gamma',
    data: { stage: 'b', raised: 30, open: true, likes: 1 },
  },
];

/** The small lake's events as delivered: three of them twice (two in a later request, one in the same). */
export function smallDelivery(): EventRow[] {
  const events = eventsOf(SMALL_STEPS);
  return [...events, events[2]!, events[6]!, events[13]!];
}
