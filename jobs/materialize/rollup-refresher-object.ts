import { DurableObject } from 'cloudflare:workers';
import type { Sink } from '../../ingest/sink.ts';
import type { ViewEngine } from '../../views/index.ts';
import {
  createRollupRefresher,
  type RollupRefresher,
  type RollupRefresherConfig,
  type RollupRefresherStatus,
} from './rollup-refresher.ts';
import { createRollupStateStore, type RefreshRecord } from './rollup-state-store.ts';

/** Construction options of {@link createRollupRefresherObject}: the views, and how to reach the lake from `env`. */
export interface RollupRefresherObjectConfig<Env>
  extends Omit<RollupRefresherConfig, 'engine' | 'sink' | 'store'> {
  /** The engine refreshes read through (R2 SQL; the stand-in locally). */
  engine(env: Env): ViewEngine;
  /** The `rollups` stream (its Pipelines binding; our HTTP sink locally). */
  sink(env: Env): Sink;
  /** Time between alarm-driven refreshes (ms, default 60 000), or read from `env`. */
  intervalMs?: number | ((env: Env) => number | undefined);
}

/**
 * A Durable Object class that keeps a registry's rollups materialized: an alarm refreshes every
 * version on a schedule (at-least-once alarms are safe: refreshes are idempotent), watermarks,
 * serving versions and refresh history live in its SQLite. Export it from your Worker and bind it:
 * `[[durable_objects.bindings]] name = "ROLLUPS", class_name = "Rollups"` (a SQLite class).
 *
 * @example
 * ```ts
 * import { createRollupRefresherObject } from './rollup-refresher-object.ts';
 * export const Rollups = createRollupRefresherObject<Env>({ views: [revenue], engine: lakeEngine, sink: rollupsSink });
 * await env.ROLLUPS.getByName('default').start(); // schedules the first refresh
 * ```
 */
export function createRollupRefresherObject<Env>(config: RollupRefresherObjectConfig<Env>) {
  const intervalOf = (env: Env): number => {
    const ms = typeof config.intervalMs === 'function' ? config.intervalMs(env) : config.intervalMs;
    return ms !== undefined && Number.isFinite(ms) && ms >= 1000 ? ms : 60_000;
  };
  return class RollupRefresherObject extends DurableObject<Env> {
    readonly #refresher: RollupRefresher;

    constructor(ctx: DurableObjectState, env: Env) {
      super(ctx, env);
      this.#refresher = createRollupRefresher({
        ...config,
        engine: config.engine(env),
        sink: config.sink(env),
        store: createRollupStateStore(ctx.storage),
      });
    }

    /** Schedules the alarm if none is set. */
    async start(): Promise<void> {
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
    }

    /** Refreshes every version now (what the alarm runs). */
    refresh(): Promise<RollupRefresherStatus> {
      return this.#refresher.refreshAll();
    }

    /** Recomputes `[from, to)` (µs) of one version. */
    backfill(key: string, from: number, to: number) {
      return this.#refresher.backfill(key, { from, to });
    }

    status(): RollupRefresherStatus {
      return this.#refresher.status();
    }

    /** The status with each version's lag behind the newest landed event. */
    freshness(): Promise<RollupRefresherStatus> {
      return this.#refresher.freshness();
    }

    history(limit?: number): RefreshRecord[] {
      return createRollupStateStore(this.ctx.storage).history(limit);
    }

    drop(key: string): void {
      this.#refresher.drop(key);
    }

    override async alarm(): Promise<void> {
      await this.#refresher.refreshAll();
      await this.ctx.storage.setAlarm(Date.now() + intervalOf(this.env));
    }
  };
}
