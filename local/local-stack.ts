import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { summarize } from './pipelines/check-records.ts';
import { ingestError } from './pipelines/ingest-answers.ts';
import { type IngestChaos, ingestFaultsRequest, seededRandom } from './pipelines/ingest-faults.ts';
import { createPipelinesStandIn, type PipelinesConfig, type PipelinesStandIn } from './pipelines/index.ts';
import { createR2SqlStandIn, type R2SqlStandIn, r2SqlFailure } from './r2sql/index.ts';
import { errorResponse, isBearer, type StandInResponse } from './stand-in-response.ts';

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

/** A body the server read: its text, or null when it was over the limit (then the rest was discarded). */
function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    const discard = () => {
      // Read what is left into nothing, so the 413 reaches a client that is still sending; one that
      // keeps sending far past the limit loses the connection.
      let discarded = 0;
      request.removeAllListeners('data');
      request.on('data', (chunk: Buffer) => {
        discarded += chunk.length;
        if (discarded > 16 * limit) request.destroy();
      });
      resolve(null);
    };
    if (declared > limit) {
      discard();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) discard();
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, answer: StandInResponse): void {
  if (response.headersSent || response.destroyed) return;
  let status =
    Number.isInteger(answer.status) && answer.status >= 200 && answer.status <= 599 ? answer.status : 500;
  let text: string;
  try {
    text = JSON.stringify(answer.body);
  } catch (cause) {
    status = 500;
    text = JSON.stringify(
      errorResponse(500, 'internal', `the answer could not be encoded: ${summarize(String(cause), 200)}`)
        .body,
    );
  }
  try {
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  } catch {
    response.destroy();
  }
}

