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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createScanMetrics } from '../local/r2sql/scan-metrics.ts';
import { createDuckDbEngine } from '../query/duckdb/index.ts';
import { withR2SqlDialect } from '../query/index.ts';
import { collectViews } from '../test/node/views/library-views.ts';
import * as library from '../views/index.ts';
import type { View } from '../views/index.ts';
import { type BenchReport, median } from './machine.ts';
import { generateViewsLake, LAKE_DAYS, LAKE_FROM } from './views-lake.ts';

// BENCH_VIEWS_SIZES=1e4,1e5 runs a quick subset (the growth ratio is then between the last two sizes).
const SIZES = (process.env.BENCH_VIEWS_SIZES ?? '1e4,1e5,1e6,1e7').split(',').map(Number);
const FILES_PER_DAY = 4;
const TARGET_MS = 1000;
const TARGET_GROWTH = 10;
const day = (n: number) => new Date(LAKE_FROM.getTime() + n * 86_400_000).toISOString();

/**
 * Params per view, by name, where a view's defaults do not make a representative query; a view
 * bounded in time (`view.time`) gets a one-week window unless given one here.
 */
const PARAMS: Record<string, Record<string, unknown>> = {};

/** Params for a view: its entry in PARAMS, else its defaults, with a week's window when it has one. */
function sampleParams(view: View): Record<string, unknown> {
  const given = PARAMS[view.name];
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
async function measure(open: Engine, view: View, runs: number): Promise<Measured> {
  let params: unknown;
  let rendered: ReturnType<View['render']>;
  try {
    params = sampleParams(view);
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
    const reported = result.metrics;
    const scans = await Promise.all(
      translation.tables.map(async (t) => ({
        files: await open.duckdb.tableFiles(`${t.namespace}.${t.table}`),
        columns: translation.selectsAll ? null : translation.identifiers,
      })),
    );
    const metrics = reported?.files_scanned !== undefined ? reported : await open.metrics.measure(scans);
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
  const views = collectViews(library);
  const results: Map<string, Measured>[] = [];
  const lakes: string[] = [];
  const generator = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
  for (const n of SIZES) {
    const dir = await mkdtemp(join(tmpdir(), 'dotdo-bench-views-'));
    try {
      const lake = await generateViewsLake(generator, dir, n, FILES_PER_DAY);
      lakes.push(
        `${n.toExponential(0).replace('+', '')}: ${lake.files} files, ${fmtBytes(lake.bytes)}, written in ${(lake.ms / 1000).toFixed(1)} s`,
      );
      console.error(`  lake of ${n} events: ${lake.files} files in ${(lake.ms / 1000).toFixed(1)} s`);
      const open = await openEngine(dir);
      const measured = new Map<string, Measured>();
      for (const view of views) {
        measured.set(view.key, await measure(open, view, n >= 1_000_000 ? 3 : 5));
        console.error(`  ${view.key} @ ${n}: ${fmtMs(measured.get(view.key))} ms`);
      }
      open.duckdb.close();
      results.push(measured);
    } finally {
      await rm(dir, { recursive: true, force: true });
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
