import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createIsolatedDuckDbEngine, type DuckDbEngine } from '../query/duckdb/index.ts';
import {
  builtInRegistry,
  createQueryHandler,
  hashToken,
  type QueryApiEngine,
  type QueryTokenConfig,
  type TokenVerifier,
} from '../query/api/index.ts';
import { namespacePattern } from '../query/api/namespace-scope.ts';
import type { R2SqlDialectEngine } from '../query/index.ts';

/** Construction options of {@link createLocalQueryApi}. */
export interface LocalQueryApiConfig {
  /** The bucket's directory (`<dataDir>/r2/<bucket>`), read by a DuckDB engine of its own. */
  dataDir: string;
  bucket: string;
  /** The query API's tokens; default: the stack's token as an admin over every namespace. */
  tokens?: readonly QueryTokenConfig[];
  /** The stack's token, when it has one. */
  token?: string;
}

/** The query API of the local stack: the same handler the Worker mounts, over DuckDB on the lake. */
export interface LocalQueryApi {
  /** Whether a request path belongs to the query API (`/api/views…`, `/api/sql`, `/api/openapi.json`). */
  owns(path: string): boolean;
  serve(request: IncomingMessage, response: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

/**
 * A verifier that lets every caller in as an admin over every namespace: for an open local stack (no
 * token, as its other routes) and the CLI over a lake on disk. Never for a deployed handler.
 *
 * @example
 * ```ts
 * import { openTokenVerifier } from './local-query-api.ts';
 * (await openTokenVerifier.verify(undefined))?.admin; // true
 * ```
 */
export const openTokenVerifier: TokenVerifier = {
  size: 1,
  verify: async () => ({ name: 'local', namespaces: [namespacePattern.parse('*')], admin: true }),
};

function toRequest(request: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const method = request.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? null : (Readable.toWeb(request) as ReadableStream);
  return new Request(`${origin}${request.url ?? '/'}`, {
    method,
    headers,
    body,
    ...(body ? { duplex: 'half' } : {}),
  } as RequestInit);
}

async function send(answer: Response, response: ServerResponse): Promise<void> {
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  if (!answer.body) {
    response.end();
    return;
  }
  const reader = answer.body.getReader();
  response.on('close', () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // Backpressure: wait for the socket to drain before reading the next chunk.
    if (!response.write(value)) await new Promise((resolve) => response.once('drain', resolve));
  }
  response.end();
}

/**
 * Serves a fetch handler's answer to a Node request: the request bridged to fetch's, the answer
 * streamed back with backpressure.
 *
 * @example
 * ```ts
 * import { serveFetchHandler } from './local-query-api.ts';
 * await serveFetchHandler((request) => dashboard(request), request, response);
 * ```
 */
export async function serveFetchHandler(
  handler: (request: Request) => Promise<Response>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
  await send(await handler(toRequest(request, origin)), response);
}

/**
 * Serves the query API (`createQueryHandler`, the built-in views) from the local stack under `/api`,
 * over a DuckDB engine of its own on the bucket (in its own process, R2 SQL's dialect, started at the
 * first query). Requests and streamed answers are bridged between Node's HTTP server and fetch.
 *
 * @example
 * ```ts
 * import { createLocalQueryApi } from './local-query-api.ts';
 * const api = createLocalQueryApi({ dataDir: '.data', bucket: 'lake' });
 * if (api.owns('/api/views')) await api.serve(request, response);
 * ```
 */
export function createLocalQueryApi(config: LocalQueryApiConfig): LocalQueryApi {
  let engine: Promise<DuckDbEngine & Pick<R2SqlDialectEngine, 'run'>> | null = null;
  const lazy: QueryApiEngine = {
    async query(sql) {
      engine ??= createIsolatedDuckDbEngine({ lake: join(config.dataDir, 'r2', config.bucket) });
      engine.catch(() => {
        engine = null;
      });
      // `run` takes R2 SQL's dialect (checked and translated in the engine's process), as views are written.
      return (await (await engine).run(sql)).result;
    },
  };
  const handler = (async () => {
    const tokens =
      config.tokens ??
      (config.token ? [{ sha256: await hashToken(config.token), namespaces: ['*'], admin: true }] : null);
    return createQueryHandler({
      registry: builtInRegistry(),
      engine: lazy,
      tokens: tokens ?? openTokenVerifier,
      basePath: '/api',
      cache: false,
    });
  })();
  return {
    owns: (path) => /^\/api\/(views(\/|$)|sql$|openapi\.json$)/.test(path),
    async serve(request, response) {
      const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
      await send(await (await handler)(toRequest(request, origin)), response);
    },
    async close() {
      const open = engine;
      engine = null;
      if (open) await open.then((e) => e.close()).catch(() => {});
    },
  };
}
