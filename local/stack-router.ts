import type { IncomingMessage } from 'node:http';
import type { CatalogStandIn } from './catalog/index.ts';
import { icebergError } from './catalog/index.ts';
import { summarize } from './pipelines/check-records.ts';
import { ingestError } from './pipelines/ingest-answers.ts';
import { createIngestFaults, type IngestFaults } from './pipelines/ingest-faults.ts';
import type { PipelinesStandIn } from './pipelines/index.ts';
import { type R2SqlStandIn, r2SqlFailure } from './r2sql/index.ts';
import { decodeSegment, readBody } from './serve-json.ts';
import { errorResponse, isBearer, type StandInResponse } from './stand-in-response.ts';

/** What the router serves. */
export interface StackRouterConfig {
  token?: string;
  /** Whether `POST /_admin/faults` may inject faults. */
  faults: boolean;
  pipelines: PipelinesStandIn;
  r2sql: R2SqlStandIn;
  /** The local R2 Data Catalog, served under `/catalog/<account>/<bucket>/v1/`. */
  catalog?: CatalogStandIn;
  /** The stack's base URL, for answers that name it (the catalog's file endpoint). */
  baseUrl?: () => string;
}

/** Answers one request; {@link StackRouter.internal} shapes a failure for the route it happened on. */
export interface StackRouter {
  route(request: IncomingMessage): Promise<StandInResponse>;
  internal(request: IncomingMessage, cause: unknown): StandInResponse;
}

interface Context extends StackRouterConfig {
  injection: IngestFaults;
  limit: number;
}

const STREAM_NAME = /^[a-z][a-z0-9_]*$/;
const ADMIN_PATHS = ['/_admin/roll', '/_admin/stats', '/_admin/stats/r2sql', '/_admin/faults'];
const message = (cause: unknown) => summarize(cause instanceof Error ? cause.message : String(cause), 500);

async function faults(context: Context, request: IncomingMessage): Promise<StandInResponse> {
  if (!context.faults) {
    return errorResponse(
      404,
      'faults_disabled',
      'fault injection is off: start the stand-in with --faults (LocalStackConfig.faults)',
    );
  }
  const text = await readBody(request, 64 * 1024);
  if (text === null) return errorResponse(413, 'too_large', 'a faults request is at most 64 KiB');
  let body: unknown;
  try {
    body = JSON.parse(text || '{}');
  } catch {
    return errorResponse(400, 'malformed_json', 'body must be JSON');
  }
  return context.injection.configure(body);
}

async function admin(context: Context, path: string, request: IncomingMessage): Promise<StandInResponse> {
  const method = request.method ?? 'GET';
  if (context.token && !isBearer(request.headers.authorization, context.token)) {
    return errorResponse(401, 'unauthorized', 'admin routes require Authorization: Bearer <token>');
  }
  switch (`${method} ${path}`) {
    case 'POST /_admin/roll':
      try {
        return { status: 200, body: { files: await context.pipelines.rollAsync() } };
      } catch (cause) {
        return errorResponse(
          500,
          'roll_failed',
          `${message(cause)} (the records stay in the write-ahead log)`,
        );
      }
    case 'GET /_admin/stats':
      return { status: 200, body: context.pipelines.stats() };
    case 'GET /_admin/stats/r2sql':
      return { status: 200, body: context.r2sql.stats() };
    case 'GET /_admin/faults':
      return { status: 200, body: { enabled: context.faults, injected: context.injection.injected } };
    case 'POST /_admin/faults':
      return faults(context, request);
  }
  if (ADMIN_PATHS.includes(path))
    return errorResponse(405, 'method_not_allowed', `${method} is not allowed on ${path}`);
  return errorResponse(404, 'not_found', `no admin route ${summarize(path, 200)}`);
}

async function ingest(context: Context, segment: string, request: IncomingMessage): Promise<StandInResponse> {
  const method = request.method ?? 'GET';
  if (method !== 'POST') return ingestError(405, 'method_not_allowed', `${method}: use POST`);
  const name = decodeSegment(segment);
  if (name === null || !STREAM_NAME.test(name)) {
    return ingestError(
      400,
      'invalid_stream',
      `"${summarize(segment, 100)}" is not a stream name (lower-case letters, digits and _)`,
    );
  }
  const body = await readBody(request, context.limit);
  return context.injection.ingest(name, body, request.headers.authorization);
}

