/**
 * A synthetic lake for the views benchmark, written by DuckDB itself (trusted COPY, not the query
 * path): `events` over 30 days as the r2 sink lays them out (several zstd Parquet files per day, each
 * covering a consecutive slice of its day), and `things` and `actions` derived from each events file
 * by the same Pipelines SQL the stand-in runs. Every column has its schema's DuckDB type (checked).
 *
 * @module
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { z } from 'zod';
import {
  ACTIONS_FROM_EVENTS_SQL,
  actionRow,
  columnsOf,
  duckDbTypeOf,
  eventRow,
  THINGS_FROM_EVENTS_SQL,
  thingRow,
} from '../schemas/index.ts';
import { sql } from '../sql/index.ts';

/** The lake's time span. */
export const LAKE_FROM = new Date('2026-10-01T00:00:00Z');
export const LAKE_DAYS = 30;
/** Namespaces the events are spread over. */
export const LAKE_NAMESPACES = 60;

const DAY_US = 86_400_000_000;
const VERBS = [
  ['create', 'created'],
  ['update', 'updated'],
  ['update', 'updated'],
  ['update', 'updated'],
  ['rename', 'renamed'],
  ['pay', 'paid'],
  ['raise', 'raised'],
  ['assign', 'assigned'],
  ['delete', 'deleted'],
  ['create', 'created'],
] as const;
const NOUNS = ['Person', 'Startup', 'Customer', 'Order', 'Deal', 'Ticket'];

const list = (values: readonly string[]) => sql`[${sql.join(values)}]`;

/** The events of `range(from, to)`: the i-th event of the lake, at its place in the 30 days. */
function eventsSelect(n: number, from: number, to: number) {
  const start = LAKE_FROM.getTime() * 1000;
  const things = Math.max(50, Math.floor(n / 8));
  const ns = sql`'https://ns' || (i * 7 % ${LAKE_NAMESPACES}) || '.startups.studio'`;
  const noun = sql`${list(NOUNS)}[1 + (i * 5 % 6)]`;
  const verbIndex = sql`(1 + (i * 13 % ${VERBS.length}))`;
  const target = sql`${ns} || '/' || lower(${noun}) || 's/t' || (i * 17 % ${things})`;
  const failed = sql`(i % 23 = 0)`;
  return sql`
SELECT 2::INTEGER AS schema_version, ${ns} || '/events/inc-1/' || i AS id, ${ns} AS ns, 'inc-1' AS incarnation,
  i::BIGINT AS seq, make_timestamp(${start}::BIGINT + (i * ${(LAKE_DAYS * DAY_US) / n})::BIGINT)::TIMESTAMPTZ AS ts,
  ${noun} || '.' || ${list(VERBS.map((v) => v[1]))}[${verbIndex}] AS event, ${list(VERBS.map((v) => v[1]))}[${verbIndex}] AS verb,
  ${list(VERBS.map((v) => v[0]))}[${verbIndex}] AS action, ${ns} || '/' || ${noun} AS type, ${target} AS target,
  CASE WHEN i % 5 = 0 THEN NULL ELSE ${ns} || '/persons/t' || (i % 40) END AS actor,
  ${list(['send', 'try', 'try', 'do'])}[1 + i % 4] AS durability,
  CASE WHEN ${failed} THEN 'failed' ELSE 'completed' END AS status,
  CASE WHEN i % 50 = 7 THEN 'experiment' ELSE NULL END AS branch,
  CASE WHEN ${verbIndex} IN (1, 10) THEN NULL ELSE ${target} || '@v' || greatest(1, i - 97) END AS input_version,
  CASE WHEN ${failed} THEN NULL ELSE ${target} || '@v' || (i + 1) END AS output_version,
  CASE WHEN ${failed} THEN NULL ELSE '{"name":"Thing ' || (i * 17 % ${things}) || '","amount":' || (i % 1000) / 4.0 ||
    ',"customer":"c' || (i % 97) || '","stage":"' || ${list(['seed', 'series-a', 'series-b'])}[1 + i % 3] ||
    '","round":{"amount":' || (i % 5000) * 100 || '},"tags":["a","b"]}' END AS data,
  CASE WHEN ${failed} THEN '{"message":"timeout"}' ELSE NULL END AS error,
  'req-' || i AS request_id, NULL::VARCHAR AS session_id, NULL::VARCHAR AS workflow_id, NULL::VARCHAR AS correlation_id,
  make_timestamp(${start}::BIGINT + (i * ${(LAKE_DAYS * DAY_US) / n})::BIGINT - (i % 997) * 1000)::TIMESTAMPTZ AS started_at,
  make_timestamp(${start}::BIGINT + (i * ${(LAKE_DAYS * DAY_US) / n})::BIGINT)::TIMESTAMPTZ AS completed_at,
  ((i % 997) * 1.0)::DOUBLE AS duration_ms, sha256(${ns} || (i - 1)) AS prev_hash, sha256(${ns} || i) AS hash,
  ${ns} || '/actions/inc-1/' || i AS action_id,
  CASE WHEN ${failed} THEN NULL ELSE 'Thing ' || (i * 17 % ${things}) END AS name,
  CASE WHEN ${verbIndex} = 9 AND NOT ${failed} THEN true ELSE NULL END AS deleted
FROM range(${from}, ${to}) t(i)`;
}

