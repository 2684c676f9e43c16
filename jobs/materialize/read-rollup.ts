import {
  namespaceTables,
  type ViewEngine,
  type ViewRenderOptions,
  type ViewTable,
} from '../../views/index.ts';

/** Per-call options of {@link readRollup}. */
export interface ReadRollupOptions extends ViewRenderOptions {
  /**
   * Recompute the watermark's bucket and later from raw events (default true). False answers what
   * the refreshes materialized alone, the last bucket included, as of the last refresh.
   */
  rawTail?: boolean;
  /**
   * Where the materialization is read (default: `table`). A tenant's namespace-filtered tables cannot
   * filter the `rollups` table (it has no `ns`): pass the unfiltered one here, and `keep`.
   */
  rollupsTable?: ViewTable;
  /** Keeps only the materialized rows this answers true for (e.g. the namespaces a token may read). */
  keep?: (row: Record<string, unknown>) => boolean;
}
import { bucketStart, isoOf, toMicros, WINDOW_US } from './bucket-time.ts';
import { readCommits, type WinningSegment, winningSegments } from './rollup-commits.ts';
import { type AnyRollup, refreshRowCountsSql, refreshRowsSql } from './rollup-sql.ts';

/** A rollup read: its rows, and which bucket ranges came from the materialization and which from raw events. */
export interface RollupReadResult {
  view: string;
  rows: Record<string, unknown>[];
  sources: { materialized: [number, number][]; raw: [number, number][] };
  /** Newest event time the materialization has seen (µs), null when nothing is materialized. */
  watermark: number | null;
}

const MAX_RAW_RANGES = 16;
type Range = [number, number];

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  for (let i = 0; i < Math.min(x.length, y.length); ) {
    const [cx, cy] = [x.codePointAt(i)!, y.codePointAt(i)!];
    if (cx !== cy) return cx - cy;
    i += cx > 0xffff ? 2 : 1;
  }
  return x.length - y.length;
}

/** The materialized ranges within the whole buckets of [since, until), before the watermark's bucket. */
function coveredRanges(
  segments: WinningSegment[],
  since: number,
  until: number,
  tail: number,
  size: number,
  window: AnyRollup['rollup']['window'],
) {
  const first = bucketStart(since, window) === since ? since : bucketStart(since, window) + size;
  const last = Math.min(bucketStart(until, window), tail);
  return segments
    .map((s) => ({ ...s, from: Math.max(s.from, first), to: Math.min(s.to, last) }))
    .filter((s) => s.from < s.to);
}

function gapsOf(covered: { from: number; to: number }[], since: number, until: number): Range[] {
  const gaps: Range[] = [];
  let at = since;
  for (const s of covered) {
    if (s.from > at) gaps.push([at, s.from]);
    at = Math.max(at, s.to);
  }
  if (at < until) gaps.push([at, until]);
  return gaps;
}

/**
 * Reads a rollup the fast way: the buckets its refreshes materialized (the newest complete refresh per
 * bucket) plus the not-yet-refreshed tail — and any range never materialized — computed from raw
 * events by the rollup's own SQL. The rows equal the rollup run over raw events as of its last
 * refresh, with the tail current; `sources` says which part came from where.
 *
 * @example
 * ```ts
 * import { readRollup } from './read-rollup.ts';
 * const { rows, sources } = await readRollup(engine, revenue, { since: '2026-11-01' });
 * sources.raw.length >= 0; // true
 * ```
 */
export async function readRollup(
  engine: ViewEngine,
  rollup: AnyRollup,
  input: unknown = {},
  options: ReadRollupOptions = {},
): Promise<RollupReadResult> {
  const params = rollup.parseParams(input);
  const table = options.table ?? namespaceTables(options.namespace ?? 'analytics');
  const window = rollup.rollup.window;
  const size = WINDOW_US[window];
  const since = params.since ? params.since.getTime() * 1000 : Number.MIN_SAFE_INTEGER;
  const until = params.until ? params.until.getTime() * 1000 : Number.MAX_SAFE_INTEGER;
  const rollups = options.rollupsTable ?? table;
  const segments = winningSegments(await readCommits(engine, rollup, rollups));
  const watermark = segments.length ? Math.max(...segments.map((s) => s.watermark)) : null;
  const tail =
    options.rawTail === false
      ? Number.MAX_SAFE_INTEGER
      : watermark === null
        ? Number.MIN_SAFE_INTEGER
        : bucketStart(watermark, window);
  let covered = coveredRanges(segments, since, until, tail, size, window);
  let gaps = options.rawTail === false ? [] : gapsOf(covered, since, until);
  if (gaps.length > MAX_RAW_RANGES) {
    covered = [];
    gaps = [[since, until]];
  }
  const raw = await rawRows(engine, rollup, gaps, params.limit, { table });
  // Rows sort by bucket first: only the buckets up to where the page ends are read (rows a `keep`
  // drops would move that end, so then all are).
  const reach = options.keep ? covered : await pageReach(engine, rollup, rollups, covered, raw, params.limit);
  const rows = [
    ...(await materializedRows(engine, rollup, rollups, reach)).filter(options.keep ?? (() => true)),
    ...raw,
  ];
  const order = ['bucket', ...rollup.rollup.groupBy.map((g) => g.column)];
  rows.sort((a, b) => {
    for (const column of order) {
      const c = compareValues(a[column], b[column]);
      if (c !== 0) return c;
    }
    return 0;
  });
  return {
    view: rollup.key,
    rows: rows.slice(0, params.limit),
    sources: { materialized: covered.map((s) => [s.from, s.to]), raw: gaps },
    watermark,
  };
}

