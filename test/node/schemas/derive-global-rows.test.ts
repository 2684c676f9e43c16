import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEventRow, type EventParts } from '../../../ingest/store/event-row.ts';
import { createPipelinesStandIn, pipelinesConfig } from '../../../local/pipelines/index.ts';
import {
  deriveGlobalRows,
  type EventRow,
  fromLakeRow,
  LAKE_TOPOLOGY,
  TABLES,
} from '../../../schemas/index.ts';
import { tempDir } from '../helpers.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ns = 'https://ü.derive.startups.studio';
function parts(seq: number): EventParts {
  const wrote = seq % 4 !== 0;
  return {
    ns,
    incarnation: 'inc-d',
    seq,
    prevHash: seq === 1 ? null : 'ab'.repeat(32),
    ts: 1_764_000_000_000_000 + seq,
    noun: seq % 2 ? 'Startup' : 'Idea',
    action: seq % 3 ? 'update' : 'delete',
    past: seq % 3 ? 'updated' : 'deleted',
    target: seq % 5 ? `things/t-${seq % 7}` : 'https://other.example.com/x',
    actor: seq % 2 ? 'agents/priya' : null,
    durability: (['send', 'try', 'do'] as const)[seq % 3]!,
    status: wrote ? 'completed' : 'failed',
    branch: seq % 6 === 0 ? 'experiment' : null,
    input: seq > 2 ? seq - 1 : null,
    output: wrote ? seq : null,
    actionId: seq + 100,
    name: seq % 2 ? `Ñame ${seq} 😀` : null,
    deleted: wrote && seq % 3 === 0,
    data: wrote ? JSON.stringify({ n: seq, s: 'ünï' }) : null,
    error: wrote ? null : JSON.stringify({ name: 'Error', message: 'boom' }),
    requestId: seq % 2 ? `r-${seq}` : null,
    sessionId: null,
    workflowId: seq % 3 ? null : 'wf',
    correlationId: null,
    startedAt: seq % 2 ? 1_764_000_000_000_000 : null,
    completedAt: seq % 2 ? 1_764_000_000_000_000 + seq : null,
  };
}

async function readTable(bucketDir: string, table: 'things' | 'actions'): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const reader = await connection.runAndReadAll(
    `SELECT * FROM read_parquet('${join(bucketDir, table)}/**/*.parquet', hive_partitioning = false) ORDER BY id`,
  );
  const rows = reader.getRowObjects() as Record<string, unknown>[];
  connection.closeSync();
  return rows.map((row) => fromLakeRow(TABLES[table], row));
}

describe('things and actions derived from events', () => {
  it('the stand-in’s default pipelines (Pipeline SQL) give exactly the rows deriveGlobalRows gives', async () => {
    const temp = await tempDir('dotdo-derive-');
    cleanups.push(temp.remove);
    const pipelines = createPipelinesStandIn({ dataDir: temp.dir, rollIntervalMs: 3_600_000 });
    cleanups.push(() => pipelines.close());
    const events: EventRow[] = Array.from({ length: 40 }, (_, i) => buildEventRow(parts(i + 1)));
    const answer = pipelines.ingest('events', JSON.stringify(events), undefined);
    expect(answer).toMatchObject({ status: 200 });
    pipelines.roll();

    const derived = events.map(deriveGlobalRows);
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const things = derived.flatMap((d) => d.things).sort(byId);
    const actions = derived.flatMap((d) => d.actions).sort(byId);
    expect(things).toHaveLength(30);
    expect(actions).toHaveLength(40);
    for (const row of things) expect(TABLES.things.safeParse(row).success).toBe(true);
    for (const row of actions) expect(TABLES.actions.safeParse(row).success).toBe(true);
    expect(things.filter((t) => t.deleted)).toHaveLength(10);

    expect(await readTable(pipelines.bucketDir, 'things')).toEqual(things);
    expect(await readTable(pipelines.bucketDir, 'actions')).toEqual(actions);
  });
});

describe('the stand-in’s default config', () => {
  it('is the set `schema setup` prints: the same streams, sinks and pipelines', () => {
    const config = pipelinesConfig.parse({ dataDir: '.data' });
    expect(Object.entries(config.streams).map(([name, s]) => ({ name, table: s.table }))).toEqual(
      LAKE_TOPOLOGY.streams,
    );
    expect(Object.entries(config.sinks).map(([name, s]) => ({ name, table: s.schema }))).toEqual(
      LAKE_TOPOLOGY.sinks,
    );
    expect(config.pipelines).toEqual(LAKE_TOPOLOGY.pipelines);
    // A config that names its own streams keeps them (and gets no pipelines it did not ask for).
    expect(
      pipelinesConfig.parse({ dataDir: '.data', streams: { clicks: { table: 'events' } } }).pipelines,
    ).toEqual([]);
  });
});
