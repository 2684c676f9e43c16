import { R2SQL_ERROR_CODES } from '../../sql/sql-problem.ts';
import type { QueryEngine, QueryMetrics, QueryResult, ResultColumn } from '../query-engine.ts';
import { type FetchLike, R2SQL_ENDPOINT, type R2SqlEngineConfig } from './r2sql-engine-config.ts';
import { R2SqlError } from './r2sql-error.ts';

/** A {@link QueryEngine} over the R2 SQL REST API. */
export interface R2SqlEngine extends QueryEngine {
  /** The URL queries are POSTed to. */
  readonly url: string;
}

interface PlatformBody {
  success?: boolean;
  errors?: { code?: number; message?: string; position?: { line: number; column: number } }[];
  result?: { schema?: ResultColumn[]; rows?: Record<string, unknown>[]; metrics?: QueryMetrics } | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates a query engine that sends SQL to R2 SQL over `fetch` — the same code in Workers and Node.
 * Each query is `POST {endpoint}/api/v1/accounts/{accountId}/r2-sql/query/{bucket}` with a bearer token
 * and `{"warehouse", "query"}`; the answer's schema, rows and metrics become the {@link QueryResult}.
 * Code 80001 and connection failures are retried with exponential backoff and full jitter, up to
 * `maxAttempts`; every other failure (40003, 40004, a 403, a timeout) is thrown at once as an
 * `R2SqlError` carrying the platform's code and message.
 *
 * @example
 * ```ts
 * import { createR2SqlEngine } from './r2sql-engine.ts';
 * const engine = createR2SqlEngine({ accountId: env.ACCOUNT_ID, bucket: 'lake', token: env.R2_SQL_TOKEN });
 * const { rows, metrics } = await engine.query('SELECT verb, count(*) AS n FROM analytics.events GROUP BY verb');
 * ```
 */
export function createR2SqlEngine(config: R2SqlEngineConfig): R2SqlEngine {
  const endpoint = (config.endpoint ?? R2SQL_ENDPOINT).replace(/\/+$/, '');
  const url = `${endpoint}/api/v1/accounts/${encodeURIComponent(config.accountId)}/r2-sql/query/${encodeURIComponent(config.bucket)}`;
  const warehouse = `${config.accountId}_${config.bucket}`;
  const timeoutMs = config.timeoutMs ?? 60_000;
  const maxAttempts = Math.max(1, config.maxAttempts ?? 4);
  const baseDelayMs = config.baseDelayMs ?? 200;
  const maxDelayMs = config.maxDelayMs ?? 5_000;
  const random = config.random ?? Math.random;
  const doFetch: FetchLike = config.fetch ?? ((input, init) => fetch(input, init));

  async function attempt<Row>(sql: string, attempts: number): Promise<QueryResult<Row>> {
    const fail = (
      code: R2SqlError['code'],
      message: string,
      status?: number,
      position?: R2SqlError['position'],
    ) =>
      new R2SqlError({
        code,
        message,
        sql,
        attempts,
        ...(status !== undefined ? { status } : {}),
        ...(position ? { position } : {}),
      });
    let response: Response;
    let text: string;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ warehouse, query: sql }),
        signal,
      });
      text = await response.text();
    } catch (cause) {
      if (signal.aborted) throw fail('timeout', `no answer within ${timeoutMs} ms from ${url}`);
      throw fail('network', `cannot reach ${url}: ${(cause as Error).message}`);
    }
    let body: PlatformBody;
    try {
      body = JSON.parse(text) as PlatformBody;
    } catch {
      throw fail(
        response.status === 403 ? R2SQL_ERROR_CODES.authentication : 'malformed_response',
        `HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
        response.status,
      );
    }
    if (response.ok && body.success && body.result) {
      return {
        schema: body.result.schema ?? [],
        rows: (body.result.rows ?? []) as Row[],
        ...(body.result.metrics ? { metrics: body.result.metrics } : {}),
      };
    }
    const error = body.errors?.[0];
    if (error?.code !== undefined)
      throw fail(error.code, error.message ?? 'no message', response.status, error.position);
    throw fail(
      'http',
      `HTTP ${response.status} without an error code: ${text.slice(0, 200)}`,
      response.status,
    );
  }

  return {
    url,
    async query<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>> {
      for (let attempts = 1; ; attempts++) {
        try {
          return await attempt<Row>(sql, attempts);
        } catch (error) {
          if (!(error instanceof R2SqlError) || !error.retryable || attempts >= maxAttempts) throw error;
          // Full jitter: a random delay up to the exponential bound, so retries of many clients spread out.
          await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1)));
        }
      }
    },
  };
}
