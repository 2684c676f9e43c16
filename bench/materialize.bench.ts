/**
 * Materialized rollups on the local DuckDB engine (through `withR2SqlDialect`), over a generated lake
 * of N events of history (30 days; BENCH_MATERIALIZE_EVENTS, default 1e7) plus 10k new events in the
 * hour after it: an incremental refresh (the buckets since `watermark − lookback`, the late-event
 * check, the commit) against a full recompute of the rollup from raw events, and a read of the
 * materialized rollup with its raw tail against computing it from raw events. Each pair's results are
 * checked identical. Target: incremental ≥ 100× faster than the full recompute.
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  initialRollupState,
  type RollupState,
  readRollup,
  refreshRollup,
} from '../jobs/materialize/index.ts';
import { createLakeDirSink } from '../jobs/materialize/lake-dir-sink.ts';
import { createDuckDbEngine } from '../query/duckdb/index.ts';
import { withR2SqlDialect } from '../query/index.ts';
import { sql } from '../sql/index.ts';
import { count, countDistinct, defineRollup, sum } from '../views/index.ts';
import { type BenchReport, median } from './machine.ts';
import { generateViewsLake, LAKE_DAYS } from './views-lake.ts';

const EVENTS = Number(process.env.BENCH_MATERIALIZE_EVENTS ?? 1e7);
const NEW_EVENTS = 10_000;
const RUNS = 3;
const TARGET = 100;
const VERBS = ['created', 'updated', 'renamed', 'paid', 'raised', 'assigned', 'deleted'];

/** Activity per namespace per hour over every event of the lake. */
const activity = defineRollup('bench_activity', {
  from: ['Person', 'Startup', 'Customer', 'Order', 'Deal', 'Ticket'].flatMap((n) =>
    VERBS.map((v) => `${n}.${v}`),
  ),
  groupBy: ['ns'],
  compute: { events: count(), actors: countDistinct('actor'), amount: sum('data.amount') },
  window: 'hour',
});

const normalized = (rows: Record<string, unknown>[]) =>
  JSON.stringify(
    rows.map((r) => ({
      ...r,
      bucket: new Date(String(r.bucket)).toISOString(),
      amount: Number(r.amount).toFixed(6),
    })),
  );

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

/** 10k events in the hour after the newest one, copied from the last events written (new ids). */
async function landNew(
  connection: Awaited<ReturnType<DuckDBInstance['connect']>>,
  lake: string,
  watermark: number,
) {
  const path = join(lake, 'events', 'year=2026', 'month=11', 'day=01', 'new.parquet');
  mkdirSync(dirname(path), { recursive: true });
  await connection.run(
    sql`COPY (SELECT * REPLACE (id || '/new' AS id,
      make_timestamp(${watermark}::BIGINT + 1 + row_number() OVER () * 300000)::TIMESTAMPTZ AS ts)
    FROM read_parquet(${join(lake, 'events', '**', '*.parquet')}, hive_partitioning = false) LIMIT ${NEW_EVENTS})
    TO ${path} (FORMAT parquet, COMPRESSION zstd)`.text,
  );
}

/**
 * Runs the benchmark and returns its markdown section.
 *
 * @example
 * ```ts
 * import { benchMaterialize } from './materialize.bench.ts';
 * console.log((await benchMaterialize()).markdown);
 * ```
 */
export async function benchMaterialize(): Promise<BenchReport> {
  const dir = await mkdtemp(join(tmpdir(), 'dotdo-bench-materialize-'));
  const generator = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
  try {
    const lake = await generateViewsLake(generator, dir, EVENTS, 4);
    console.error(`  lake of ${EVENTS} events: ${lake.files} files in ${(lake.ms / 1000).toFixed(1)} s`);
    const duckdb = await createDuckDbEngine({ lake: dir });
    const engine = withR2SqlDialect(duckdb);
    const config = { engine, sink: createLakeDirSink(dir, 'rollups'), chunkBuckets: 24 * 8 };
    const build = await timed(() => refreshRollup(activity, initialRollupState(activity.key), config));
    console.error(`  build (all history materialized): ${build.ms.toFixed(0)} ms`);
    const built: RollupState = build.value.state;
    await landNew(generator, dir, built.watermark!);
    const incremental: number[] = [];
    const fullMs: number[] = [];
    let state = built;
    let fullRows: Record<string, unknown>[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Each run refreshes from the built state: the same 10k new events after the same watermark.
      const step = await timed(() => refreshRollup(activity, built, config));
      incremental.push(step.ms);
      state = step.value.state;
      const full = await timed(() => engine.query(activity.render().sql));
      fullMs.push(full.ms);
      fullRows = full.value.rows;
    }
    const materialized = await readRollup(engine, activity, {}, { rawTail: false });
    const refreshIdentical = normalized(materialized.rows) === normalized(fullRows);
    const readMs: number[] = [];
    const rawMs: number[] = [];
    let readIdentical = true;
    await engine.query(activity.render({ since: '2026-10-01' }).sql);
    for (let i = 0; i < RUNS; i++) {
      const read = await timed(() => readRollup(engine, activity));
      const raw = await timed(() => engine.query(activity.render().sql));
      readMs.push(read.ms);
      rawMs.push(raw.ms);
      readIdentical &&= normalized(read.value.rows) === normalized(raw.value.rows);
    }
    duckdb.close();
    const ratio = median(fullMs) / median(incremental);
    const readRatio = median(rawMs) / median(readMs);
    const passed = refreshIdentical && readIdentical && ratio >= TARGET;
    const markdown = [
      `### Materialized rollups (${EVENTS.toExponential(0).replace('+', '')} events of history over ${LAKE_DAYS} days + ${NEW_EVENTS.toLocaleString('en-US')} new)`,
      '',
      `Rollup \`${activity.key}\`: events, distinct actors and an amount per namespace per hour, every event`,
      'of the lake, deduplicated on id. Local DuckDB through `withR2SqlDialect`; the refreshes land as Parquet',
      `files in the lake's rollups table. Median of ${RUNS} interleaved runs; the results of each pair are checked identical.`,
      '',
      '| | ms | baseline ms | ratio | identical |',
      '|---|---:|---:|---:|---|',
      `| incremental refresh (10k new) vs full recompute | ${median(incremental).toFixed(0)} | ${median(fullMs).toFixed(0)} | ${ratio.toFixed(1)}× | ${refreshIdentical ? 'yes' : 'NO'} |`,
      `| read materialized + raw tail vs from raw events | ${median(readMs).toFixed(0)} | ${median(rawMs).toFixed(0)} | ${readRatio.toFixed(1)}× | ${readIdentical ? 'yes' : 'NO'} |`,
      '',
      `Build (first refresh, all history, ${build.value.chunks.length} chunks): ${(build.ms / 1000).toFixed(1)} s; lake ${lake.files} files written in ${(lake.ms / 1000).toFixed(1)} s; ${materialized.rows.length} materialized rows; watermark after: ${new Date(state.watermark! / 1000).toISOString()}.`,
      `Target: incremental ≥ ${TARGET}× faster than the full recompute, results identical.`,
    ].join('\n');
    return { name: 'materialize', markdown, passed };
  } finally {
    generator.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
