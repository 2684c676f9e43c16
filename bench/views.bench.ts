/**
 * Every view of the library (whatever `views/index.ts` exports, so each family wired in is measured)
 * on the local DuckDB engine through `withR2SqlDialect`, over generated lakes of 1e4, 1e5, 1e6 and 1e7
 * events (30 days, several files per day, with things and actions). Per view and size: the median
 * time of a run (render, check, translate, query, the view's own step) and the files and bytes the
 * query reads (the engine's metrics when it reports them, else R2 SQL's billing model over the files
 * of the tables it names). Targets: ≤ 1 s at 1e7, and 1e7/1e6 ≤ 10× (no worse than linear).
 *
 * @module
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createScanMetrics } from '../local/r2sql/scan-metrics.ts';
import { createDuckDbEngine } from '../query/duckdb/index.ts';
import { withR2SqlDialect } from '../query/index.ts';
import { type SqlFragment, sql } from '../sql/index.ts';
import { collectViews } from '../test/node/views/library-views.ts';
import * as library from '../views/index.ts';
import type { View } from '../views/index.ts';
import { type BenchReport, median } from './machine.ts';
import { generateViewsLake, LAKE_DAYS, LAKE_FROM, type ViewsLake } from './views-lake.ts';

// BENCH_VIEWS_SIZES=1e4,1e5 runs a quick subset (the growth ratio is then between the last two sizes).
const SIZES = (process.env.BENCH_VIEWS_SIZES ?? '1e4,1e5,1e6,1e7').split(',').map(Number);
const FILES_PER_DAY = 4;
const TARGET_MS = 1000;
const TARGET_GROWTH = 10;
// BENCH_VIEWS_ONLY=things_current,active_actors measures only those views (by name), to compare one
// change before and after in the same minute.
const ONLY = process.env.BENCH_VIEWS_ONLY?.split(',').filter(Boolean);
// BENCH_VIEWS_DIR=/path keeps each size's lake in /path/<n> and reuses it on the next run.
const KEEP_DIR = process.env.BENCH_VIEWS_DIR;
const COMPLETE = '.complete';
const day = (n: number) => new Date(LAKE_FROM.getTime() + n * 86_400_000).toISOString();

async function writeLake(connection: DuckDBConnection, dir: string, n: number): Promise<ViewsLake> {
  const lake = await generateViewsLake(connection, dir, n, FILES_PER_DAY);
  console.error(`  lake of ${n} events: ${lake.files} files in ${(lake.ms / 1000).toFixed(1)} s`);
  return lake;
}

/** A kept lake's files and bytes (its write time is not known). */
function describeLake(dir: string): ViewsLake {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet'));
  const bytes = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  return { events: Number.NaN, files: files.length, bytes, ms: 0 };
}

/** Values picked from a generated lake, so every view runs on data it holds. */
interface LakeSamples {
  thing: string;
  type: string;
  ns: string;
  versions: { min: number; max: number };
  actor: string;
  action: { verb: string; type: string };
}

/**
 * The thing with the most versions on main, its type and namespace, the busiest actor and the most
 * frequent completed (verb, type) of actions — read by the generator's own connection (the engine's
 * memory limit is for the views).
 */
async function lakeSamples(connection: DuckDBConnection, dir: string): Promise<LakeSamples> {
  const table = (name: string) => sql`read_parquet(${join(dir, name, '**', '*.parquet')})`;
  const pick = async (query: SqlFragment) =>
    ((await connection.runAndReadAll(query.text)).getRowObjectsJson()[0] ?? {}) as Record<string, unknown>;
  const thing = await pick(sql`SELECT thing, type, ns, min(version) AS lo, max(version) AS hi
    FROM ${table('things')} WHERE branch IS NULL AND NOT deleted
    GROUP BY thing, type, ns ORDER BY count(*) DESC, thing LIMIT 1`);
  const actor = await pick(sql`SELECT actor FROM ${table('events')} WHERE actor IS NOT NULL
    GROUP BY actor ORDER BY count(*) DESC, actor LIMIT 1`);
  const action = await pick(sql`SELECT verb, type FROM ${table('actions')} WHERE status = 'completed'
    GROUP BY verb, type ORDER BY count(*) DESC, verb, type LIMIT 1`);
  return {
    thing: String(thing.thing),
    type: String(thing.type),
    ns: String(thing.ns),
    versions: { min: Number(thing.lo), max: Number(thing.hi) },
    actor: String(actor.actor),
    action: { verb: String(action.verb), type: String(action.type) },
  };
}