/** Decodes one path segment; null for broken percent-encoding. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

const STREAM_NAME = /^[a-z][a-z0-9_]*$/;
const message = (cause: unknown) => summarize(cause instanceof Error ? cause.message : String(cause), 500);

/**
 * Starts the local stand-ins on one HTTP server on 127.0.0.1: Pipelines HTTP ingest
 * (`POST /streams/<stream>`), the R2 SQL API (`POST /api/v1/accounts/<account>/r2-sql/query/<bucket>`),
 * `GET /healthz`, and admin routes for tests and demos (`POST /_admin/roll`, `GET /_admin/stats` per
 * stream, `GET /_admin/stats/r2sql` for queries, `GET|POST /_admin/faults`). With a token, every route
 * but `/healthz` requires it. Paths are matched as sent (no `..` resolution) and decoded per segment.
 * Every failure is a structured answer (ingest: `{"success": false, "error", "code"}`; R2 SQL: the
 * platform's `errors` array; the rest: `{"error": {"code", "message"}}`), never a crash.
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
    ...config.pipelines,
    dataDir: config.dataDir,
    token: config.token,
  });
  const r2sql = createR2SqlStandIn({ dataDir: config.dataDir, token: config.token });
  const limit = pipelines.config.maxRequestBytes;
  let chaos: IngestChaos | null = null;
  const injected = { before: 0, after: 0 };

  async function ingest(stream: string, request: IncomingMessage): Promise<StandInResponse> {
    const body = await readBody(request, limit);
    const auth = request.headers.authorization;
    const authorized = !config.token || isBearer(auth, config.token);
    if (!chaos || !authorized || chaos.random() >= chaos.rate)
      return pipelines.ingestAsync(stream, body, auth);
    if (chaos.random() >= chaos.after) {
      injected.before += 1;
      return ingestError(503, 'injected_fault', 'injected fault: nothing stored');
    }
    // The records are stored, but the acknowledgement is lost: the client will send them again.
    const answer = await pipelines.ingestAsync(stream, body, auth);
    if (answer.status !== 200) return answer;
    injected.after += 1;
    return ingestError(500, 'injected_fault', 'injected fault after storing');
  }

  async function faults(request: IncomingMessage): Promise<StandInResponse> {
    if (!config.faults) {
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
    const parsed = ingestFaultsRequest.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return errorResponse(
        400,
        'invalid_faults',
        `body must be {"ingest": [500, ...]} (statuses 400–599) or {"rate": 0.3, "after": 0.5, "seed": 1}: ${summarize(issue.message, 200)}`,
        issue.path.join('.') || undefined,
      );
    }
    if ('ingest' in parsed.data) {
      pipelines.injectFaults(parsed.data.ingest);
      return { status: 200, body: { success: true, queued: parsed.data.ingest.length } };
    }
    const { rate, after, seed } = parsed.data;
    chaos = rate === 0 ? null : { rate, after, random: seededRandom(seed) };
    return { status: 200, body: { success: true, rate, after } };
  }

  async function admin(parts: string[], method: string, request: IncomingMessage): Promise<StandInResponse> {
    const path = `/${parts.join('/')}`;
    if (config.token && !isBearer(request.headers.authorization, config.token)) {
      return errorResponse(401, 'unauthorized', 'admin routes require Authorization: Bearer <token>');
    }
    const route = `${method} ${path}`;
    if (route === 'POST /_admin/roll') {
      try {
        return { status: 200, body: { files: await pipelines.rollAsync() } };
      } catch (cause) {
        return errorResponse(
          500,
          'roll_failed',
          `${message(cause)} (the records stay in the write-ahead log)`,
        );
      }
    }
    if (route === 'GET /_admin/stats') return { status: 200, body: pipelines.stats() };
    if (route === 'GET /_admin/stats/r2sql') return { status: 200, body: r2sql.stats() };
    if (route === 'GET /_admin/faults') return { status: 200, body: { enabled: !!config.faults, injected } };
    if (route === 'POST /_admin/faults') return faults(request);
    if (['/_admin/roll', '/_admin/stats', '/_admin/stats/r2sql', '/_admin/faults'].includes(path))
      return errorResponse(405, 'method_not_allowed', `${method} is not allowed on ${path}`);
    return errorResponse(404, 'not_found', `no admin route ${summarize(path, 200)}`);
  }

  async function route(request: IncomingMessage): Promise<StandInResponse> {
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    if (!target.startsWith('/'))
      return errorResponse(400, 'bad_request', 'the request target must be a path');
    const parts = target.split(/[?#]/, 1)[0]!.slice(1).split('/');
    if (parts.length === 1 && parts[0] === 'healthz') {
      return method === 'GET'
        ? { status: 200, body: { ok: true } }
        : errorResponse(405, 'method_not_allowed', 'use GET /healthz');
    }
    if (parts[0] === '_admin') return admin(parts, method, request);
    const stream =
      parts.length === 1 && parts[0] === ''
        ? 'events'
        : parts[0] === 'streams' && parts.length === 2
          ? parts[1]!
          : null;
    if (stream !== null) {
      if (method !== 'POST') return ingestError(405, 'method_not_allowed', `${method}: use POST`);
      const name = decodeSegment(stream);
      if (name === null || !STREAM_NAME.test(name)) {
        return ingestError(
          400,
          'invalid_stream',
          `"${summarize(stream, 100)}" is not a stream name (lower-case letters, digits and _)`,
        );
      }
      return ingest(name, request);
    }
    const isR2Sql =
      parts.length === 7 &&
      parts[0] === 'api' &&
      parts[1] === 'v1' &&
      parts[2] === 'accounts' &&
      parts[4] === 'r2-sql' &&
      parts[5] === 'query';
    if (isR2Sql) {
      if (method !== 'POST') return r2SqlFailure(405, 40004, `${method}: use POST`);
      const bucket = decodeSegment(parts[6]!);
      if (bucket === null) return r2SqlFailure(400, 40004, 'the bucket name is not valid percent-encoding');
      return r2sql.query(bucket, await readBody(request, limit), request.headers.authorization);
    }
    return errorResponse(404, 'not_found', `no route for ${method} ${summarize(target, 200)}`);
  }

  // A failure is answered in the shape of the route it happened on.
  function internal(request: IncomingMessage, cause: unknown): StandInResponse {
    const url = request.url ?? '';
    const text = `internal error: ${message(cause)}`;
    if (url.startsWith('/api/')) return r2SqlFailure(500, 80001, text);
    if (url.startsWith('/streams/') || url === '/') return ingestError(500, 'internal', text);
    return errorResponse(500, 'internal', text);
  }

  const server = createServer((request, response) => {
    route(request).then(
      (answer) => reply(response, answer),
      (cause: unknown) => reply(response, internal(request, cause)),
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
  }).catch((error: unknown) => {
    pipelines.close();
    r2sql.close();
    throw error;
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
      try {
        pipelines.close();
      } finally {
        r2sql.close();
      }
    },
  };
}
