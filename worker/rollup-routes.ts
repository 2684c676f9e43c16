import { z } from 'zod';
import { readRollup } from '../jobs/materialize/index.ts';
import type { RollupRefresherStatus } from '../jobs/materialize/index.ts';
import { type MaterializedReader, namespaceInScope, type TokenScope } from '../query/api/index.ts';
import { namespaceTables } from '../views/index.ts';
import type { Env } from './env.ts';
import { errorResponse } from './error-response.ts';
import { lakeEngine } from './lake-queries.ts';
import { exampleRollups } from './order-activity.ts';
import { tokenScopeOf } from './query-token-scope.ts';

/** The refresher instance the example Worker runs (one per view registry). */
export const REFRESHER_NAME = 'default';
const LAG_MEMO_MS = 30_000;

const backfillBody = z.object({
  view: z.string().regex(/^[a-z][a-z0-9_]*@[1-9]\d*$/, 'a rollup version, e.g. order_activity@1'),
  from: z.number().int().nonnegative(),
  to: z.number().int().positive(),
});

const refresher = (env: Env) => {
  if (!env.ROLLUPS) throw new Error('bind ROLLUPS (the Rollups refresher) in wrangler.toml');
  return env.ROLLUPS.getByName(REFRESHER_NAME);
};

const visible = (status: RollupRefresherStatus, scope: TokenScope): RollupRefresherStatus => ({
  current: status.current,
  views: status.views.filter(
    (v) => !scope.views || scope.views.includes(v.view) || scope.views.includes(v.view.split('@')[0]!),
  ),
});

/** The body of a backfill, or the 400 naming what is wrong. */
async function backfillOf(request: Request): Promise<z.output<typeof backfillBody> | Response> {
  const parsed = backfillBody.safeParse(await request.json().catch(() => undefined));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    return errorResponse(400, { code: 'invalid_body', message: `${field}: ${issue.message}`, field });
  }
  if (parsed.data.to <= parsed.data.from)
    return errorResponse(400, { code: 'invalid_body', message: 'to must be after from', field: 'to' });
  if (!exampleRollups.some((r) => r.key === parsed.data.view))
    return errorResponse(404, {
      code: 'unknown_view',
      message: `no rollup ${parsed.data.view} (rollups: ${exampleRollups.map((r) => r.key).join(', ')})`,
      field: 'view',
    });
  return parsed.data;
}

/**
 * `/rollups`: `GET` answers each materialized version's status (version, serving, watermark, last
 * refresh, lag behind the newest landed event, late events beyond the lookback); `POST
 * /rollups/refresh` refreshes now and `POST /rollups/backfill` (`{view: "name@v", from, to}`, µs)
 * recomputes a range — admin tokens only. Tokens are the query API's (`QUERY_TOKENS`).
 *
 * @example
 * ```ts
 * import { rollupRoute } from './rollup-routes.ts';
 * const response = await rollupRoute(request, env, 'status'); // GET /rollups
 * ```
 */
export async function rollupRoute(
  request: Request,
  env: Env,
  what: 'status' | 'refresh' | 'backfill',
): Promise<Response> {
  const scope = await tokenScopeOf(request, env);
  if (scope instanceof Response) return scope;
  const stub = refresher(env);
  await stub.start();
  if (what === 'status') {
    if (request.method !== 'GET')
      return errorResponse(405, { code: 'method_not_allowed', message: 'GET /rollups' });
    const status = visible((await stub.freshness()) as RollupRefresherStatus, scope);
    const history = scope.admin ? await stub.history(20) : undefined;
    return Response.json({ ...status, ...(history ? { history } : {}) });
  }
  if (request.method !== 'POST')
    return errorResponse(405, { code: 'method_not_allowed', message: `POST /rollups/${what}` });
  if (!scope.admin)
    return errorResponse(403, { code: 'forbidden', message: `/rollups/${what} needs an admin token` });
  if (what === 'refresh')
    return Response.json(visible((await stub.refresh()) as RollupRefresherStatus, scope));
  const body = await backfillOf(request);
  if (body instanceof Response) return body;
  return Response.json(await stub.backfill(body.view, body.from, body.to));
}

/**
 * The query API's reader of the example's rollups: the materialized buckets plus a raw tail. A rollup
 * keyed on `ns` serves any token (its rows are kept to the token's namespaces); one that is not serves
 * only tokens that may read every namespace.
 *
 * @example
 * ```ts
 * import { rollupReader } from './rollup-routes.ts';
 * createQueryHandler({ registry, engine, tokens, materialized: rollupReader(env) });
 * ```
 */
export function rollupReader(env: Env): MaterializedReader {
  const engine = lakeEngine(env);
  return {
    async read(view, params, { table, namespaces }) {
      const rollup = exampleRollups.find((r) => r.key === view.key);
      if (!rollup) return undefined;
      const all = namespaces.some((p) => p.kind === 'all');
      const byNs = rollup.rollup.groupBy.some((g) => g.field === 'ns');
      if (!all && !byNs) return undefined;
      return readRollup(engine, rollup, params, {
        table,
        rollupsTable: namespaceTables('analytics'),
        ...(all ? {} : { keep: (row) => namespaceInScope(namespaces, String(row.ns)) }),
      });
    },
  };
}

/**
 * The lag of a materialized view (seconds behind the newest landed event) for `x-view-lag-seconds`,
 * from the refresher, asked at most every 30 s.
 *
 * @example
 * ```ts
 * import { rollupLag } from './rollup-routes.ts';
 * createQueryHandler({ registry, engine, tokens, lag: rollupLag(env) });
 * ```
 */
export function rollupLag(env: Env): (view: { key: string }) => Promise<number | undefined> {
  let memo: { at: number; value: Promise<Map<string, number>> } | null = null;
  return async (view) => {
    if (!env.ROLLUPS || !exampleRollups.some((r) => r.key === view.key)) return undefined;
    if (!memo || Date.now() - memo.at > LAG_MEMO_MS) {
      const value = refresher(env)
        .freshness()
        .then((status) => {
          const lags = new Map<string, number>();
          for (const v of (status as RollupRefresherStatus).views)
            if (v.lagUs !== null) lags.set(v.view, v.lagUs / 1e6);
          return lags;
        });
      memo = { at: Date.now(), value: value.catch(() => new Map()) };
    }
    return (await memo.value).get(view.key);
  };
}
