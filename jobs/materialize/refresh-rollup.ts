import type { Sink } from '../../ingest/sink.ts';
import { ROLLUPS_SCHEMA_VERSION, type RollupLakeRow } from '../../schemas/index.ts';
import { namespaceTables, type ViewEngine, type ViewTable } from '../../views/index.ts';
import { bucketChunks, bucketStart, toMicros, WINDOW_US } from './bucket-time.ts';
import type { RefreshChunk, RollupState } from './materialize-state.ts';
import { bucketCounts, findLateEvents, type LateEvents, settledRows } from './late-events.ts';
import type { AnyRollup } from './rollup-sql.ts';
import { type Landed, landed, type StartReader, startSince } from './refresh-start.ts';

/** Construction options of a refresh: where it reads and writes, and how much it recomputes. */
export interface RefreshRollupConfig {
  engine: ViewEngine;
  /** Where rollups rows go: the `rollups` stream (a Pipelines binding or our HTTP sink). */
  sink: Sink;
  /** The lake namespace (default `analytics`). */
  namespace?: string;
  /** How far behind the watermark a refresh recomputes (µs; default two buckets). */
  lookbackUs?: number;
  /** Buckets per chunk, each a refresh of its own with its own commit (default 168). */
  chunkBuckets?: number;
  /** How far before the lookback the late-event check reaches, in buckets (default 168). */
  lateHorizonBuckets?: number;
  /** The clock (µs). */
  now?: () => number;
  /** Mints refresh ids (default a time-ordered random id). */
  refreshId?: () => string;
  /** At most this many chunks per call (default: all); a build then resumes on the next call. */
  maxChunks?: number;
  /** Called after each chunk lands. */
  onChunk?: (chunk: RefreshChunk) => void;
}

/** What a refresh did. */
export interface RefreshOutcome {
  state: RollupState;
  chunks: RefreshChunk[];
  /** Newest landed event time (µs), null when none has landed. */
  newest: number | null;
}

const ROW_LIMIT = 100_000;
const SEND_BATCH = 500;

const readerOf = (config: RefreshRollupConfig): StartReader => ({
  engine: config.engine,
  table: namespaceTables(config.namespace ?? 'analytics'),
  rowLimit: ROW_LIMIT,
});

const defaultId = (now: number) => `${now.toString(36).padStart(12, '0')}-${crypto.randomUUID().slice(0, 8)}`;

function lakeRow(
  rollup: AnyRollup,
  refreshId: string,
  ts: number,
  row: Record<string, unknown>,
): RollupLakeRow {
  const bucket = toMicros(row.bucket);
  const key = JSON.stringify(rollup.rollup.groupBy.map((g) => row[g.column] ?? null));
  const measures = Object.fromEntries(Object.keys(rollup.rollup.measures).map((m) => [m, row[m] ?? null]));
  return {
    schema_version: ROLLUPS_SCHEMA_VERSION,
    id: `${rollup.key}/${refreshId}/${bucket}/${key}`,
    view: rollup.name,
    version: rollup.version,
    refresh_id: refreshId,
    ts,
    kind: 'row',
    bucket,
    key,
    measures: measures as RollupLakeRow['measures'],
    range_from: null,
    range_to: null,
    rows: null,
    watermark: null,
  };
}

/** Events per bucket as the rows count them, when the rollup counts every event (`count()`). */
function countsFromRows(rollup: AnyRollup, rows: Record<string, unknown>[]): Map<number, number> | null {
  const measures = Object.entries(rollup.rollup.measures);
  const counted = measures.find(([, m]) => m.kind === 'count' && m.field === undefined)?.[0];
  if (counted === undefined) return null;
  const counts = new Map<number, number>();
  for (const row of rows) {
    const bucket = toMicros(row.bucket);
    counts.set(bucket, (counts.get(bucket) ?? 0) + Number(row[counted] ?? 0));
  }
  return counts;
}

/**
 * Recomputes `[from, to)` of a rollup as one refresh: its rows, then a commit naming the range, the
 * row count and the events per bucket. Readers ignore the rows until the commit and every row have
 * landed, so a refresh cut short is never seen; a retry writes a newer refresh that wins.
 *
 * @example
 * ```ts
 * import { materializeRange } from './refresh-rollup.ts';
 * const chunk = await materializeRange(revenue, 0, 3_600_000_000, 0, { engine, sink });
 * chunk.rows >= 0; // true
 * ```
 */
