import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { QueryTokenConfig } from '../query/api/index.ts';
import { createLocalDashboard, type LocalDashboardConfig } from '../dashboard/build/local-dashboard.ts';
import { isDashboardPath } from '../dashboard/index.ts';
import { createLocalQueryApi, serveFetchHandler } from './local-query-api.ts';
import type { StreamView } from '../views/index.ts';
import { createBucketFileHandler, createCatalogStandIn } from './catalog/index.ts';
import { createPipelinesStandIn, type PipelinesConfig, type PipelinesStandIn } from './pipelines/index.ts';
import { withStreamViews } from './pipelines/transforms/index.ts';
import { createR2SqlStandIn, type R2SqlConfig, type R2SqlStandIn } from './r2sql/index.ts';
import { reply } from './serve-json.ts';
import { createStackRouter } from './stack-router.ts';

/** Construction options of {@link startLocalStack}. */
export interface LocalStackConfig {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** When set, ingest, R2 SQL and every admin route require `Authorization: Bearer <token>`. */
  token?: string;
  /** Enables `POST /_admin/faults` (fault injection for tests and demos); off unless asked for. */
  faults?: boolean;
  pipelines?: Omit<PipelinesConfig, 'dataDir' | 'token'>;
  /**
   * Stream views to materialize: each gets its sink (an R2 Data Catalog table of its own) and its
   * pipeline, run by the same transforms as the lake's things and actions (see withStreamViews).
   */
  streamViews?: readonly StreamView[];
  /**
   * Tokens of the query API served under `/api` (views, `/api/sql`, `/api/openapi.json`); default: the
   * stack's token as an admin over every namespace (no token: open, as the other routes are).
   */
  queryTokens?: readonly QueryTokenConfig[];
  /** Bounds of R2 SQL queries (time, memory, result size, concurrency); see R2SqlConfig. */
  r2sql?: Pick<R2SqlConfig, 'limits'>;
  /** The dashboard's settings beside its API base (e.g. the in-browser check's page size). */
  dashboard?: Pick<LocalDashboardConfig, 'verifyPageEvents'>;
}

/** The running stand-ins and where to reach them. */
export interface LocalStack {
  url: string;
  /** POST a JSON array of records here: `${ingestUrl}/<stream>`. */
  ingestUrl: string;
  /** The R2 SQL API base: `${r2SqlUrl}/accounts/<account>/r2-sql/query/<bucket>`. */
  r2SqlUrl: string;
  /** The local R2 Data Catalog (Iceberg REST) of the Pipelines bucket: `${catalogUrl}/v1/config`. */
  catalogUrl: string;
  /** The S3-like file route: `GET ${filesUrl}/<bucket>/<key>` (Range, ETag). */
  filesUrl: string;
  pipelines: PipelinesStandIn;
  r2sql: R2SqlStandIn;
  close(): Promise<void>;
}

/**
 * Starts the local stand-ins on one HTTP server on 127.0.0.1: Pipelines HTTP ingest
 * (`POST /streams/<stream>`), the R2 SQL API (`POST /api/v1/accounts/<account>/r2-sql/query/<bucket>`),
 * the query API (`/api/views`, `/api/sql`, `/api/openapi.json`: the handler the Worker mounts, over
 * DuckDB on the bucket), the dashboard (`GET /`, its assets under `/dashboard/assets/`), `GET /healthz`, and admin routes for tests and demos (`POST /_admin/roll`, `GET /_admin/stats` per
 * the local R2 Data Catalog (Iceberg REST, read side: `/catalog/<account>/<bucket>/v1/…`) with its file
 * route (`GET /r2/<bucket>/<key>`),
 * `GET /healthz`, and admin routes for tests and demos (`POST /_admin/roll`, `GET /_admin/stats` per
 * stream, `GET /_admin/stats/r2sql` for queries, `GET|POST /_admin/faults`); see stack-router.ts. With a
 * token, every route but `/healthz` requires it. Every failure is a structured answer (ingest:
 * `{"success": false, "error", "code"}`; R2 SQL: the platform's `errors` array; the rest:
 * `{"error": {"code", "message"}}`), never a crash.
 * Faults (only with `faults: true`): `{"ingest": [500, 503]}` answers the next requests with those
 * statuses; `{"rate": 0.3, "after": 0.5, "seed": 7}` fails 30 % of requests at random, half of them
 * after storing the records (a lost acknowledgement); `{"rate": 0}` stops.
 *
 * @example
 * ```ts
 * import { startLocalStack } from './local-stack.ts';
 * const stack = await startLocalStack({ dataDir: '.data', port: 8788 });
 * console.log(stack.ingestUrl);
 * await stack.close();
 * ```
 */