/** Whether a row of refresh `id` in `bucket` is one a winning segment answers with. */
const inSegment = (covered: readonly WinningSegment[], id: string, bucket: number): boolean =>
  covered.some((s) => s.refreshId === id && bucket >= s.from && bucket < s.to);

/**
 * The covered ranges cut after the bucket where the first `limit` rows end, counted per bucket
 * (materialized and raw together); as they are when every row fits (the refreshes' own row counts
 * say so without a query).
 */
async function pageReach(
  engine: ViewEngine,
  rollup: AnyRollup,
  table: ViewTable,
  covered: WinningSegment[],
  raw: Record<string, unknown>[],
  limit: number,
): Promise<WinningSegment[]> {
  if (covered.length === 0 || covered.reduce((n, s) => n + s.rows, 0) + raw.length <= limit) return covered;
  const ids = [...new Set(covered.map((s) => s.refreshId))];
  const from = Math.min(...covered.map((s) => s.from));
  const to = Math.max(...covered.map((s) => s.to));
  const { rows } = await engine.query(refreshRowCountsSql(rollup, table, ids, from, to).text);
  const perBucket = new Map<number, number>();
  const add = (bucket: number, n: number) => perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + n);
  for (const row of rows) {
    const bucket = toMicros(row.bucket);
    const id = String(row.refresh_id);
    if (inSegment(covered, id, bucket)) add(bucket, Number(row.rows));
  }
  for (const row of raw) add(toMicros(row.bucket), 1);
  let total = 0;
  for (const bucket of [...perBucket.keys()].sort((a, b) => a - b)) {
    total += perBucket.get(bucket)!;
    if (total >= limit) {
      return covered.map((s) => ({ ...s, to: Math.min(s.to, bucket + 1) })).filter((s) => s.from < s.to);
    }
  }
  return covered;
}

async function materializedRows(
  engine: ViewEngine,
  rollup: AnyRollup,
  table: NonNullable<ViewRenderOptions['table']>,
  covered: WinningSegment[],
): Promise<Record<string, unknown>[]> {
  if (covered.length === 0) return [];
  const ids = [...new Set(covered.map((s) => s.refreshId))];
  const limit = covered.reduce((n, s) => n + s.rows, 0) + 1;
  const from = Math.min(...covered.map((s) => s.from));
  const to = Math.max(...covered.map((s) => s.to));
  const { rows } = await engine.query(refreshRowsSql(rollup, table, ids, from, to, limit).text);
  const out: Record<string, unknown>[] = [];
  for (const row of rows) {
    const bucket = toMicros(row.bucket);
    const id = String(row.refresh_id);
    if (!inSegment(covered, id, bucket)) continue;
    const key = JSON.parse(String(row.key)) as unknown[];
    const measures = typeof row.measures === 'string' ? JSON.parse(row.measures) : row.measures;
    out.push({
      bucket: isoOf(bucket),
      ...Object.fromEntries(rollup.rollup.groupBy.map((g, i) => [g.column, key[i] ?? null])),
      ...(measures as Record<string, unknown>),
    });
  }
  return out;
}

async function rawRows(
  engine: ViewEngine,
  rollup: AnyRollup,
  gaps: Range[],
  limit: number,
  options: ViewRenderOptions,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const [from, to] of gaps) {
    const bounds = {
      ...(from > Number.MIN_SAFE_INTEGER ? { since: new Date(from / 1000) } : {}),
      ...(to < Number.MAX_SAFE_INTEGER ? { until: new Date(to / 1000) } : {}),
      limit,
    };
    const { rows } = await engine.query(rollup.render(bounds, options).sql);
    for (const row of rows) out.push({ ...row, bucket: isoOf(toMicros(row.bucket)) });
  }
  return out;
}