export async function materializeRange(
  rollup: AnyRollup,
  from: number,
  to: number,
  watermark: number,
  config: RefreshRollupConfig,
): Promise<RefreshChunk> {
  const { rows } = await config.engine.query(
    rollup.render({ since: from / 1000, until: to / 1000, limit: ROW_LIMIT }).sql,
  );
  const size = WINDOW_US[rollup.rollup.window];
  if (rows.length >= ROW_LIMIT) {
    if (to - from <= size) throw new Error(`rollup ${rollup.key}: one bucket holds ${ROW_LIMIT}+ groups`);
    const middle = bucketStart(from + Math.floor((to - from) / 2), rollup.rollup.window);
    const left = await materializeRange(rollup, from, middle, watermark, config);
    const right = await materializeRange(rollup, middle, to, watermark, config);
    return { refreshId: `${left.refreshId}+${right.refreshId}`, from, to, rows: left.rows + right.rows };
  }
  return landRange(rollup, from, to, watermark, rows, config);
}

/** Lands `rows`, every group of `[from, to)` (fewer than the row limit), as one refresh. */
async function landRange(
  rollup: AnyRollup,
  from: number,
  to: number,
  watermark: number,
  rows: Record<string, unknown>[],
  config: RefreshRollupConfig,
): Promise<RefreshChunk> {
  const table = namespaceTables(config.namespace ?? 'analytics');
  const ts = (config.now ?? (() => Date.now() * 1000))();
  // Every deduplicated event falls in exactly one group of its bucket, so a count() measure summed
  // over a bucket's groups is its event count: no second query then.
  const counts = countsFromRows(rollup, rows) ?? (await bucketCounts(config.engine, rollup, table, from, to));
  const refreshId = config.refreshId?.() ?? defaultId(ts);
  const lake = rows.map((row) => lakeRow(rollup, refreshId, ts, row));
  for (let i = 0; i < lake.length; i += SEND_BATCH) await config.sink.send(lake.slice(i, i + SEND_BATCH));
  const commit: RollupLakeRow = {
    ...lakeRow(rollup, refreshId, ts, { bucket: from }),
    id: `${rollup.key}/${refreshId}/commit`,
    kind: 'commit',
    bucket: null,
    key: null,
    measures: { events: Object.fromEntries([...counts].map(([b, n]) => [String(b), n])) },
    range_from: from,
    range_to: to,
    rows: lake.length,
    watermark,
  };
  await config.sink.send([commit]);
  const chunk = { refreshId, from, to, rows: lake.length };
  config.onChunk?.(chunk);
  return chunk;
}

/**
 * Recomputes exactly `[from, to)` (aligned to buckets), in chunks: a targeted backfill.
 *
 * @example
 * ```ts
 * import { backfillRollup } from './refresh-rollup.ts';
 * const chunks = await backfillRollup(revenue, { from: 0, to: 86_400_000_000 }, { engine, sink });
 * chunks.length > 0; // true
 * ```
 */
export async function backfillRollup(
  rollup: AnyRollup,
  range: { from: number; to: number },
  config: RefreshRollupConfig,
): Promise<RefreshChunk[]> {
  const { newest } = await landed(rollup, readerOf(config));
  const chunks: RefreshChunk[] = [];
  for (const [a, b] of bucketChunks(range.from, range.to, rollup.rollup.window, config.chunkBuckets ?? 168)) {
    chunks.push(await materializeRange(rollup, a, b, newest ?? a, config));
  }
  return chunks;
}

/** Bucket starts a refresh records counts before, at most (see `RollupState.settled.marks`). */
const MAX_MARKS = 16;

/**
 * Where the next refresh may start: `next` and the bucket starts up to the end of the newest bucket
 * (the latest {@link MAX_MARKS} of them), each a time the rows landed before are counted at.
 */
function marksOf(next: number, newest: number, window: AnyRollup['rollup']['window']): number[] {
  const size = WINDOW_US[window];
  const marks: number[] = [];
  for (let at = bucketStart(newest, window) + size; at > next && marks.length < MAX_MARKS - 1; at -= size)
    marks.unshift(at);
  return [next, ...marks];
}

/**
 * The latest bucket start, at or after `floor`, before which no events row has landed since the last
 * refresh counted (its count unchanged): every bucket before it is as that refresh left it, so a
 * refresh recomputes from there. Rows only ever land, so a count before a time that is unchanged is
 * unchanged before every earlier time too; the marks are walked in order and the walk stops at the
 * first that moved. `floor` when the last refresh left no marks or they start after `floor`.
 */
function unchangedUntil(
  prior: RollupState['settled'],
  rowsBefore: ReadonlyMap<number, number> | null,
  floor: number,
): number {
  const marks = prior?.marks;
  if (!marks || !rowsBefore || marks.length === 0 || marks[0]![0] > floor) return floor;
  let start = floor;
  for (const [at, rows] of marks) {
    if (rowsBefore.get(at) !== rows) break;
    if (at > start) start = at;
  }
  return start;
}

