import type { View, ViewRegistry, ViewTable } from '../../views/index.ts';
import type { NamespacePattern } from './namespace-scope.ts';
import type { QueryMetrics, ResultColumn } from '../query-engine.ts';
import type { QueryTokenConfig, TokenScope, TokenVerifier } from './query-tokens.ts';
import type { CacheLike } from './result-cache.ts';

/** What the query API runs SQL on: any engine answering R2-dialect SQL (R2 SQL, DuckDB, a stand-in). */
export interface QueryApiEngine {
  query(
    sql: string,
  ): Promise<{ schema: ResultColumn[]; rows: Record<string, unknown>[]; metrics?: QueryMetrics }>;
}

/** The Workers execution context, when the handler is given one (for `waitUntil` of cache writes). */
export interface WaitUntilLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** A view answered from its materialization: its rows, and which bucket ranges came from where (µs). */
export interface MaterializedRead {
  rows: Record<string, unknown>[];
  sources: { materialized: [number, number][]; raw: [number, number][] };
  /** Newest event time the materialization has seen (µs). */
  watermark: number | null;
}

/**
 * Reads materialized views (rollups refreshed into the lake): answers undefined for a view it does not
 * materialize, or cannot serve to this scope, and the query API then runs the view over raw events.
 */
export interface MaterializedReader {
  read(
    view: View,
    params: unknown,
    options: { table: ViewTable; namespaces: readonly NamespacePattern[] },
  ): Promise<MaterializedRead | undefined>;
}

/** Caching of view results (Cache API). */
export interface QueryCacheConfig {
  /** The cache; default `caches.default` where it exists; null turns caching off. */
  store?: CacheLike | null;
  /** Seconds a view's result may be served from the cache, by view name; 0 does not cache it. */
  ttl?: Record<string, number>;
  /** For views without an entry in `ttl` (default 60). */
  defaultTtl?: number;
}

/** Construction options of {@link createQueryHandler}. */
export interface QueryHandlerConfig {
  registry: ViewRegistry;
  engine: QueryApiEngine;
  /** Stored tokens (SHA-256 hashes, scopes), or a verifier built from them. */
  tokens: readonly QueryTokenConfig[] | TokenVerifier;
  /** The lake namespace the tables are in (default `analytics`). */
  namespace?: string;
  /** Where the API is mounted (`/api`); routes are matched under it. Default: the root. */
  basePath?: string;
  cache?: QueryCacheConfig | false;
  /**
   * The newest event time per namespace in scope, for the `x-newest-event-time` header: one
   * `max(ts) … GROUP BY ns` over the scope's events, run beside the view and kept per scope for
   * `ttlMs` (default 60 s), so it costs one small query per scope a minute. `false` turns it off.
   */
  freshness?: false | { ttlMs?: number };
  /**
   * Reads of materialized views: when it answers, the view's rows come from the materialized buckets
   * plus a raw tail, and `x-materialized-buckets` / `x-raw-tail-from` say which part came from where.
   */
  materialized?: MaterializedReader;
  /** A materialized view's lag in seconds, when known (`x-view-lag-seconds`). */
  lag?: (view: View) => number | undefined | Promise<number | undefined>;
  /** Largest JSON body of a POST (default 64 KiB). */
  maxBodyBytes?: number;
  /** The clock, for the freshness memo (tests pass their own). */
  now?: () => number;
}

/** A request's verified token, as the routes see it. */
export type RequestScope = TokenScope;

/**
 * The query API as a fetch handler: mount it in a Worker (`fetch(request, env, ctx)` fits) or serve it
 * from Node.
 */
export type QueryHandler = (request: Request, context?: WaitUntilLike) => Promise<Response>;
