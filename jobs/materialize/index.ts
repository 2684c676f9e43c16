/**
 * Materialized rollups: refreshes that recompute only the buckets at or after `watermark − lookback`
 * into the generic `rollups` table, targeted backfills, and reads that combine the materialized
 * buckets with a raw tail, and the refresher a Durable Object runs.
 *
 * @module
 */
export { bucketChunks, bucketStart, isoOf, toMicros, WINDOW_US } from './bucket-time.ts';
export {
  freshnessOf,
  initialRollupState,
  type RefreshChunk,
  type RollupFreshness,
  type RollupState,
} from './materialize-state.ts';
export { createMemoryRollupStateStore } from './memory-rollup-state-store.ts';
export { type ReadRollupOptions, type RollupReadResult, readRollup } from './read-rollup.ts';
export {
  backfillRollup,
  materializeRange,
  type RefreshOutcome,
  type RefreshRollupConfig,
  refreshRollup,
} from './refresh-rollup.ts';
export { type CompleteRefresh, readCommits, type WinningSegment, winningSegments } from './rollup-commits.ts';
export {
  createRollupRefresher,
  type RollupRefresher,
  type RollupRefresherConfig,
  type RollupRefresherStatus,
  type RollupVersionStatus,
} from './rollup-refresher.ts';
export type { AnyRollup } from './rollup-sql.ts';
export { createRollupStateStore, type RefreshRecord, type RollupStateStore } from './rollup-state-store.ts';
// The Durable Object class imports `cloudflare:workers`: import it from `./rollup-refresher-object.ts`.
