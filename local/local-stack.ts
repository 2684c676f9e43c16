import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPipelinesStandIn, type PipelinesConfig, type PipelinesStandIn } from './pipelines/index.ts';
import { createR2SqlStandIn, type R2SqlStandIn } from './r2sql/index.ts';
import type { StandInResponse } from './stand-in-response.ts';

/** Construction options of {@link startLocalStack}. */
export interface LocalStackConfig {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  token?: string;
  pipelines?: Omit<PipelinesConfig, 'dataDir' | 'token'>;
}

/** The running stand-ins and where to reach them. */
export interface LocalStack {
  url: string;
  /** POST a JSON array of records here: `${ingestUrl}/<stream>`. */
  ingestUrl: string;
  /** The R2 SQL API base: `${r2SqlUrl}/accounts/<account>/r2-sql/query/<bucket>`. */
  r2SqlUrl: string;
  pipelines: PipelinesStandIn;
  r2sql: R2SqlStandIn;
  close(): Promise<void>;
}

/** Reads a body up to `limit` bytes; null when it is larger. */
function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      request.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(over ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, { status, body }: StandInResponse): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

const R2SQL_ROUTE = /^\/api\/v1\/accounts\/([^/]+)\/r2-sql\/query\/([^/]+)$/;
const STREAM_ROUTE = /^\/streams\/([^/]+)$/;

/**
 * Starts the local stand-ins on one HTTP server on 127.0.0.1: Pipelines HTTP ingest
 * (`POST /streams/<stream>`), the R2 SQL API (`POST /api/v1/accounts/<account>/r2-sql/query/<bucket>`),
 * and admin routes for tests and demos (`POST /_admin/roll`, `POST /_admin/faults`, `GET /_admin/stats`).
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
    ...config.pipelines,
    dataDir: config.dataDir,
    token: config.token,
  });
  const r2sql = createR2SqlStandIn({ dataDir: config.dataDir, token: config.token });
  const limit = pipelines.config.maxRequestBytes;

  async function route(request: IncomingMessage): Promise<StandInResponse> {
    const path = new URL(request.url ?? '/', 'http://local').pathname;
    const auth = request.headers.authorization;
    const method = request.method ?? 'GET';
    if (method === 'GET' && path === '/healthz') return { status: 200, body: { ok: true } };
    if (method === 'GET' && path === '/_admin/stats') return { status: 200, body: pipelines.stats() };
    if (method !== 'POST')
      return { status: 405, body: { success: false, error: `${method} ${path}: use POST` } };
    const stream = STREAM_ROUTE.exec(path);
    if (stream || path === '/') {
      return pipelines.ingest(
        stream ? decodeURIComponent(stream[1]!) : 'events',
        await readBody(request, limit),
        auth,
      );
    }
    const sql = R2SQL_ROUTE.exec(path);
    if (sql) return r2sql.query(decodeURIComponent(sql[2]!), await readBody(request, limit), auth);
    if (path === '/_admin/roll') return { status: 200, body: { files: pipelines.roll() } };
    if (path === '/_admin/faults') {
      const body = JSON.parse((await readBody(request, limit)) ?? '{}') as { ingest?: unknown };
      const statuses = Array.isArray(body.ingest)
        ? body.ingest.filter((s): s is number => Number.isInteger(s))
        : [];
      if (statuses.length === 0)
        return { status: 400, body: { success: false, error: 'body must be {"ingest": [500, ...]}' } };
      pipelines.injectFaults(statuses);
      return { status: 200, body: { success: true, queued: statuses.length } };
    }
    return { status: 404, body: { success: false, error: `no route for POST ${path}` } };
  }

  const server = createServer((request, response) => {
    route(request).then(
      (answer) => reply(response, answer),
      (cause: Error) => reply(response, { status: 500, body: { success: false, error: cause.message } }),
    );
  });
  await new Promise<void>((resolve) =>
    server.listen(config.port ?? 8788, config.host ?? '127.0.0.1', resolve),
  );
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address}:${port}`;
  return {
    url,
    ingestUrl: `${url}/streams`,
    r2SqlUrl: `${url}/api/v1`,
    pipelines,
    r2sql,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      pipelines.close();
      r2sql.close();
    },
  };
}
