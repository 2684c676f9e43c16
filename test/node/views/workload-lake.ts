/**
 * Lands a generated workload in a real lake through the real local stack: each daily batch goes to the
 * `events` stream over HTTP in requests of at most 1 MB, the stream's pipelines fan it out to the
 * events, things and actions sinks, and a roll closes the day, so each file covers a narrow time range.
 * The events and actions tables are R2 Data Catalog (Iceberg) tables, as R2 SQL reads them; things is
 * an r2-sink directory, as a plain Pipelines r2 sink writes it — both layouts are read by every case.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { lakeTopologyConfig } from '../../../local/pipelines/pipelines-config.ts';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { createR2SqlEngine, type QueryEngine, withR2SqlDialect } from '../../../query/index.ts';
import type { EventRow } from '../../../schemas/index.ts';

/** The largest request body sent: under the platform's 1 MB. */
export const MAX_REQUEST_BYTES = 1_000_000;

/** A lake holding a workload, the stack that wrote it, and the two engines that read it. */
export interface WorkloadLake {
  stack: LocalStack;
  /** The DuckDB engine in this process, taking R2 SQL's dialect. */
  duckdb: QueryEngine;
  /** The R2 SQL stand-in, over HTTP, through the R2 SQL client. */
  r2sql: QueryEngine;
  /** Requests sent, and files written by the rolls (one per table per roll). */
  requests: number;
  rolls: number;
  close(): Promise<void>;
}

/** Per-call options of {@link landWorkload}. */
export interface LandOptions {
  /** Batches sent between two rolls (default 1: a file per table per batch). */
  batchesPerRoll?: number;
}

/** Cuts rows into JSON array bodies of at most `max` bytes. */
export function requestBodies(rows: readonly EventRow[], max = MAX_REQUEST_BYTES): string[] {
  const bodies: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (parts.length > 0 && size + text.length + 1 > max) {
      bodies.push(`[${parts.join(',')}]`);
      parts = [];
      size = 2;
    }
    parts.push(text);
    size += Buffer.byteLength(text) + 1;
  }
  if (parts.length > 0) bodies.push(`[${parts.join(',')}]`);
  return bodies;
}

async function send(url: string, body: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (response.status !== 200)
    throw new Error(`ingest answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
}

/** Sends one batch, two requests in flight. */
async function sendBatch(url: string, rows: readonly EventRow[]): Promise<number> {
  const bodies = requestBodies(rows);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) await send(url, bodies[next++]!);
  };
  await Promise.all([worker(), worker()]);
  return bodies.length;
}

/**
 * Starts a local stack in a temp dir, lands the batches (one roll per batch) and opens both engines.
 *
 * @example
 * ```ts
 * import { landWorkload } from './workload-lake.ts';
 * const lake = await landWorkload(workload.batches);
 * await lake.duckdb.query('SELECT count(*) AS n FROM analytics.events');
 * await lake.close();
 * ```
 */
export async function landWorkload(
  batches: readonly (readonly EventRow[])[],
  options: LandOptions = {},
): Promise<WorkloadLake> {
  const every = options.batchesPerRoll ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'dotdo-views-conformance-'));
  const topology = lakeTopologyConfig();
  const stack = await startLocalStack({
    dataDir: dir,
    port: 0,
    pipelines: {
      ...topology,
      sinks: {
        ...topology.sinks,
        events_sink: { kind: 'r2-data-catalog', schema: 'events', namespace: 'analytics', table: 'events' },
        actions_sink: {
          kind: 'r2-data-catalog',
          schema: 'actions',
          namespace: 'analytics',
          table: 'actions',
        },
      },
      rollIntervalMs: 3_600_000,
      rollRows: 10_000_000,
      rollBytes: 256 * 1024 * 1024,
    },
  });
  let requests = 0;
  let rolls = 0;
  try {
    for (let i = 0; i < batches.length; i++) {
      requests += await sendBatch(`${stack.ingestUrl}/events`, batches[i]!);
      if ((i + 1) % every === 0 || i === batches.length - 1)
        rolls += (await stack.pipelines.rollAsync('events')).length;
    }
  } catch (error) {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const duckdb = withR2SqlDialect(await createDuckDbEngine({ lake: stack.pipelines.bucketDir }));
  const r2sql = createR2SqlEngine({
    accountId: 'acct',
    bucket: 'lake',
    token: 'unused',
    endpoint: stack.url,
  });
  return {
    stack,
    duckdb,
    r2sql,
    requests,
    rolls,
    async close() {
      await duckdb.close?.();
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
