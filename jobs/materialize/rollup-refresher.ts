import type { Sink } from '../../ingest/sink.ts';
import type { ViewEngine } from '../../views/index.ts';
import { freshnessOf, initialRollupState, type RollupFreshness } from './materialize-state.ts';
import { backfillRollup, type RefreshRollupConfig, refreshRollup } from './refresh-rollup.ts';
import { toMicros } from './bucket-time.ts';
import type { RollupStateStore } from './rollup-state-store.ts';
import { type AnyRollup, landedSql } from './rollup-sql.ts';
import { namespaceTables } from '../../views/index.ts';

/** Construction options of {@link createRollupRefresher}. */
export interface RollupRefresherConfig
  extends Pick<
    RefreshRollupConfig,
    'namespace' | 'lookbackUs' | 'chunkBuckets' | 'lateHorizonBuckets' | 'now'
  > {
  /** The rollups to keep fresh; several versions of one name build blue/green. */
  views: readonly AnyRollup[];
  engine: ViewEngine;
  sink: Sink;
  store: RollupStateStore;
  /** Chunks one refresh of one version may write (default 24): a build proceeds in bounded steps. */
  maxChunks?: number;
}

/** A materialized rollup version as the refresher reports it. */
export interface RollupVersionStatus extends RollupFreshness {
  /** Whether readers of the bare name are served by this version. */
  serving: boolean;
}

/** What a refresher answers about its views. */
export interface RollupRefresherStatus {
  views: RollupVersionStatus[];
  /** The version each name is served from: pass it to `createViewRegistry(views, { current })`. */
  current: Record<string, number>;
}

/** Keeps rollups fresh: one step of every version per call, blue/green switching, backfills. */
export interface RollupRefresher {
  /** Refreshes every version once (a bounded step for a version still building); never throws per view. */
  refreshAll(): Promise<RollupRefresherStatus>;
  /** Recomputes exactly `[from, to)` (µs) of one version. */
  backfill(key: string, range: { from: number; to: number }): Promise<{ chunks: number; rows: number }>;
  status(): RollupRefresherStatus;
  /** The status with each version's lag behind the newest event landed now (one small query per view). */
  freshness(): Promise<RollupRefresherStatus>;
  /**
   * Stops refreshing a version and forgets its state (its rows stay in the lake); removing it from
   * `views` makes that permanent.
   */
  drop(key: string): void;
}

function byName(views: readonly AnyRollup[]): Map<string, AnyRollup[]> {
  const groups = new Map<string, AnyRollup[]>();
  for (const view of views) groups.set(view.name, [...(groups.get(view.name) ?? []), view]);
  for (const group of groups.values()) group.sort((a, b) => a.version - b.version);
  return groups;
}

/**
 * The refresher a Durable Object runs from its alarm. A new version of a view builds beside the one
 * serving readers, in bounded chunks per call, and takes over only once it has caught up (its build
 * is done and its watermark has reached the serving version's); the old version stays readable by
 * `name@version` until dropped. Refreshes are idempotent by construction: each writes a newer
 * complete refresh, and readers take the newest complete refresh per bucket.
 *
 * @example
 * ```ts
 * import { createRollupRefresher } from './rollup-refresher.ts';
 * const refresher = createRollupRefresher({ views: [revenue], engine, sink, store });
 * (await refresher.refreshAll()).current; // { revenue: 1 } once revenue@1 has caught up
 * ```
 */
export function createRollupRefresher(config: RollupRefresherConfig): RollupRefresher {
  const { store } = config;
  const groups = byName(config.views);
  let running: Promise<RollupRefresherStatus> | null = null;
  const dropped = new Set<string>();
  const now = () => (config.now ?? (() => Date.now() * 1000))();

  function status(): RollupRefresherStatus {
    const current: Record<string, number> = {};
    const views: RollupVersionStatus[] = [];
    for (const [name, versions] of groups) {
      const serving = store.serving(name);
      if (serving !== null) current[name] = serving;
      for (const view of versions) {
        if (dropped.has(view.key)) continue;
        const state = store.get(view.key) ?? initialRollupState(view.key);
        views.push({ ...freshnessOf(state, null), serving: serving === view.version });
      }
    }
    return { views, current };
  }

  async function freshness(): Promise<RollupRefresherStatus> {
    const { views, current } = status();
    const table = namespaceTables(config.namespace ?? 'analytics');
    const newest = new Map<string, number | null>();
    for (const view of config.views) {
      if (dropped.has(view.key)) continue;
      try {
        const { rows } = await config.engine.query(landedSql(view, table).text);
        newest.set(view.key, rows[0]?.newest == null ? null : toMicros(rows[0].newest));
      } catch {
        newest.set(view.key, null); // the lag is then unknown, never a failed status
      }
    }
    return {
      current,
      views: views.map((v) => {
        const landed = newest.get(v.view) ?? null;
        const lagUs = v.watermark === null || landed === null ? null : Math.max(0, landed - v.watermark);
        return { ...v, lagUs };
      }),
    };
  }

  async function refreshOne(view: AnyRollup): Promise<void> {
    const startedAt = now();
    const state = store.get(view.key) ?? initialRollupState(view.key);
    try {
      const outcome = await refreshRollup(view, state, { ...config, maxChunks: config.maxChunks ?? 24 });
      store.put(outcome.state);
      const rows = outcome.chunks.reduce((n, c) => n + c.rows, 0);
      store.record({
        view: view.key,
        startedAt,
        finishedAt: now(),
        chunks: outcome.chunks.length,
        rows,
        error: null,
      });
    } catch (cause) {
      const error = cause instanceof Error ? cause.message : String(cause);
      store.record({ view: view.key, startedAt, finishedAt: now(), chunks: 0, rows: 0, error });
    }
  }

  function promote(name: string, versions: AnyRollup[]): void {
    const serving = store.serving(name);
    const servingState = serving === null ? null : store.get(`${name}@${serving}`);
    for (const view of [...versions].reverse()) {
      if (dropped.has(view.key) || (serving !== null && view.version <= serving)) continue;
      const state = store.get(view.key);
      if (!state || state.watermark === null || state.resumeFrom !== null) continue;
      if (servingState?.watermark != null && state.watermark < servingState.watermark) continue;
      store.serve(name, view.version);
      return;
    }
  }

  async function refreshAll(): Promise<RollupRefresherStatus> {
    for (const [name, versions] of groups) {
      for (const view of versions) if (!dropped.has(view.key)) await refreshOne(view);
      promote(name, versions);
    }
    return status();
  }

  return {
    refreshAll() {
      // One refresh at a time per refresher: an alarm and a request arriving together share it.
      running ??= refreshAll().finally(() => {
        running = null;
      });
      return running;
    },
    async backfill(key, range) {
      const view = config.views.find((v) => v.key === key && !dropped.has(v.key));
      if (!view) throw new Error(`no rollup ${key} (rollups: ${config.views.map((v) => v.key).join(', ')})`);
      const chunks = await backfillRollup(view, range, config);
      const state = store.get(key);
      if (state) {
        const lateBuckets = state.lateBuckets.filter((b) => b < range.from || b >= range.to);
        store.put({ ...state, lateBuckets, lateEvents: lateBuckets.length === 0 ? 0 : state.lateEvents });
      }
      return { chunks: chunks.length, rows: chunks.reduce((n, c) => n + c.rows, 0) };
    },
    status,
    freshness,
    drop(key) {
      dropped.add(key);
      store.drop(key);
    },
  };
}
