/**
 * Materialized rollups on the local DuckDB engine (through `withR2SqlDialect`), over a generated lake
 * of N events of history (30 days; BENCH_MATERIALIZE_EVENTS, default 1e7) plus 10k new events in the
 * hour after it: an incremental refresh (the buckets since `watermark − lookback` that something
 * landed in, the late-event check, the commit) against a full recompute of the rollup from raw events,
 * the same after 100 more events late inside the lookback, and a read of the materialized rollup with
 * its raw tail against computing it from raw events. Each pair's results are checked identical.
 * Target: incremental ≥ 100× faster than the full recompute. One more incremental refresh is traced:
 * each engine query it runs, with its wall time, planning time and files planned, printed to stderr.
 *
 * BENCH_MATERIALIZE_LAKE names a lake `bench/views-lake.ts` already wrote (marked `.complete`, e.g.
 * `/work/benchlakes/10000000`) to reuse instead of generating one: it is only read — its events files
 * are hard-linked one by one into the bench's own temp lake (copied when on another file system), where
 * the new events and the rollups land. Symbolic links would not do: the engine's sandbox refuses a
 * file whose real path is outside its lake.
 *
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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
import { generateViewsLake, LAKE_DAYS, type ViewsLake } from './views-lake.ts';

const EVENTS = Number(process.env.BENCH_MATERIALIZE_EVENTS ?? 1e7);
const REUSED_LAKE = process.env.BENCH_MATERIALIZE_LAKE;
const MEMORY = process.env.BENCH_MATERIALIZE_MEMORY ?? '6GB';
const NEW_EVENTS = 10_000;
const LATE_EVENTS = 100;
const RUNS = 5;
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

/** One engine query of a traced refresh: what it was, how long it took, how many files it planned. */
interface TracedQuery {
  what: string;
  ms: number;
  planMs: number;
  files: number;
}

/**
 * The DuckDB engine with its planning and its queries timed: `trace` collects each query the dialect
 * runs on it (planning time, files planned, wall time), for a per-query breakdown of one refresh.
 */
function tracing(duckdb: Awaited<ReturnType<typeof createDuckDbEngine>>) {
  let trace: TracedQuery[] | null = null;
  let planned = { ms: 0, files: 0 };
  const traced: typeof duckdb = {
    ...duckdb,
    async planScans(requests) {
      const started = performance.now();
      const plans = await duckdb.planScans(requests);
      const files = new Set(plans.flatMap((p) => p?.files ?? [])).size;
      planned = { ms: performance.now() - started, files };
      return plans;
    },
    async query<Row>(text: string) {
      const started = performance.now();
      const result = await duckdb.query<Row>(text);
      const ms = performance.now() - started;
      trace?.push({
        what: text.replace(/\s+/g, ' ').slice(0, 60),
        ms: ms + planned.ms,
        planMs: planned.ms,
        files: planned.files,
      });
      planned = { ms: 0, files: 0 };
      return result;
    },
  };
  return {
    engine: traced,
    async record<T>(run: () => Promise<T>): Promise<TracedQuery[]> {
      trace = [];
      await run();
      const out = trace;
      trace = null;
      return out;
    },
  };
}

/** Wall time, and CPU time of the whole process (DuckDB's threads run in it): less swayed by other load. */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, value };
}

/** Where {@link landCopies} puts `n` events and at which times: `from + i · stepUs` for i = 1…n. */
interface Copies {
  file: string;
  n: number;
  from: number;
  stepUs: number;
}

/**
 * `n` copies of events already in the lake (the first the scan yields), each with its id suffixed by
 * the file's name and its time set, landing in a file of their own.
 */
async function landCopies(
  connection: Awaited<ReturnType<DuckDBInstance['connect']>>,
  lake: string,
  { file, n, from, stepUs }: Copies,
) {
  const path = join(lake, 'events', 'year=2026', 'month=11', 'day=01', `${file}.parquet`);
  mkdirSync(dirname(path), { recursive: true });
  await connection.run(
    sql`COPY (SELECT * REPLACE (id || ${`/${file}`} AS id,
      make_timestamp(${from}::BIGINT + row_number() OVER () * ${stepUs})::TIMESTAMPTZ AS ts)
    FROM read_parquet(${join(lake, 'events', '**', '*.parquet')}, hive_partitioning = false) LIMIT ${n})
    TO ${path} (FORMAT parquet, COMPRESSION zstd)`.text,
  );
}