async function r2Sql(context: Context, segment: string, request: IncomingMessage): Promise<StandInResponse> {
  const method = request.method ?? 'GET';
  if (method !== 'POST') return r2SqlFailure(405, 40004, `${method}: use POST`);
  const bucket = decodeSegment(segment);
  if (bucket === null) return r2SqlFailure(400, 40004, 'the bucket name is not valid percent-encoding');
  return context.r2sql.query(bucket, await readBody(request, context.limit), request.headers.authorization);
}

function catalog(
  context: Context,
  parts: string[],
  target: string,
  request: IncomingMessage,
): StandInResponse {
  const method = request.method ?? 'GET';
  if (!context.catalog)
    return errorResponse(404, 'not_found', 'the local R2 Data Catalog is not served here');
  const segments = parts.slice(4).map(decodeSegment);
  const bucket = decodeSegment(parts[2]!);
  if (bucket === null || segments.some((s) => s === null)) {
    return icebergError(400, 'BadRequestException', 'the path is not valid percent-encoding');
  }
  const search = target.includes('?') ? target.slice(target.indexOf('?') + 1).split('#', 1)[0]! : '';
  return context.catalog.handle({
    method,
    bucket,
    segments: segments as string[],
    query: new URLSearchParams(search),
    ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    baseUrl: context.baseUrl?.() ?? `http://${request.headers.host ?? '127.0.0.1'}`,
  });
}

/**
 * Routes the local stack's requests. Paths are matched as sent, segment by segment (no `..`
 * resolution: `/streams/..` is not `/`), and each segment is decoded on its own, so broken
 * percent-encoding is a 400, never a thrown URIError. With a token, every route but `/healthz`
 * requires it: ingest answers 401, R2 SQL 403 (the platform's answer), admin routes 401.
 *
 * @example
 * ```ts
 * import { createStackRouter } from './stack-router.ts';
 * const router = createStackRouter({ faults: false, pipelines, r2sql });
 * const answer = await router.route(request);
 * ```
 */
export function createStackRouter(config: StackRouterConfig): StackRouter {
  const context: Context = {
    ...config,
    injection: createIngestFaults(config.pipelines, config.token),
    limit: config.pipelines.config.maxRequestBytes,
  };
  return {
    async route(request) {
      const method = request.method ?? 'GET';
      const target = request.url ?? '/';
      if (!target.startsWith('/'))
        return errorResponse(400, 'bad_request', 'the request target must be a path');
      const path = target.split(/[?#]/, 1)[0]!;
      const parts = path.slice(1).split('/');
      if (path === '/healthz') {
        return method === 'GET'
          ? { status: 200, body: { ok: true } }
          : errorResponse(405, 'method_not_allowed', 'use GET /healthz');
      }
      if (parts[0] === '_admin') return admin(context, path, request);
      if (path === '/') return ingest(context, 'events', request);
      if (parts[0] === 'streams' && parts.length === 2) return ingest(context, parts[1]!, request);
      if (parts[0] === 'catalog' && parts.length >= 5 && parts[3] === 'v1')
        return catalog(context, parts, target, request);
      const [api, v1, accounts, , r2sql, query, bucket] = parts;
      if (
        parts.length === 7 &&
        `${api}/${v1}/${accounts}/${r2sql}/${query}` === 'api/v1/accounts/r2-sql/query'
      )
        return r2Sql(context, bucket!, request);
      return errorResponse(404, 'not_found', `no route for ${method} ${summarize(target, 200)}`);
    },
    internal(request, cause) {
      const url = request.url ?? '';
      const text = `internal error: ${message(cause)}`;
      if (url.startsWith('/api/')) return r2SqlFailure(500, 80001, text);
      if (url.startsWith('/catalog/')) return icebergError(500, 'InternalServerError', text);
      if (url.startsWith('/streams/') || url === '/') return ingestError(500, 'internal', text);
      return errorResponse(500, 'internal', text);
    },
  };
}
