import {
  builtInViews,
  createQueryHandler,
  type QueryHandler,
  type QueryTokenConfig,
} from '../query/api/index.ts';
import type { Env } from './env.ts';
import { errorResponse } from './error-response.ts';
import { createViewRegistry } from '../views/index.ts';
import { lakeEngine } from './lake-queries.ts';
import { exampleRollups } from './order-activity.ts';
import { rollupLag, rollupReader } from './rollup-routes.ts';

const handlers = new WeakMap<Env, QueryHandler | Response>();

function tokensOf(env: Env): QueryTokenConfig[] | Response {
  if (!env.QUERY_TOKENS) return [];
  try {
    const tokens = JSON.parse(env.QUERY_TOKENS) as unknown;
    if (!Array.isArray(tokens)) throw new Error('not a JSON array');
    return tokens as QueryTokenConfig[];
  } catch (error) {
    return errorResponse(500, {
      code: 'misconfigured',
      message: `QUERY_TOKENS must be a JSON array of {sha256, namespaces, views?, admin?}: ${(error as Error).message}`,
    });
  }
}

function build(env: Env): QueryHandler | Response {
  const tokens = tokensOf(env);
  if (tokens instanceof Response) return tokens;
  try {
    return createQueryHandler({
      registry: createViewRegistry([...builtInViews(), ...exampleRollups]),
      engine: lakeEngine(env),
      tokens,
      basePath: '/api',
      cache: { defaultTtl: Number(env.QUERY_CACHE_TTL_SECONDS ?? 60) },
      // The example's rollups read their materialized buckets plus a raw tail (see rollup-routes.ts).
      materialized: rollupReader(env),
      ...(env.ROLLUPS ? { lag: rollupLag(env) } : {}),
    });
  } catch (error) {
    return errorResponse(500, { code: 'misconfigured', message: (error as Error).message });
  }
}

/**
 * The query API of the example Worker, under `/api`: the built-in views and the example's rollups
 * (read from their materialization plus a raw tail) over R2 SQL (the local stand-in in dev), tokens from the `QUERY_TOKENS` secret (a JSON array of `{sha256, namespaces,
 * views?, admin?}`), results cached in `caches.default` for `QUERY_CACHE_TTL_SECONDS` (default 60).
 * Built once per environment; a malformed `QUERY_TOKENS` answers 500 `misconfigured` naming the problem.
 *
 * @example
 * ```ts
 * import { queryApi } from './query-api.ts';
 * const response = await queryApi(env)(request, ctx); // GET /api/views/events_per_hour?format=csv
 * ```
 */
export function queryApi(env: Env): QueryHandler {
  let handler = handlers.get(env);
  if (!handler) {
    handler = build(env);
    handlers.set(env, handler);
  }
  const built = handler;
  return async (request, context) => (built instanceof Response ? built.clone() : built(request, context));
}
