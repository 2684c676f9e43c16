import { createR2SqlEngine, type QueryEngine } from '../query/index.ts';
import { sql } from '../sql/index.ts';
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
 * The newest events of one namespace, from the lake (deduplicated on id). The namespace reaches the
 * SQL through the `sql` template, as an escaped literal, whatever it holds.
 *
 * @example
 * ```ts
 * await latestEvents(lakeEngine(env), 'https://acme.startups.studio', 20);
 * ```
 */
export async function latestEvents(engine: QueryEngine, ns: string, limit: number): Promise<unknown[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new Error('limit must be an integer from 1 to 500');
  const { rows } = await engine.query(
    sql`SELECT seq, min(ts) AS ts, min(event) AS event, min(target) AS target, min(actor) AS actor
     FROM analytics.events WHERE ns = ${ns} GROUP BY seq ORDER BY seq DESC LIMIT ${limit}`.text,
  );
  return rows;
}