/**
 * Params per view, by name, where a view's defaults do not make a representative query: what a
 * dashboard or an auditor would ask of a lake this size (one thing, one namespace, one type).
 */
function namedParams(s: LakeSamples): Record<string, Record<string, unknown>> {
  const week = { since: day(10), until: day(17) };
  return {
    action_durations: week,
    failure_rate: week,
    actions_of: { ...s.action, ...week },
    audit_thing_changes: { target: s.thing, to_version: s.versions.max },
    audit_trail_by_actor: { actor: s.actor, ...week },
    audit_trail_by_target: { target: s.thing },
    thing_at_ref: { ref: `${s.thing}@v${s.versions.max}` },
    thing_diff: { thing: s.thing, from: s.versions.min, to: s.versions.max },
    things_where: { type: s.type, where: [{ path: 'data.stage', op: 'eq', value: 'seed' }] },
    world_as_of: { at: day(17), type: s.type },
    search_things: { text: 'thing 1', type: s.type },
    relationships: { from: s.actor, ...week },
    // An auditor checks a namespace's chain; over every namespace at once these read the whole lake.
    ...Object.fromEntries(
      ['audit_chain_links', 'audit_checkpoints', 'audit_completeness', 'audit_events', 'audit_gaps'].map(
        (name) => [name, { ns: s.ns }],
      ),
    ),
  };
}

/** Params for a view: its named entry, else its defaults, with a week's window when it has one. */
function sampleParams(view: View, samples: LakeSamples): Record<string, unknown> {
  const given = namedParams(samples)[view.name];
  if (given) return given;
  const params: Record<string, unknown> = {};
  if (view.time?.since) params[view.time.since] = day(10);
  if (view.time?.until) params[view.time.until] = day(17);
  return params;
}

interface Measured {
  ms: number;
  rows: number;
  files?: number;
  bytes?: number;
  error?: string;
}

type Engine = Awaited<ReturnType<typeof openEngine>>;

async function openEngine(lake: string) {
  const duckdb = await createDuckDbEngine({ lake });
  const metrics = createScanMetrics(duckdb);
  return { duckdb, engine: withR2SqlDialect(duckdb), metrics };
}

/** Runs a view `runs` times (after one warm-up) and measures its scan once. */
async function measure(open: Engine, view: View, runs: number, samples: LakeSamples): Promise<Measured> {
  let params: unknown;
  let rendered: ReturnType<View['render']>;
  try {
    params = sampleParams(view, samples);
    rendered = view.render(params);
  } catch (error) {
    return { ms: Number.NaN, rows: 0, error: `no sample params: ${(error as Error).message}` };
  }
  const once = async () => {
    const started = performance.now();
    const run = await open.engine.run(rendered.sql);
    const rows = view.finish(run.result.rows, rendered.params);
    return { ms: performance.now() - started, rows: rows.length, run };
  };
  try {
    const first = await once();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await once()).ms);
    const { result, translation } = first.run;
    const columns = translation.selectsAll ? null : translation.identifiers;
    // The files the engine kept after pruning on the time bound, else every file of each table named.
    const scans =
      first.run.scans?.map((scan) => ({ files: scan.files, columns })) ??
      (await Promise.all(
        translation.tables.map(async (t) => ({
          files: await open.duckdb.tableFiles(`${t.namespace}.${t.table}`),
          columns,
        })),
      ));
    const metrics =
      result.metrics?.bytes_scanned !== undefined ? result.metrics : await open.metrics.measure(scans);
    return {
      ms: median(times),
      rows: first.rows,
      files: metrics.files_scanned,
      bytes: metrics.bytes_scanned,
    };
  } catch (error) {
    return { ms: Number.NaN, rows: 0, error: (error as Error).message.split('\n')[0] };
  }
}

