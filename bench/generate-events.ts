import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sql } from '../sql/index.ts';

/** The generated events' first time (2025-11-24T16:00:00Z) and the step between two, in µs. */
export const GENERATED_FROM_US = 1764000000000000;
export const GENERATED_STEP_US = 2000000;

/**
 * Writes `rows` synthetic events as zstd Parquet files laid out as the Pipelines r2 sink writes them
 * (`<bucketDir>/events/year=/month=/day=/<uuid>.parquet`), with the events table's columns and types,
 * using DuckDB's COPY. Returns the file paths.
 *
 * @example
 * ```ts
 * import { generateEvents } from './generate-events.ts';
 * await generateEvents(connection, '/tmp/lake', 1_000_000, 10);
 * ```
 */
export async function generateEvents(
  connection: DuckDBConnection,
  bucketDir: string,
  rows: number,
  files: number,
): Promise<string[]> {
  const paths: string[] = [];
  const perFile = Math.ceil(rows / files);
  for (let f = 0; f < files; f++) {
    const day = String(1 + (f % 28)).padStart(2, '0');
    const dir = join(bucketDir, 'events', 'year=2026', 'month=11', `day=${day}`);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${crypto.randomUUID()}.parquet`);
    const from = f * perFile;
    const to = Math.min(rows, from + perFile);
    await connection.run(
      sql`
      COPY (
        SELECT
          1::INTEGER AS schema_version,
          'https://ns' || (i % 1000) || '.startups.studio/events/inc-1/' || i AS id,
          'https://ns' || (i % 1000) || '.startups.studio' AS ns,
          'inc-1' AS incarnation,
          i::BIGINT AS seq,
          make_timestamp(${GENERATED_FROM_US}::BIGINT + i * ${GENERATED_STEP_US}::BIGINT)::TIMESTAMPTZ AS ts,
          ['Startup.created', 'Startup.updated', 'Customer.created', 'Order.paid'][1 + i % 4] AS event,
          ['created', 'updated', 'created', 'paid'][1 + i % 4] AS verb,
          ['create', 'update', 'create', 'pay'][1 + i % 4] AS action,
          'https://startups.studio/' || ['Startup', 'Startup', 'Customer', 'Order'][1 + i % 4] AS type,
          'https://ns' || (i % 1000) || '.startups.studio/thing-' || (i % 5000) AS target,
          CASE WHEN i % 3 = 0 THEN NULL ELSE 'https://auth.startups.studio/users/u' || (i % 97) END AS actor,
          ['send', 'try', 'do'][1 + i % 3] AS durability,
          CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'completed' END AS status,
          NULL::VARCHAR AS branch,
          NULL::VARCHAR AS input_version,
          'https://ns' || (i % 1000) || '.startups.studio/thing-' || (i % 5000) || '@v' || i AS output_version,
          '{"plan":"' || ['free', 'pro', 'team', 'enterprise'][1 + i % 4] || '","amount":' || (i % 1000) ||
            ',"tags":["a","b"]}' AS data,
          NULL::VARCHAR AS error,
          'req-' || i AS request_id,
          NULL::VARCHAR AS session_id,
          NULL::VARCHAR AS workflow_id,
          NULL::VARCHAR AS correlation_id,
          NULL::TIMESTAMPTZ AS started_at,
          NULL::TIMESTAMPTZ AS completed_at,
          ((i % 500) / 4.0)::DOUBLE AS duration_ms,
          NULL::VARCHAR AS prev_hash,
          NULL::VARCHAR AS hash
        FROM range(${from}, ${to}) t(i)
      ) TO ${path} (FORMAT parquet, COMPRESSION zstd)`.text,
    );
    paths.push(path);
  }
  return paths;
}