/**
 * One incremental refresh: recomputes the buckets at or after `watermark − lookback` up to the newest
 * landed event (everything, in chunks, the first time), skipping those before which nothing has landed
 * since the last refresh (see `unchangedUntil`), then counts events that landed in older buckets
 * than the lookback — later than it — and reports them in the state, for a backfill. That check
 * reads a horizon of old buckets, so it runs only when something may have landed there: when the
 * events rows before where this refresh starts are no longer what the last refresh counted (see
 * `settledRows`), when late events are still reported, or when the last refresh left no count.
 *
 * @example
 * ```ts
 * import { initialRollupState } from './materialize-state.ts';
 * import { refreshRollup } from './refresh-rollup.ts';
 * const { state } = await refreshRollup(revenue, initialRollupState(revenue.key), { engine, sink });
 * state.watermark !== null; // true once events have landed
 * ```
 */
export async function refreshRollup(
  rollup: AnyRollup,
  state: RollupState,
  config: RefreshRollupConfig,
): Promise<RefreshOutcome> {
  const window = rollup.rollup.window;
  const size = WINDOW_US[window];
  const lookback = config.lookbackUs ?? 2 * size;
  const table = namespaceTables(config.namespace ?? 'analytics');
  // Once refreshed, only what landed since the lookback matters (events never leave the lake), so the
  // engine reads only the newest files; the first refresh reads the whole span.
  const since = state.watermark === null ? undefined : bucketStart(state.watermark - lookback, window);
  const reader = readerOf(config);
  let start: Landed =
    since === undefined ? await landed(rollup, reader) : await startSince(rollup, reader, since, state);
  if (since !== undefined && start.newest === null) start = await landed(rollup, reader);
  const { oldest, newest } = start;
  if (oldest === null || newest === null) return { state, chunks: [], newest: null };
  const from = state.resumeFrom ?? since ?? bucketStart(oldest, window);
  const to = bucketStart(newest, window) + size;
  const next = bucketStart(newest - lookback, window);
  const prior = state.watermark === null ? null : (state.settled ?? null);
  const marks = marksOf(next, newest, window);
  // Counted before any bucket is read, so an event that lands while this refresh runs shows as a
  // change to the next one. Only a call that recomputes everything from `from` may vouch for it.
  const rowsBefore =
    state.resumeFrom === null ? await countBefore(config.engine, table, start, next, prior, marks) : null;
  const first = Math.min(unchangedUntil(prior, rowsBefore, from), bucketStart(newest, window));
  const planned = bucketChunks(first, to, window, config.chunkBuckets ?? 168);
  const now = planned.slice(0, config.maxChunks ?? planned.length);
  const chunks: RefreshChunk[] = [];
  for (const [a, b] of now) {
    // The rows the start read ahead are those of this one chunk when it starts where they do.
    const ahead = start.ahead && planned.length === 1 && a === start.ahead.from ? start.ahead.rows : null;
    chunks.push(
      ahead
        ? await landRange(rollup, a, b, newest, ahead, config)
        : await materializeRange(rollup, a, b, newest, config),
    );
  }
  const refreshedAt = (config.now ?? (() => Date.now() * 1000))();
  if (now.length < planned.length) {
    // A build (or a long catch-up) under way: the watermark moves only once every chunk has landed.
    return { state: { ...state, refreshedAt, resumeFrom: now.at(-1)![1], settled: null }, chunks, newest };
  }
  // Nothing landed before `prior.before` (≥ from) since the last refresh, which found no late event.
  const quiet =
    prior !== null &&
    prior.before >= from &&
    state.lateEvents === 0 &&
    rowsBefore?.get(prior.before) === prior.rows;
  const late: LateEvents =
    state.watermark === null || quiet
      ? { events: 0, buckets: [] }
      : await findLateEvents(config.engine, rollup, table, from, config.lateHorizonBuckets ?? 168);
  const settled = rowsBefore
    ? {
        before: next,
        rows: rowsBefore.get(next)!,
        marks: marks.map((at) => [at, rowsBefore.get(at)!] as [number, number]),
      }
    : null;
  return {
    state: {
      ...state,
      watermark: newest,
      refreshedAt,
      lateEvents: late.events,
      lateBuckets: late.buckets,
      resumeFrom: null,
      settled,
    },
    chunks,
    newest,
  };
}

/**
 * The events rows before `next`, the last refresh's `before` and marks, and this refresh's marks, as
 * one settled reading (the start's own when it counted them all), or null when it never settles.
 */
async function countBefore(
  engine: ViewEngine,
  table: ViewTable,
  start: Landed,
  next: number,
  prior: RollupState['settled'],
  marks: readonly number[],
): Promise<Map<number, number> | null> {
  const times = [next, ...(prior ? [prior.before] : []), ...(prior?.marks ?? []).map(([at]) => at), ...marks];
  const befores = [...new Set(times)];
  const counted = befores.map((b) => start.rowsSince?.(b));
  const reading =
    start.rows !== undefined && counted.every((n) => n !== undefined)
      ? { since: counted as number[], rows: start.rows }
      : undefined;
  const settled = await settledRows(engine, table, befores, reading);
  return settled ? new Map(befores.map((b, i) => [b, settled[i]!])) : null;
}
