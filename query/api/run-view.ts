import { SqlTemplateError } from '../../sql/index.ts';
import { isViewParamsError, type View } from '../../views/index.ts';
import { apiError, engineErrorResponse } from './api-error.ts';
import { newestHeader, type NewestEvents } from './freshness.ts';
import { tenantTables } from './namespace-scope.ts';
import { materializedHeaders } from './materialized-view.ts';
import type {
  MaterializedRead,
  MaterializedReader,
  QueryApiEngine,
  QueryCacheConfig,
  WaitUntilLike,
} from './query-handler-config.ts';
import type { TokenScope } from './query-tokens.ts';
import { type CacheLike, cacheKey } from './result-cache.ts';
import type { ResultFormat, TypedColumn } from './result-formats.ts';
import { typeColumns } from './result-formats.ts';
import { cachedResponse, resultResponse } from './result-response.ts';

/** One request for a view's result, after auth and format negotiation. */
export interface ViewRun {
  view: View;
  scope: TokenScope;
  params: unknown;
  format: ResultFormat;
  ifNoneMatch: string | null;
  context?: WaitUntilLike;
  /** Answer the rendered SQL too (JSON `sql`), as `X-Include-Sql: true` asks. */
  includeSql?: boolean;
}

/** What running a view needs from the handler's config. */
export interface ViewRunnerDeps {
  engine: QueryApiEngine;
  namespace: string;
  cache: { store: CacheLike; config: QueryCacheConfig } | null;
  freshness: ((scope: TokenScope['namespaces']) => Promise<NewestEvents | undefined>) | null;
  lag?: (view: View) => number | undefined | Promise<number | undefined>;
  materialized?: MaterializedReader;
}

/** A scope as a cache-key part: what it may read, never its secret. */
const scopeKey = (scope: TokenScope): string =>
  JSON.stringify([scope.namespaces, scope.views ?? null, scope.admin]);

/** Renders the view for the scope, or the 400 naming each bad param. */
function renderFor(run: ViewRun, namespace: string): { sql: string; params: unknown } | Response {
  try {
    const rendered = run.view.render(run.params, { table: tenantTables(run.scope.namespaces, namespace) });
    return { sql: rendered.sql, params: rendered.params };
  } catch (error) {
    if (isViewParamsError(error)) {
      const issues = error.issues.map((i) => ({ field: i.param, message: i.message }));
      const first = issues[0];
      return apiError(400, {
        code: 'invalid_params',
        message: error.message,
        ...(first?.field ? { field: first.field } : {}),
        issues,
      });
    }
    if (error instanceof SqlTemplateError)
      return apiError(400, { code: 'invalid_params', message: `a param cannot be used: ${error.message}` });
    throw error;
  }
}

/** The columns of the rows a view answers: the engine's, unless the view's own step reshaped them. */
function columnsOf(
  schema: { name: string; type?: string }[],
  rows: Record<string, unknown>[],
): TypedColumn[] {
  const names = rows.length > 0 ? Object.keys(rows[0]!) : schema.map((c) => c.name);
  const types = new Map(schema.map((c) => [c.name, c.type]));
  const columns = names.map((name) => ({ name, ...(types.get(name) ? { type: types.get(name)! } : {}) }));
  return typeColumns(columns, rows);
}

async function extraHeaders(deps: ViewRunnerDeps, run: ViewRun, newest: Promise<NewestEvents | undefined>) {
  const headers: Record<string, string> = { 'x-view': run.view.key };
  const [fresh, lag] = await Promise.all([
    newest,
    Promise.resolve(deps.lag?.(run.view)).catch(() => undefined),
  ]);
  if (fresh && Object.keys(fresh).length > 0) headers['x-newest-event-time'] = newestHeader(fresh);
  if (typeof lag === 'number' && Number.isFinite(lag))
    headers['x-view-lag-seconds'] = String(Math.round(lag));
  return headers;
}

/**
 * The view's rows from its materialization, when the reader has one for it; a reader that fails
 * leaves the view to run over raw events, and the header says why.
 */
async function readMaterialized(
  deps: ViewRunnerDeps,
  run: ViewRun,
): Promise<{ rows?: MaterializedRead; headers: Record<string, string> }> {
  if (!deps.materialized) return { headers: {} };
  try {
    const rows = await deps.materialized.read(run.view, run.params, {
      table: tenantTables(run.scope.namespaces, deps.namespace),
      namespaces: run.scope.namespaces,
    });
    return rows ? { rows, headers: materializedHeaders(rows) } : { headers: {} };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/[^\x20-\x7e]/g, '');
    return { headers: { 'x-materialized-error': message.slice(0, 200) } };
  }
}

/**
 * Runs a view for a token: renders it over the scope's namespace-filtered tables, answers from the
 * cache when it can (keyed on the SQL and the scope), else runs it on the engine beside the freshness
 * query, applies the view's own step and answers the result in the asked format.
 *
 * @example
 * ```ts
 * import { runView } from './run-view.ts';
 * const response = await runView(deps, { view, scope, params: { limit: 10 }, format: 'csv', ifNoneMatch: null });
 * ```
 */
export async function runView(deps: ViewRunnerDeps, run: ViewRun): Promise<Response> {
  const rendered = renderFor(run, deps.namespace);
  if (rendered instanceof Response) return rendered;
  const ttl = deps.cache ? (deps.cache.config.ttl?.[run.view.name] ?? deps.cache.config.defaultTtl ?? 60) : 0;
  const keyed = deps.materialized
    ? `materialized
${rendered.sql}`
    : rendered.sql;
  const key =
    deps.cache && ttl > 0
      ? await cacheKey(keyed, `${scopeKey(run.scope)}${run.includeSql ? ' +sql' : ''}`, run.format)
      : null;
  if (deps.cache && key) {
    const hit = await cachedResponse(deps.cache.store, key, run.ifNoneMatch, ttl);
    if (hit) return hit;
  }
  const newest = deps.freshness ? deps.freshness(run.scope.namespaces) : Promise.resolve(undefined);
  let result: Awaited<ReturnType<QueryApiEngine['query']>>;
  let rows: Record<string, unknown>[];
  const read = await readMaterialized(deps, run);
  try {
    result = read.rows ? { schema: [], rows: read.rows.rows } : await deps.engine.query(rendered.sql);
  } catch (error) {
    return engineErrorResponse(error, { own: false });
  }
  try {
    rows = run.view.finish(result.rows, rendered.params as never) as Record<string, unknown>[];
  } catch (error) {
    // The view's own step refused the params given what the lake holds (a version that does not exist).
    if (isViewParamsError(error)) {
      const issues = error.issues.map((i) => ({ field: i.param, message: i.message }));
      return apiError(404, {
        code: 'not_found',
        message: error.message,
        ...(issues[0]?.field ? { field: issues[0].field } : {}),
        issues,
      });
    }
    return engineErrorResponse(error, { own: false });
  }
  return resultResponse(
    {
      columns: columnsOf(result.schema, rows),
      rows,
      ...(result.metrics ? { metrics: result.metrics } : {}),
      // The SQL echoes the caller's params, so it is sent only to a caller that asks for it.
      meta: { view: run.view.key, ...(run.includeSql ? { sql: rendered.sql } : {}) },
    },
    {
      format: run.format,
      ifNoneMatch: run.ifNoneMatch,
      headers: { ...(await extraHeaders(deps, run, newest)), ...read.headers },
      ttl,
      ...(deps.cache && key ? { cache: { store: deps.cache.store, key, context: run.context } } : {}),
    },
  );
}
