import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPipelinesStandIn, type PipelinesConfig, type PipelinesStandIn } from './pipelines/index.ts';
import { createR2SqlStandIn, type R2SqlConfig, type R2SqlStandIn } from './r2sql/index.ts';
import type { StandInResponse } from './stand-in-response.ts';

/** Construction options of {@link startLocalStack}. */
export interface LocalStackConfig {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  token?: string;
  pipelines?: Omit<PipelinesConfig, 'dataDir' | 'token'>;
  /** Bounds of R2 SQL queries (time, memory, result size, concurrency); see R2SqlConfig. */
  r2sql?: Pick<R2SqlConfig, 'limits'>;
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

/** Random ingest faults: a share `rate` of requests fails; a share `after` of those fails after storing. */
interface Chaos {
  rate: number;
  after: number;
  random: () => number;
}

// A seeded generator (mulberry32), so a fault run can be reproduced.
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const R2SQL_ROUTE = /^\/api\/v1\/accounts\/([^/]+)\/r2-sql\/query\/([^/]+)$/;
const STREAM_ROUTE = /^\/streams\/([^/]+)$/;

/**
 * Starts the local stand-ins on one HTTP server on 127.0.0.1: Pipelines HTTP ingest
 * (`POST /streams/<stream>`), the R2 SQL API (`POST /api/v1/accounts/<account>/r2-sql/query/<bucket>`),
 * and admin routes for tests and demos (`POST /_admin/roll`, `POST /_admin/faults`, `GET /_admin/stats` per stream,
 * `GET /_admin/stats/r2sql` for queries).
 * Faults: `{"ingest": [500, 503]}` answers the next requests with those statuses; `{"rate": 0.3,
 * "after": 0.5, "seed": 7}` fails 30 % of requests at random, half of them after storing the records
 * (a lost acknowledgement); `{"rate": 0}` stops.
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
  const r2sql = createR2SqlStandIn({
    dataDir: config.dataDir,
    token: config.token,
    buckets: [pipelines.config.bucket],
    ...config.r2sql,
  });
  const limit = pipelines.config.maxRequestBytes;
  let chaos: Chaos | null = null;
  const injected = { before: 0, after: 0 };

  function ingest(stream: string, body: string | null, auth: string | undefined): StandInResponse {
    if (!chaos || chaos.random() >= chaos.rate) return pipelines.ingest(stream, body, auth);
    if (chaos.random() >= chaos.after) {
      injected.before += 1;
      return { status: 503, body: { success: false, error: 'injected fault: nothing stored' } };
    }
    // The records are stored, but the acknowledgement is lost: the client will send them again.
    const answer = pipelines.ingest(stream, body, auth);
    if (answer.status === 200) injected.after += 1;
    return answer.status === 200
      ? { status: 500, body: { success: false, error: 'injected fault after storing' } }
      : answer;
  }

  async function route(request: IncomingMessage): Promise<StandInResponse> {
    const path = new URL(request.url ?? '/', 'http://local').pathname;
    const auth = request.headers.authorization;
    const method = request.method ?? 'GET';
    if (method === 'GET' && path === '/healthz') return { status: 200, body: { ok: true } };
    if (method === 'GET' && path === '/_admin/stats') return { status: 200, body: pipelines.stats() };
    if (method === 'GET' && path === '/_admin/stats/r2sql') return { status: 200, body: r2sql.stats() };
    if (method === 'GET' && path === '/_admin/faults') return { status: 200, body: { injected } };
    if (method !== 'POST')
      return { status: 405, body: { success: false, error: `${method} ${path}: use POST` } };
    const stream = STREAM_ROUTE.exec(path);
    if (stream || path === '/') {
      return ingest(stream ? decodeURIComponent(stream[1]!) : 'events', await readBody(request, limit), auth);
    }
    const sql = R2SQL_ROUTE.exec(path);
    if (sql) return r2sql.query(decodeURIComponent(sql[2]!), await readBody(request, limit), auth);
    if (path === '/_admin/roll') return { status: 200, body: { files: pipelines.roll() } };
    if (path === '/_admin/faults') return configureFaults(await readBody(request, limit));
    return { status: 404, body: { success: false, error: `no route for POST ${path}` } };
  }

  function configureFaults(text: string | null): StandInResponse {
    let body: { ingest?: unknown; rate?: unknown; after?: unknown; seed?: unknown };
    try {
      body = JSON.parse(text ?? '{}');
    } catch {
      return { status: 400, body: { success: false, error: 'body must be JSON' } };
    }
    if (body.rate !== undefined) {
      const rate = Number(body.rate);
      const after = Number(body.after ?? 0);
      if (!(rate >= 0 && rate <= 1) || !(after >= 0 && after <= 1)) {
        return {
          status: 400,
          body: { success: false, error: 'rate and after must be numbers between 0 and 1' },
        };
      }
      chaos = rate === 0 ? null : { rate, after, random: seeded(Number(body.seed ?? 1)) };
      return { status: 200, body: { success: true, rate, after } };
    }
    const statuses = Array.isArray(body.ingest)
      ? body.ingest.filter((s): s is number => Number.isInteger(s))
      : [];
    if (statuses.length === 0) {
      return {
        status: 400,
        body: {
          success: false,
          error: 'body must be {"ingest": [500, ...]} or {"rate": 0.3, "after": 0.5, "seed": 1}',
        },
      };
    }
    pipelines.injectFaults(statuses);
    return { status: 200, body: { success: true, queued: statuses.length } };
  }

  const server = createServer((request, response) => {
    route(request).then(
      (answer) => reply(response, answer),
      (cause: Error) => reply(response, { status: 500, body: { success: false, error: cause.message } }),
    );
  });
  // A busy port rejects (EADDRINUSE) instead of crashing the process with an unhandled 'error'.
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      pipelines.close();
      r2sql.close();
      reject(error);
    });
    server.listen(config.port ?? 8788, config.host ?? '127.0.0.1', resolve);
  });
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
      await r2sql.close();
    },
  };
}
