import { join } from 'node:path';
import { R2SQL_ERROR_CODES } from '../../sql/index.ts';
import { createDuckDbEngine, type DuckDbEngine } from '../../query/duckdb/index.ts';
import type { StandInResponse } from '../stand-in-response.ts';
import { translateForBucket } from './known-tables.ts';
import { parseR2SqlRequest, r2SqlFailure } from './parse-r2sql-request.ts';
import { type R2SqlConfig, r2SqlConfig } from './r2sql-config.ts';
import { createScanMetrics, type ScanMetrics, type TableScan } from './scan-metrics.ts';
import { createTableFilesResolver, type TableFilesResolver } from './table-files.ts';

/**
 * Platform error codes: 40003 syntax, 40004 invalid or unsupported, 80001 retryable.
 *
 * @example
 * ```ts
 * import { R2SQL_ERRORS } from './r2sql-stand-in.ts';
 * R2SQL_ERRORS.syntax; // 40003
 * ```
 */
export const R2SQL_ERRORS = R2SQL_ERROR_CODES;

/** Counters of the R2 SQL stand-in: queries answered, and failures by platform code. */
export interface R2SqlStats {
  queries: number;
  succeeded: number;
  /** Failures by code: 40003, 40004, 80001, 10000 (authentication). */
  failed: Record<string, number>;
}

/** A fault the next query answers with instead of running: a platform code, a delay, or both. */
export type R2SqlFault = number | { code?: number; delayMs?: number };

/** The R2 SQL stand-in, independent of any HTTP server. */
export interface R2SqlStandIn {
  query(bucket: string, body: string | null, authorization: string | undefined): Promise<StandInResponse>;
  /** Makes the next queries fail with these codes (80001 by default) or answer late, in order. */
  injectFaults(faults: R2SqlFault[]): void;
  stats(): R2SqlStats;
  close(): void;
}

interface Bucket {
  engine: DuckDbEngine;
  metrics: ScanMetrics;
  files: TableFilesResolver;
  dir: string;
}

/** DuckDB's error classes: a Parser Error is a syntax error (40003), anything else invalid (40004). */
function engineFailure(cause: unknown): StandInResponse {
  const text = cause instanceof Error ? cause.message : String(cause);
  const [first = text] = text.split('\n');
  const hint = /Did you mean[^\n]*/.exec(text)?.[0];
  const message = hint && !first.includes(hint) ? `${first} ${hint}` : first;
  const code = /^Parser Error|syntax error/i.test(text)
    ? R2SQL_ERROR_CODES.syntax
    : R2SQL_ERROR_CODES.unsupported;
  return r2SqlFailure(400, code, message);
}

/**
 * Creates the stand-in for the R2 SQL REST API: `{"query": "..."}` (or wrangler's
 * `{"warehouse", "query"}`) in, the platform's response shape out — `result.schema`, `result.rows` and
 * `result.metrics` (files_scanned, bytes_scanned, r2_requests_count) — run by DuckDB over the bucket's
 * directory after R2 SQL's dialect checks and translation (40003 syntax, 40004 unsupported, LIMIT 500
 * by default). A missing or wrong token is answered 403, as the platform does.
 *
 * @example
 * ```ts
 * import { createR2SqlStandIn } from './r2sql-stand-in.ts';
 * const r2sql = createR2SqlStandIn({ dataDir: '.data' });
 * await r2sql.query('lake', JSON.stringify({ query: 'SELECT count(*) AS n FROM analytics.events' }), undefined);
 * ```
 */
export function createR2SqlStandIn(input: R2SqlConfig): R2SqlStandIn {
  const config = r2SqlConfig.parse(input);
  const buckets = new Map<string, Promise<Bucket>>();
  const faults: R2SqlFault[] = [];
  const counters: R2SqlStats = { queries: 0, succeeded: 0, failed: {} };

  const bucketFor = (name: string): Promise<Bucket> => {
    let bucket = buckets.get(name);
    if (!bucket) {
      const dir = join(config.dataDir, 'r2', name);
      bucket = createDuckDbEngine({ lake: dir, namespace: config.namespace }).then((engine) => ({
        engine,
        metrics: createScanMetrics(engine.connection),
        files: config.tableFiles ?? createTableFilesResolver(engine),
        dir,
      }));
      buckets.set(name, bucket);
    }
    return bucket;
  };

  async function answer(bucketName: string, body: string | null, auth: string | undefined) {
    const request = parseR2SqlRequest(bucketName, body, auth, config.token);
    if ('status' in request) return request;
    const fault = faults.shift();
    if (fault !== undefined) {
      const { code = R2SQL_ERROR_CODES.retryable, delayMs = 0 } =
        typeof fault === 'number' ? { code: fault } : fault;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (typeof fault === 'number' || fault.code !== undefined)
        return r2SqlFailure(code === R2SQL_ERROR_CODES.retryable ? 503 : 400, code, `injected fault ${code}`);
    }
    const bucket = await bucketFor(bucketName);
    const translation = await translateForBucket(bucket.engine, request.query);
    if (!translation.ok) {
      const { code, message, position, construct } = translation.problem;
      return r2SqlFailure(400, code, message, { position, ...(construct ? { construct } : {}) });
    }
    const { sql, tables, identifiers, selectsAll } = translation.value;
    let result: Awaited<ReturnType<DuckDbEngine['query']>>;
    try {
      result = await bucket.engine.query(sql);
    } catch (cause) {
      return engineFailure(cause);
    }
    // Columns the query may read: every identifier it mentions (the metrics keep those that are columns).
    const scans: TableScan[] = [];
    for (const { namespace, table } of tables) {
      scans.push({
        files: await bucket.files(bucket.dir, namespace, table),
        columns: selectsAll ? null : identifiers,
      });
    }
    const metrics = await bucket.metrics.measure(scans);
    return {
      status: 200,
      body: { success: true, errors: [], messages: [], result: { ...result, metrics } },
    };
  }

  return {
    async query(bucket, body, authorization) {
      counters.queries += 1;
      const response = await answer(bucket, body, authorization);
      if (response.status === 200) counters.succeeded += 1;
      else {
        const code = String(
          (response.body as { errors?: { code: number }[] }).errors?.[0]?.code ?? response.status,
        );
        counters.failed[code] = (counters.failed[code] ?? 0) + 1;
      }
      return response;
    },
    injectFaults(list) {
      faults.push(...list);
    },
    stats() {
      return { ...counters, failed: { ...counters.failed } };
    },
    close() {
      for (const bucket of buckets.values()) void bucket.then((b) => b.engine.close?.());
    },
  };
}
