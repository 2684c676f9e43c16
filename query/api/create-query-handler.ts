import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { checkR2Sql } from '../../sql/index.ts';
import type { View } from '../../views/index.ts';
import { apiError, engineErrorResponse } from './api-error.ts';
import { coerceQueryParams } from './coerce-query-params.ts';
import { createFreshness } from './freshness.ts';
import { RESULT_RESPONSE, ROUTES, SQL_BODY, viewPaths } from './openapi-routes.ts';
import type { QueryHandler, QueryHandlerConfig, WaitUntilLike } from './query-handler-config.ts';
import { narrowScope } from './narrow-scope.ts';
import { createTokenVerifier, type TokenScope, type TokenVerifier } from './query-tokens.ts';
import { readJsonBody } from './read-json-body.ts';
import { defaultCache } from './result-cache.ts';
import { negotiateFormat, type ResultFormat, typeColumns } from './result-formats.ts';
import { resultResponse } from './result-response.ts';
import { runView, type ViewRunnerDeps } from './run-view.ts';

type Env = { Bindings: { context?: WaitUntilLike }; Variables: { scope: TokenScope } };
type AppContext = Context<Env>;

const mayRun = (scope: TokenScope, view: View): boolean =>
  !scope.views || scope.views.includes(view.name) || scope.views.includes(view.key);

function formatOf(c: AppContext): ResultFormat | Response {
  const format = negotiateFormat(c.req.query('format') ?? null, c.req.header('accept') ?? null);
  if ((['json', 'ndjson', 'csv', 'arrow'] as string[]).includes(format)) return format as ResultFormat;
  return apiError(c.req.query('format') === undefined ? 406 : 400, {
    code: 'unsupported_format',
    message: format,
    field: 'format',
  });
}