export async function startLocalStack(config: LocalStackConfig): Promise<LocalStack> {
  const pipelines = createPipelinesStandIn({
    ...withStreamViews(config.pipelines, config.streamViews ?? []),
    dataDir: config.dataDir,
    token: config.token,
  });
  const r2sql = createR2SqlStandIn({
    dataDir: config.dataDir,
    token: config.token,
    buckets: [pipelines.config.bucket],
    ...config.r2sql,
  });
  const queryApi = createLocalQueryApi({
    dataDir: config.dataDir,
    bucket: pipelines.config.bucket,
    ...(config.queryTokens ? { tokens: config.queryTokens } : {}),
    ...(config.token ? { token: config.token } : {}),
  });
  // The dashboard at `/`, built at its first request, calling the query API under /api.
  const dashboard = createLocalDashboard({ ...config.dashboard, apiBase: '/api' });
  const buckets = [pipelines.config.bucket];
  const catalog = createCatalogStandIn({ dataDir: config.dataDir, token: config.token, buckets });
  const serveFile = createBucketFileHandler({ dataDir: config.dataDir, token: config.token, buckets });
  let url = '';
  const router = createStackRouter({
    token: config.token,
    faults: !!config.faults,
    pipelines,
    r2sql,
    catalog,
    baseUrl: () => url,
  });
  const server = createServer((request, response) => {
    // A client that goes away mid-request is not an error of the server.
    request.on('error', () => {});
    response.on('error', () => {});
    if (queryApi.owns((request.url ?? '/').split('?', 1)[0]!)) {
      queryApi.serve(request, response).catch((cause: unknown) => {
        if (response.headersSent) response.destroy();
        else reply(response, { status: 500, body: { error: { code: 'internal', message: String(cause) } } });
      });
      return;
    }
    if (request.url?.startsWith('/r2/')) return serveFile(request, response);
    const path = (request.url ?? '/').split('?', 1)[0]!;
    // `POST /` stays the default stream's ingest route (as a Pipelines stream's endpoint is); the
    // dashboard answers reads of `/`.
    const pageRead = request.method === 'GET' || request.method === 'HEAD';
    if (isDashboardPath(path) && (path !== '/' || pageRead)) {
      serveFetchHandler(dashboard, request, response).catch((cause: unknown) => {
        if (response.headersSent) response.destroy();
        else reply(response, { status: 500, body: { error: { code: 'internal', message: String(cause) } } });
      });
      return;
    }
    router.route(request).then(
      (answer) => reply(response, answer),
      (cause: unknown) => reply(response, router.internal(request, cause)),
    );
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 8788, config.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    pipelines.close();
    await r2sql.close();
    throw error;
  });
  const { address, port } = server.address() as AddressInfo;
  url = `http://${address}:${port}`;
  return {
    url,
    ingestUrl: `${url}/streams`,
    r2SqlUrl: `${url}/api/v1`,
    catalogUrl: `${url}/catalog/local/${pipelines.config.bucket}`,
    filesUrl: `${url}/r2`,
    pipelines,
    r2sql,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      try {
        pipelines.close();
      } finally {
        await Promise.all([r2sql.close(), queryApi.close()]);
      }
    },
  };
}
