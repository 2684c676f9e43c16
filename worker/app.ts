import { Hono } from 'hono';
import { createDashboardHandler, type DashboardHandler } from '../dashboard/index.ts';
import { handleAuditRoute } from './audit-routes.ts';
import { errorResponse, toErrorResponse } from './error-response.ts';
import { OBJECT_OPERATIONS, type ObjectOperation, objectRoute } from './object-routes.ts';
import { queryApi } from './query-api.ts';
import { rollupRoute } from './rollup-routes.ts';
import { namespaceRoute, OPERATIONS, type Operation } from './routes.ts';
import type { Env } from './startup.ts';

const HOST = /^[a-z0-9.-]+(?::\d+)?$/;
type App = Hono<{ Bindings: Env }>;

const notFound = (request: Request): Response =>
  errorResponse(404, {
    code: 'not_found',
    message: `no route ${new URL(request.url).pathname}; use /ns/<host>/(${OPERATIONS.join('|')}) or /api`,
  });

const dashboards = new WeakMap<Env, DashboardHandler>();
const noAssets = { fetch: async () => new Response(null, { status: 404 }) };

/** The dashboard over the Static Assets binding (without one it answers 503 naming the build step). */
function dashboard(env: Env): DashboardHandler {
  let handler = dashboards.get(env);
  if (!handler) {
    handler = createDashboardHandler({
      assets: env.ASSETS ?? noAssets,
      apiBase: '/api',
      auditHealthUrl: '/audit/health',
    });
    dashboards.set(env, handler);
  }
  return handler;
}

/** The raw (still percent-encoded) path segments: routing decisions are made on the path as sent. */
const segments = (request: Request): string[] => new URL(request.url).pathname.slice(1).split('/');

function context(c: { executionCtx: { waitUntil(promise: Promise<unknown>): void } }) {
  try {
    return c.executionCtx;
  } catch {
    return undefined; // called without one (app.request in a test)
  }
}

function objectRoutes(app: App): void {
  const path = `/:kind{ns|customers}/:host/:operation{${OBJECT_OPERATIONS.join('|')}}/*`;
  app.all(path, (c) => {
    const [kind, host, operation, ...rest] = segments(c.req.raw) as [string, string, string, ...string[]];
    if (!HOST.test(host)) return notFound(c.req.raw);
    const tail = rest.join('/');
    if (rest.length > 0 && tail === '') return notFound(c.req.raw);
    return objectRoute(c.req.raw, c.env, {
      kind: kind as 'ns' | 'customers',
      host,
      operation: operation as ObjectOperation,
      ...(tail ? { rest: tail } : {}),
    });
  });
}

/**
 * The example Worker's routes on Hono: `/ns/<host>/<operation>` (actions, flush, seed, pending,
 * events, dead-letters, resend), the object routes (`move`, `raise`, `things/<ref>`, the Customer's
 * `signup` and `charge`), the rollups' status and operations under `/rollups` (see rollup-routes.ts),
 * the query API under `/api` (see query-api.ts), and the dashboard at `/` (its assets under
 * `/dashboard/assets/`, from the ASSETS binding). Unknown paths answer
 * 404 `not_found`; every failure `{"error": {"code", "message", "field"?}}`.
 *
 * @example
 * ```ts
 * import { createWorkerApp } from './app.ts';
 * export default { fetch: createWorkerApp().fetch };
 * ```
 */
export function createWorkerApp(): App {
  const app: App = new Hono<{ Bindings: Env }>();
  app.all('/api/*', (c) => queryApi(c.env)(c.req.raw, context(c)));
  app.all('/api', (c) => queryApi(c.env)(c.req.raw, context(c)));
  app.get('/', (c) => dashboard(c.env)(c.req.raw));
  app.get('/dashboard', (c) => dashboard(c.env)(c.req.raw));
  app.get('/dashboard/*', (c) => dashboard(c.env)(c.req.raw));
  objectRoutes(app);
  app.all('/rollups', (c) => rollupRoute(c.req.raw, c.env, 'status'));
  app.all('/rollups/:what{refresh|backfill}', (c) =>
    rollupRoute(c.req.raw, c.env, c.req.param('what') as 'refresh' | 'backfill'),
  );
  app.all(
    '/audit/:what{keys|health}',
    async (c) => (await handleAuditRoute(c.req.raw, c.env)) ?? notFound(c.req.raw),
  );
  app.all(`/ns/:host/:operation{${OPERATIONS.join('|')}}`, (c) => {
    const [, host, operation] = segments(c.req.raw) as [string, string, Operation];
    if (!HOST.test(host)) return notFound(c.req.raw);
    return namespaceRoute(c.req.raw, c.env, host, operation);
  });
  app.notFound((c) => notFound(c.req.raw));
  app.onError((error) => toErrorResponse(error));
  return app;
}
