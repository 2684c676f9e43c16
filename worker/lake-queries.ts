import { createR2SqlEngine, type QueryEngine } from '../query/index.ts';
import type { Env } from './startup.ts';

/**
 * The Worker's query engine: R2 SQL over the lake bucket's catalog. In production the endpoint is
 * Cloudflare's and the token a secret; in dev, wrangler.toml's vars point it at the local stand-in.
 *
 * @example
 * ```ts
 * const engine = lakeEngine(env);
 * await engine.query('SELECT count(*) AS n FROM analytics.events');
 * ```
 */
export function lakeEngine(env: Env): QueryEngine {
  return createR2SqlEngine({
    accountId: env.R2_ACCOUNT_ID ?? 'local',
    bucket: env.LAKE_BUCKET ?? 'lake',
    token: env.R2_SQL_TOKEN ?? '',
    ...(env.R2_SQL_ENDPOINT ? { endpoint: env.R2_SQL_ENDPOINT } : {}),
  });
}

/**
 * The newest events of one namespace, from the lake (deduplicated on id). `ns` must already be
 * validated to characters that need no quoting (the route allows `https://[a-z0-9.-]+`).
 *
 * @example
 * ```ts
 * await latestEvents(lakeEngine(env), 'https://acme.startups.studio', 20);
 * ```
 */
export async function latestEvents(engine: QueryEngine, ns: string, limit: number): Promise<unknown[]> {
  if (!/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(ns))
    throw new Error(`namespace ${ns} is not a plain https origin`);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new Error('limit must be an integer from 1 to 500');
  const { rows } = await engine.query(
    `SELECT seq, min(ts) AS ts, min(event) AS event, min(target) AS target, min(actor) AS actor
     FROM analytics.events WHERE ns = '${ns}' GROUP BY seq ORDER BY seq DESC LIMIT ${limit}`,
  );
  return rows;
}