const fmtMs = (m?: Measured) => (!m ? '' : m.error ? 'error' : m.ms < 10 ? m.ms.toFixed(1) : m.ms.toFixed(0));
const fmtBytes = (b?: number) =>
  b === undefined ? '' : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`;

function table(
  views: View[],
  results: Map<string, Measured>[],
  lakes: string[],
): { lines: string[]; passed: boolean } {
  const label = (n: number) => n.toExponential(0).replace('+', '');
  const [last, prev] = [label(SIZES.at(-1)!), label(SIZES.at(-2) ?? SIZES.at(-1)!)];
  const lines = [
    `| view | ${SIZES.map((n) => `${label(n)} ms`).join(' | ')} | ${last}/${prev} | files / bytes scanned at ${SIZES.map(label).join(', ')} | rows at ${last} |`,
    `|---|${SIZES.map(() => '---:').join('|')}|---:|---|---:|`,
  ];
  let passed = true;
  const notes: string[] = [];
  for (const view of views) {
    const per = results.map((r) => r.get(view.key));
    const big = per.at(-1);
    const prev = per.at(-2);
    const growth = big && prev && !big.error && !prev.error ? big.ms / prev.ms : Number.NaN;
    const ok = !!big && !big.error && big.ms <= TARGET_MS && growth <= TARGET_GROWTH;
    passed &&= ok;
    const scanned = per
      .map((m) => (m?.files === undefined ? '–' : `${m.files} / ${fmtBytes(m.bytes)}`))
      .join(', ');
    lines.push(
      `| ${view.key} | ${per.map(fmtMs).join(' | ')} | ${Number.isNaN(growth) ? '–' : `${growth.toFixed(1)}×`}${ok ? '' : ' ✗'} | ${scanned} | ${big?.rows ?? ''} |`,
    );
    for (const m of per) if (m?.error) notes.push(`${view.key}: ${m.error}`);
  }
  lines.push('', `Lakes: ${lakes.join('; ')}.`);
  if (notes.length) lines.push('', ...[...new Set(notes)].map((n) => `- ${n}`));
  return { lines, passed };
}

/**
 * Runs the benchmark and returns its markdown section.
 *
 * @example
 * ```ts
 * import { benchViews } from './views.bench.ts';
 * console.log((await benchViews()).markdown);
 * ```
 */
export async function benchViews(): Promise<BenchReport> {
  const all = collectViews(library);
  const views = ONLY ? all.filter((view) => ONLY.includes(view.name)) : all;
  if (views.length === 0)
    throw new Error(`BENCH_VIEWS_ONLY names no view; views: ${all.map((v) => v.name).join(', ')}`);
  const results: Map<string, Measured>[] = [];
  const lakes: string[] = [];
  const generator = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
  for (const n of SIZES) {
    const kept = KEEP_DIR ? join(KEEP_DIR, String(n)) : undefined;
    const dir = kept ?? (await mkdtemp(join(tmpdir(), 'dotdo-bench-views-')));
    try {
      // A kept lake that is complete is only read (its marker is not touched again).
      const reused = kept !== undefined && existsSync(join(kept, COMPLETE));
      const lake = reused ? describeLake(dir) : await writeLake(generator, dir, n);
      if (kept && !reused) writeFileSync(join(kept, COMPLETE), '');
      lakes.push(
        `${n.toExponential(0).replace('+', '')}: ${lake.files} files, ${fmtBytes(lake.bytes)}${lake.ms ? `, written in ${(lake.ms / 1000).toFixed(1)} s` : ''}`,
      );
      const open = await openEngine(dir);
      const measured = new Map<string, Measured>();
      const samples = await lakeSamples(generator, dir);
      for (const view of views) {
        measured.set(view.key, await measure(open, view, n >= 1_000_000 ? 3 : 5, samples));
        console.error(`  ${view.key} @ ${n}: ${fmtMs(measured.get(view.key))} ms`);
      }
      open.duckdb.close();
      results.push(measured);
    } finally {
      if (!kept) await rm(dir, { recursive: true, force: true });
    }
  }
  generator.closeSync();
  const { lines, passed } = table(views, results, lakes);
  const markdown = [
    `### Views on local DuckDB (${views.length} views of the library, 1e4–1e7 events over ${LAKE_DAYS} days)`,
    '',
    `Each view runs with its sample params (time-bounded views over one week of the ${LAKE_DAYS} days) through`,
    '`withR2SqlDialect(createDuckDbEngine(...))`: render, dialect check and translation, the query, the',
    "view's own step. Median of 5 runs (3 at 1e6 and 1e7) after a warm-up. Bytes scanned are R2 SQL's",
    'billing model (footer + the column chunks the query names, per file of the tables it reads).',
    `Targets: ≤ ${TARGET_MS} ms at the largest size and ≤ ${TARGET_GROWTH}× from the one before (✗ marks a miss).`,
    '',
    ...lines,
  ].join('\n');
  return { name: 'views', markdown, passed };
}