async function checkTypes(connection: DuckDBConnection, path: string, schema: z.ZodObject): Promise<void> {
  const described = await connection.runAndReadAll(
    sql`DESCRIBE SELECT * FROM read_parquet(${path}, hive_partitioning = false)`.text,
  );
  const got = described
    .getRowObjectsJson()
    .map(
      (r) => `${r.column_name} ${String(r.column_type).replace('TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ')}`,
    );
  const want = columnsOf(schema).map((c) => `${c.name} ${duckDbTypeOf(c.lakeType)}`);
  if (got.join() !== want.join())
    throw new Error(`${path}: columns ${got.join(', ')}; the schema wants ${want.join(', ')}`);
}

/** What {@link generateViewsLake} wrote. */
export interface ViewsLake {
  events: number;
  files: number;
  bytes: number;
  ms: number;
}

/**
 * Writes `n` events (and their things and actions) under `lake`, `filesPerDay` files per table per day.
 *
 * @example
 * ```ts
 * import { generateViewsLake } from './views-lake.ts';
 * await generateViewsLake(connection, '/tmp/lake', 1_000_000, 4);
 * ```
 */
export async function generateViewsLake(
  connection: DuckDBConnection,
  lake: string,
  n: number,
  filesPerDay: number,
): Promise<ViewsLake> {
  const started = performance.now();
  const files = LAKE_DAYS * filesPerDay;
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const day = new Date(LAKE_FROM.getTime() + Math.floor(f / filesPerDay) * 86_400_000);
    const partition = `year=${day.getUTCFullYear()}/month=${String(day.getUTCMonth() + 1).padStart(2, '0')}/day=${String(day.getUTCDate()).padStart(2, '0')}`;
    const id = crypto.randomUUID();
    const [events, things, actions] = ['events', 'things', 'actions'].map((table) => {
      mkdirSync(join(lake, table, partition), { recursive: true });
      return join(lake, table, partition, `${id}.parquet`);
    });
    const from = Math.floor((f * n) / files);
    const to = Math.floor(((f + 1) * n) / files);
    await connection.run(
      sql`COPY (${eventsSelect(n, from, to)}) TO ${events!} (FORMAT parquet, COMPRESSION zstd)`.text,
    );
    await connection.run(
      sql`CREATE OR REPLACE VIEW events AS SELECT * FROM read_parquet(${events!}, hive_partitioning = false)`
        .text,
    );
    for (const [path, select] of [
      [things!, THINGS_FROM_EVENTS_SQL],
      [actions!, ACTIONS_FROM_EVENTS_SQL],
    ] as const) {
      await connection.run(sql`COPY (${sql.raw(select)}) TO ${path} (FORMAT parquet, COMPRESSION zstd)`.text);
    }
    paths.push(events!, things!, actions!);
    if (f === 0) {
      await checkTypes(connection, events!, eventRow);
      await checkTypes(connection, things!, thingRow);
      await checkTypes(connection, actions!, actionRow);
    }
  }
  const bytes = paths.reduce((sum, path) => sum + statSync(path).size, 0);
  return { events: n, files: paths.length, bytes, ms: performance.now() - started };
}