const HOUR_US = 3_600_000_000;

/** 10k new events in the hour after `watermark`, one every 0.3 s. */
const newEvents = (watermark: number): Copies => ({
  file: 'new',
  n: NEW_EVENTS,
  from: watermark + 1,
  stepUs: 300_000,
});

/** Events late inside the lookback: spread over the hour that starts two hours before `watermark`'s. */
const lateEvents = (watermark: number): Copies => ({
  file: 'late',
  n: LATE_EVENTS,
  from: Math.floor(watermark / HOUR_US) * HOUR_US - 2 * HOUR_US,
  stepUs: Math.floor(HOUR_US / (LATE_EVENTS + 1)),
});

/**
 * Links every events file of a kept lake into `dir`'s events table (the same partition paths), so
 * the engine lists and reads them as its own while nothing is ever written into the kept lake.
 */
async function linkLake(
  connection: Awaited<ReturnType<DuckDBInstance['connect']>>,
  kept: string,
  dir: string,
): Promise<ViewsLake> {
  const started = performance.now();
  const source = resolve(kept);
  if (!existsSync(join(source, '.complete')))
    throw new Error(`BENCH_MATERIALIZE_LAKE=${kept}: no .complete marker, not a finished views lake`);
  const files = (await readdir(join(source, 'events'), { recursive: true })).filter((f) =>
    f.endsWith('.parquet'),
  );
  if (files.length === 0) throw new Error(`BENCH_MATERIALIZE_LAKE=${kept}: no events files`);
  for (const file of files) {
    const target = join(dir, 'events', file);
    await mkdir(dirname(target), { recursive: true });
    await link(join(source, 'events', file), target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EXDEV') throw error;
      await copyFile(join(source, 'events', file), target);
    });
  }
  const reader = await connection.runAndReadAll(
    sql`SELECT sum(num_rows)::BIGINT AS n FROM parquet_file_metadata(${join(dir, 'events', '**', '*.parquet')})`
      .text,
  );
  const events = Number(reader.getRowObjectsJson()[0]?.n ?? 0);
  return { events, files: files.length, bytes: 0, ms: performance.now() - started };
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
    const lake = REUSED_LAKE
      ? await linkLake(generator, REUSED_LAKE, dir)
      : await generateViewsLake(generator, dir, EVENTS, 4);
    const origin = REUSED_LAKE
      ? `${lake.files} events files of ${REUSED_LAKE} linked`
      : `${lake.files} files written`;
    console.error(`  lake of ${lake.events} events: ${origin} in ${(lake.ms / 1000).toFixed(1)} s`);
    // A full recompute at 1e7 deduplicates every event with its payload: more than the default
    // 1 GB and 30 s of a query; both sides of each ratio run on this same engine.
    const duckdb = await createDuckDbEngine({ lake: dir, memoryLimit: MEMORY, timeoutMs: 30 * 60_000 });
    const tracer = tracing(duckdb);
    const engine = withR2SqlDialect(tracer.engine);
    const config = { engine, sink: createLakeDirSink(dir, 'rollups'), chunkBuckets: 24 * 8 };
    const build = await timed(() => refreshRollup(activity, initialRollupState(activity.key), config));
    console.error(`  build (all history materialized): ${build.ms.toFixed(0)} ms`);
    const built: RollupState = build.value.state;
    await landCopies(generator, dir, newEvents(built.watermark!));
    const incremental: number[] = [];
    const checked: number[] = [];
    const fullMs: number[] = [];
    const cpu = { incremental: [] as number[], full: [] as number[] };
    let state = built;
    let fullRows: Record<string, unknown>[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Each run refreshes from the built state: the same 10k new events after the same watermark.
      const step = await timed(() => refreshRollup(activity, built, config));
      incremental.push(step.ms);
      cpu.incremental.push(step.cpuMs);
      state = step.value.state;
      // The same refresh when the count of settled events rows is unknown (or moved): the late-event
      // check then reads the horizon of old buckets too.
      checked.push((await timed(() => refreshRollup(activity, { ...built, settled: null }, config))).ms);
      const full = await timed(() => engine.query(activity.render().sql));
      fullMs.push(full.ms);
      cpu.full.push(full.cpuMs);
      fullRows = full.value.rows;
    }
    const breakdown = await tracer.record(() => refreshRollup(activity, built, config));
    const [cpuIncremental, cpuFull] = [median(cpu.incremental), median(cpu.full)];
    console.error(
      `  CPU time: incremental ${cpuIncremental.toFixed(0)} ms, full ${cpuFull.toFixed(0)} ms (${(cpuFull / cpuIncremental).toFixed(1)}×)`,
    );
    for (const q of breakdown)
      console.error(
        `  ${q.ms.toFixed(1).padStart(7)} ms (plan ${q.planMs.toFixed(1)} ms, ${q.files} files) ${q.what}`,
      );
    const materialized = await readRollup(engine, activity, {}, { rawTail: false });
    const refreshIdentical = normalized(materialized.rows) === normalized(fullRows);
    // Late events inside the lookback: the refresh starts at their bucket, two hours back.
    await landCopies(generator, dir, lateEvents(built.watermark!));
    const withLate: number[] = [];
    for (let i = 0; i < RUNS; i++)
      withLate.push((await timed(() => refreshRollup(activity, built, config))).ms);
    const lateFull = (await engine.query(activity.render().sql)).rows;
    const lateRead = await readRollup(engine, activity, {}, { rawTail: false });
    const lateIdentical = normalized(lateRead.rows) === normalized(lateFull);
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
    const checkedRatio = median(fullMs) / median(checked);
    const readRatio = median(rawMs) / median(readMs);
    const lateRatio = median(fullMs) / median(withLate);
    const passed = refreshIdentical && readIdentical && lateIdentical && ratio >= TARGET;
    const markdown = [
      `### Materialized rollups (${lake.events.toExponential(0).replace('+', '')} events of history over ${LAKE_DAYS} days + ${NEW_EVENTS.toLocaleString('en-US')} new)`,
      '',
      `Rollup \`${activity.key}\`: events, distinct actors and an amount per namespace per hour, every event`,
      'of the lake, deduplicated on id. Local DuckDB through `withR2SqlDialect`; the refreshes land as Parquet',
      `files in the lake's rollups table. Median of ${RUNS} interleaved runs; the results of each pair are checked identical.`,
      '',
      '| | ms | baseline ms | ratio | identical |',
      '|---|---:|---:|---:|---|',
      `| incremental refresh (10k new) vs full recompute | ${median(incremental).toFixed(0)} | ${median(fullMs).toFixed(0)} | ${ratio.toFixed(1)}× | ${refreshIdentical ? 'yes' : 'NO'} |`,
      `| the same with ${LATE_EVENTS} more events late inside the lookback (recomputed from their bucket) | ${median(withLate).toFixed(0)} | ${median(fullMs).toFixed(0)} | ${lateRatio.toFixed(1)}× | ${lateIdentical ? 'yes' : 'NO'} |`,
      `| incremental refresh with the late-event check vs full recompute | ${median(checked).toFixed(0)} | ${median(fullMs).toFixed(0)} | ${checkedRatio.toFixed(1)}× | – |`,
      `| read materialized + raw tail vs from raw events | ${median(readMs).toFixed(0)} | ${median(rawMs).toFixed(0)} | ${readRatio.toFixed(1)}× | ${readIdentical ? 'yes' : 'NO'} |`,
      '',
      `Build (first refresh, all history, ${build.value.chunks.length} chunks): ${(build.ms / 1000).toFixed(1)} s; lake: ${origin} in ${(lake.ms / 1000).toFixed(1)} s; ${materialized.rows.length} materialized rows; watermark after: ${new Date(state.watermark! / 1000).toISOString()}.`,
      'A refresh recomputes from the last bucket of its lookback before which no events row landed since the',
      'previous refresh (rows counted before each bucket start): the 10k new events are all after the history,',
      'so only their hour is recomputed, its rows read in the same statement as the start (the engine reads one',
      'snapshot per statement); the late events inside the lookback move the start back to their hour.',
      'The late-event check (a horizon of old buckets counted) runs only when the events rows before the',
      "refresh's start are no longer those the last refresh counted, or late events are still reported.",
      `Target: incremental ≥ ${TARGET}× faster than the full recompute, results identical.`,
    ].join('\n');
    return { name: 'materialize', markdown, passed };
  } finally {
    generator.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