function createApp(config: QueryHandlerConfig, verifier: TokenVerifier, deps: ViewRunnerDeps) {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const field = issue?.path.join('.') || undefined;
      return apiError(400, {
        code: 'invalid_request',
        message: result.error.issues
          .map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`)
          .join('; '),
        ...(field ? { field } : {}),
      });
    },
  });
  const maxBody = config.maxBodyBytes ?? 64 * 1024;
  app.use('/views', authenticate(verifier));
  app.use('/views/*', authenticate(verifier));
  app.use('/sql', authenticate(verifier));
  app.openapi(ROUTES.catalog, (c) => {
    const scope = c.get('scope');
    const views = config.registry.catalog().filter((e) => mayRun(scope, config.registry.require(e.key)));
    return c.json({ views }, 200);
  });
  const view = async (c: AppContext, input: () => Promise<unknown>) => {
    const scope = narrowScope(c.get('scope'), c.req.header('x-namespace'));
    if (scope instanceof Response) return scope;
    const found = config.registry.get(c.req.param('name') ?? '');
    if (!found) {
      const known = config.registry
        .catalog()
        .filter((e) => e.current)
        .map((e) => e.name);
      return apiError(404, {
        code: 'unknown_view',
        message: `no view "${c.req.param('name')}" (views: ${known.join(', ') || 'none'})`,
        field: 'name',
      });
    }
    if (!mayRun(scope, found))
      return apiError(403, { code: 'forbidden', message: `this token may not run view ${found.name}` });
    const format = formatOf(c);
    if (format instanceof Response) return format;
    const params = await input();
    if (params instanceof Response) return params;
    return runView(deps, {
      view: found,
      scope,
      params,
      format,
      ifNoneMatch: c.req.header('if-none-match') ?? null,
      includeSql: c.req.header('x-include-sql') === 'true',
      ...(c.env?.context ? { context: c.env.context } : {}),
    });
  };
  // The routes answer streamed results of several types, which the typed-response helper cannot spell.
  app.openapi(
    ROUTES.viewGet,
    (c) =>
      view(c as unknown as AppContext, async () => queryParams(config, c as unknown as AppContext)) as never,
  );
  app.openapi(
    ROUTES.viewPost,
    (c) => view(c as unknown as AppContext, () => bodyParams(c.req.raw, maxBody)) as never,
  );
  app.openapi(ROUTES.sql, (c) => rawSql(c as unknown as AppContext, deps, maxBody) as never);
  return app;
}

function queryParams(config: QueryHandlerConfig, c: AppContext): unknown {
  const view = config.registry.require(c.req.param('name') ?? '');
  const entry = config.registry.catalog().find((e) => e.key === view.key)!;
  const { params, problems } = coerceQueryParams(new URL(c.req.url).searchParams, entry.params, ['format']);
  if (problems.length === 0) return params;
  return apiError(400, {
    code: 'invalid_params',
    message: problems.map((p) => `param "${p.param}": ${p.message}`).join('; '),
    field: problems[0]!.param,
    issues: problems.map((p) => ({ field: p.param, message: p.message })),
  });
}

async function bodyParams(request: Request, maxBody: number): Promise<unknown> {
  const body = await readJsonBody(request, maxBody);
  if (body instanceof Response || body === undefined) return body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return apiError(400, {
      code: 'invalid_params',
      message: 'the body must be a JSON object of params',
      field: 'body',
    });
  return body;
}

function authenticate(verifier: TokenVerifier) {
  return async (c: AppContext, next: () => Promise<void>) => {
    const scope = await verifier.verify(c.req.header('authorization'));
    if (!scope) {
      const message =
        verifier.size === 0
          ? 'no query tokens are configured on this server'
          : c.req.header('authorization')
            ? 'the token is not valid'
            : 'send Authorization: Bearer <token>';
      return apiError(401, { code: 'unauthorized', message }, { 'www-authenticate': 'Bearer' });
    }
    c.set('scope', scope);
    await next();
  };
}

async function rawSql(c: AppContext, deps: ViewRunnerDeps, maxBody: number): Promise<Response> {
  if (!c.get('scope').admin)
    return apiError(403, { code: 'forbidden', message: 'raw SQL needs an admin token; run a view instead' });
  const format = formatOf(c);
  if (format instanceof Response) return format;
  const body = await readJsonBody(c.req.raw, maxBody);
  if (body instanceof Response) return body;
  const text = (body as { sql?: unknown } | undefined)?.sql;
  if (typeof text !== 'string' || text.trim() === '')
    return apiError(400, { code: 'invalid_body', message: 'send {"sql": "SELECT …"}', field: 'sql' });
  const problem = checkR2Sql(text);
  if (problem)
    return apiError(400, {
      code: 'invalid_sql',
      message: `${problem.code}: ${problem.message}`,
      field: 'sql',
    });
  try {
    const result = await deps.engine.query(text);
    return resultResponse(
      {
        columns: typeColumns(result.schema, result.rows),
        rows: result.rows,
        ...(result.metrics ? { metrics: result.metrics } : {}),
      },
      { format, ifNoneMatch: c.req.header('if-none-match') ?? null, headers: {}, ttl: 0 },
    );
  } catch (error) {
    return engineErrorResponse(error, { own: true });
  }
}

function routesOf(config: QueryHandlerConfig) {
  const verifier = 'verify' in config.tokens ? config.tokens : createTokenVerifier(config.tokens as never);
  const namespace = config.namespace ?? 'analytics';
  const store =
    config.cache === false ? null : config.cache?.store === undefined ? defaultCache() : config.cache.store;
  const deps: ViewRunnerDeps = {
    engine: config.engine,
    namespace,
    cache: store && config.cache !== false ? { store, config: config.cache ?? {} } : null,
    freshness:
      config.freshness === false
        ? null
        : createFreshness(config.engine, namespace, config.freshness?.ttlMs ?? 60_000, config.now),
    ...(config.lag ? { lag: config.lag } : {}),
    ...(config.materialized ? { materialized: config.materialized } : {}),
  };
  return createApp(config, verifier, deps);
}

/**
 * The query API as a fetch handler (Workers-safe; Hono with zod/OpenAPI routes):
 * `GET /views` (the catalog this token may run), `GET /openapi.json`, `GET|POST /views/:name` (params
 * from the query string, coerced by each param's JSON Schema type, or a JSON body; 400 naming each
 * bad one), `POST /sql` (raw R2 SQL, admin tokens only). Results answer JSON (R2 SQL's shape with
 * typed columns), NDJSON, CSV or an Arrow IPC stream by `?format=` or Accept, streamed; headers
 * carry files and bytes scanned, the newest event time per namespace in scope and the view's lag;
 * results are cached (Cache API) per view TTL on the SQL and the scope, with ETag / If-None-Match.
 * Every table a view reads is the token's namespace-filtered derived table. Failures answer
 * `{"error": {"code", "message", "field"?}}`: 401 without a valid token, 403 outside its views.
 *
 * @example
 * ```ts
 * import { createQueryHandler } from './create-query-handler.ts';
 * const api = createQueryHandler({ registry, engine, tokens: JSON.parse(env.QUERY_TOKENS), basePath: '/api' });
 * export default { fetch: (request, env, ctx) => api(request, ctx) };
 * ```
 */
export function createQueryHandler(config: QueryHandlerConfig): QueryHandler {
  const app = routesOf(config);
  const base = (config.basePath ?? '').replace(/\/+$/, '');
  const root = new OpenAPIHono<Env>();
  root.route(base || '/', app);
  let document: unknown;
  root.get(`${base}/openapi.json`, (c) => {
    document ??= openApiDocument(app, config, base);
    return c.json(document as Record<string, unknown>);
  });
  root.notFound((c) =>
    apiError(404, {
      code: 'not_found',
      message: `no route ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 200)}`,
    }),
  );
  root.onError((error) =>
    apiError(500, {
      code: 'internal',
      message: (error instanceof Error ? error.message : String(error)).slice(0, 300),
    }),
  );
  return async (request, context) => root.fetch(request, { context });
}

function openApiDocument(app: OpenAPIHono<Env>, config: QueryHandlerConfig, base: string) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'dotdo analytics query API', version: '1' },
    servers: [{ url: base || '/' }],
  }) as { paths?: Record<string, unknown>; components?: Record<string, Record<string, unknown>> };
  const components = doc.components ?? {};
  components.responses = { ...components.responses, ViewResult: RESULT_RESPONSE };
  doc.components = components;
  doc.paths = { ...doc.paths, ...viewPaths(config.registry.catalog(), '') };
  const sqlPost = (doc.paths['/sql'] as { post?: Record<string, unknown> } | undefined)?.post;
  if (sqlPost)
    sqlPost.requestBody = { content: { 'application/json': { schema: z.toJSONSchema(SQL_BODY) } } };
  return doc;
}
