/** What a refresher keeps per materialized rollup version. */
export interface RollupState {
  /** `name@version`. */
  view: string;
  /** Newest event time the last refresh saw (µs); null before the first. */
  watermark: number | null;
  /** When the last refresh read the events (µs). */
  refreshedAt: number | null;
  /** Events found in buckets older than the lookback that the materialization does not count yet. */
  lateEvents: number;
  /** Starts (µs) of those buckets: what a targeted backfill fixes. */
  lateBuckets: number[];
  /** While a build is under way (a first refresh over all history), where its next chunk starts (µs). */
  resumeFrom: number | null;
  /**
   * How many events rows (of every event name, as landed) had a time before `before` (µs) when the
   * last refresh began, `before` being where the next refresh starts recomputing. While that count is
   * unchanged no event can have landed late since, so the next refresh skips the late-event check;
   * absent or null, it runs it. `marks`: the same count before each of some bucket starts from
   * `before` to the end of the newest bucket, as `[time, rows]`; the next refresh starts recomputing
   * at the latest of them whose count is unchanged (nothing landed before it since), not at
   * `watermark − lookback`.
   */
  settled?: { before: number; rows: number; marks?: [number, number][] } | null;
}

/** One refreshed range: what a refresh or a backfill wrote. */
export interface RefreshChunk {
  refreshId: string;
  from: number;
  to: number;
  rows: number;
}

/** How current a materialized rollup is. */
export interface RollupFreshness {
  view: string;
  watermark: number | null;
  refreshedAt: number | null;
  /** Newest landed event time minus the watermark (µs); null when either is unknown. */
  lagUs: number | null;
  lateEvents: number;
  lateBuckets: number[];
  /** Whether a build is still under way (its history is not all materialized yet). */
  building: boolean;
}

/**
 * The state of a rollup version that was never refreshed.
 *
 * @example
 * ```ts
 * import { initialRollupState } from './materialize-state.ts';
 * initialRollupState('revenue@1').watermark; // null
 * ```
 */
export function initialRollupState(view: string): RollupState {
  return {
    view,
    watermark: null,
    refreshedAt: null,
    lateEvents: 0,
    lateBuckets: [],
    resumeFrom: null,
    settled: null,
  };
}

/**
 * How current a rollup is, given the newest event time that has landed.
 *
 * @example
 * ```ts
 * import { freshnessOf, initialRollupState } from './materialize-state.ts';
 * freshnessOf({ ...initialRollupState('r@1'), watermark: 10 }, 25).lagUs; // 15
 * ```
 */
export function freshnessOf(state: RollupState, newestLanded: number | null): RollupFreshness {
  return {
    view: state.view,
    watermark: state.watermark,
    refreshedAt: state.refreshedAt,
    lagUs:
      state.watermark === null || newestLanded === null ? null : Math.max(0, newestLanded - state.watermark),
    lateEvents: state.lateEvents,
    lateBuckets: [...state.lateBuckets],
    building: state.resumeFrom !== null || state.watermark === null,
  };
}
