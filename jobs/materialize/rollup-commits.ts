import type { ViewEngine, ViewTable } from '../../views/index.ts';
import { toMicros } from './bucket-time.ts';
import { type AnyRollup, commitsSql } from './rollup-sql.ts';

/** A refresh whose commit and every row have landed. */
export interface CompleteRefresh {
  refreshId: string;
  /** When it read the events (µs): the newer of two refreshes of a bucket wins. */
  ts: number;
  from: number;
  to: number;
  rows: number;
  watermark: number;
  /** Events per bucket start (µs) it counted. */
  counts: Map<number, number>;
}

/** A range of buckets and the refresh that answers for it. */
export interface WinningSegment extends CompleteRefresh {}

const parseJson = (value: unknown): Record<string, unknown> =>
  typeof value === 'string'
    ? (JSON.parse(value) as Record<string, unknown>)
    : ((value ?? {}) as Record<string, unknown>);

/**
 * The complete refreshes of a rollup, oldest first: commits whose rows have all landed.
 *
 * @example
 * ```ts
 * import { readCommits } from './rollup-commits.ts';
 * (await readCommits(engine, revenue, namespaceTables('analytics'))).length; // 0 before any refresh
 * ```
 */
export async function readCommits(
  engine: ViewEngine,
  rollup: AnyRollup,
  table: ViewTable,
): Promise<CompleteRefresh[]> {
  const { rows } = await engine.query(commitsSql(rollup, table).text);
  const complete: CompleteRefresh[] = [];
  for (const row of rows) {
    if (Number(row.landed) !== Number(row.rows)) continue;
    const events = (parseJson(row.measures).events ?? {}) as Record<string, number>;
    complete.push({
      refreshId: String(row.refresh_id),
      ts: toMicros(row.ts),
      from: toMicros(row.range_from),
      to: toMicros(row.range_to),
      rows: Number(row.rows),
      watermark: toMicros(row.watermark),
      counts: new Map(Object.entries(events).map(([b, n]) => [Number(b), Number(n)])),
    });
  }
  return complete.sort(
    (a, b) => a.ts - b.ts || (a.refreshId < b.refreshId ? -1 : a.refreshId > b.refreshId ? 1 : 0),
  );
}

/**
 * Which refresh answers for each range of buckets: later refreshes paint over earlier ones, so every
 * bucket is answered by the newest complete refresh that covered it. Answers disjoint segments in
 * time order.
 *
 * @example
 * ```ts
 * import { winningSegments } from './rollup-commits.ts';
 * const r = (refreshId: string, ts: number, from: number, to: number) => ({ refreshId, ts, from, to, rows: 0, watermark: 0, counts: new Map() });
 * winningSegments([r('a', 1, 0, 10), r('b', 2, 5, 20)]).map((s) => [s.refreshId, s.from, s.to]); // [['a', 0, 5], ['b', 5, 20]]
 * ```
 */
export function winningSegments(refreshes: readonly CompleteRefresh[]): WinningSegment[] {
  let segments: WinningSegment[] = [];
  for (const refresh of refreshes) {
    const next: WinningSegment[] = [];
    for (const s of segments) {
      if (s.to <= refresh.from || s.from >= refresh.to) next.push(s);
      else {
        if (s.from < refresh.from) next.push({ ...s, to: refresh.from });
        if (s.to > refresh.to) next.push({ ...s, from: refresh.to });
      }
    }
    next.push({ ...refresh });
    segments = next.sort((a, b) => a.from - b.from);
  }
  return segments;
}
