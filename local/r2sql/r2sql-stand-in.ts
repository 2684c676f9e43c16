import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createIsolatedDuckDbEngine, type DuckDbEngine } from '../../query/duckdb/index.ts';
import { type R2SqlDialectEngine, type R2SqlError, toR2SqlError } from '../../query/index.ts';
import { R2SQL_ERROR_CODES } from '../../sql/index.ts';
import type { StandInResponse } from '../stand-in-response.ts';
import { parseR2SqlRequest, r2SqlFailure } from './parse-r2sql-request.ts';
import { type R2SqlConfig, r2SqlConfig } from './r2sql-config.ts';
import { createScanMetrics, type ScanMetrics, type TableScan } from './scan-metrics.ts';
import { createTableFilesResolver, type TableFilesResolver } from './table-files.ts';

/** Counters of the R2 SQL stand-in: queries answered, and failures by platform code. */
export interface R2SqlStats {
  queries: number;
  succeeded: number;
  /** Failures by code: 40003, 40004, 40015, 80001, 10000 (authentication). */
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
  close(): Promise<void>;
}

interface Bucket {
  engine: DuckDbEngine & Pick<R2SqlDialectEngine, 'run'>;
  metrics: ScanMetrics;
  files: TableFilesResolver;
  dir: string;
}

/** An R2SqlError in the platform's answer: 503 for a retryable code, 400 for the rest. */
function failure(error: R2SqlError): StandInResponse {
  const code = typeof error.code === 'number' ? error.code : R2SQL_ERROR_CODES.retryable;
  const message = error.message.replace(/^R2 SQL [^:]+: /, '');
  return r2SqlFailure(
    code === R2SQL_ERROR_CODES.retryable ? 503 : 400,
    code,
    message,
    error.position ? { position: error.position } : {},
  );
}

/**
 * Creates the stand-in for the R2 SQL REST API: `{"query": "..."}` (or wrangler's
 * `{"warehouse", "query"}`) in, the platform's response shape out — `result.schema`, `result.rows` and
 * `result.metrics` (files_scanned, bytes_scanned, r2_requests_count). Each bucket's queries are checked,
 * translated and run by `withR2SqlDialect` over a sandboxed DuckDB, both in a process of their own
 * (see createIsolatedDuckDbEngine), so
 * R2 SQL's refusals (40003, 40004), the engine's bounds (40015: time, memory, result size) and busy or
 * restarted engines (80001) all answer in the platform's shape, and no query can stop this process.
 * A missing or wrong token is answered 403, an unknown bucket 404, as the platform does.
 *
 * @example
 * ```ts
 * import { createR2SqlStandIn } from './r2sql-stand-in.ts';
 * const r2sql = createR2SqlStandIn({ dataDir: '.data', buckets: ['lake'] });
 * await r2sql.query('lake', JSON.stringify({ query: 'SELECT count(*) AS n FROM analytics.events' }), undefined);
 * ```
 */
export function createR2SqlStandIn(input: R2SqlConfig): R2SqlStandIn {
  const config = r2SqlConfig.parse(input);
  const buckets = new Map<string, Promise<Bucket>>();
  const faults: R2SqlFault[] = [];
  const counters: R2SqlStats = { queries: 0, succeeded: 0, failed: {} };

  const bucketFor = (name: string): Promise<Bucket> | null => {
    let bucket = buckets.get(name);
    if (bucket) return bucket;
    const dir = join(config.dataDir, 'r2', name);
    if (!config.buckets.includes(name) && !existsSync(dir)) return null;
    mkdirSync(dir, { recursive: true });
    bucket = createIsolatedDuckDbEngine({ lake: dir, namespace: config.namespace, ...config.limits }).then(
      (engine) => ({
        engine,
        metrics: createScanMetrics(engine),
        files: config.tableFiles ?? createTableFilesResolver(engine),
        dir,
      }),
    );
    // A bucket whose engine failed to start is tried afresh by the next query.
    bucket.catch(() => buckets.delete(name));
    buckets.set(name, bucket);
    return bucket;
  };

  async function run(bucket: Bucket, query: string): Promise<StandInResponse> {
    const { result, translation, scans: read } = await bucket.engine.run(query);
    // Columns the query may read: every identifier it mentions (the metrics keep those that are columns).
    // Files: those the engine read (narrowed by the query's time bounds), unless a resolver is configured.
    const scans: TableScan[] = [];
    for (const { namespace, table } of translation.tables) {
      const planned = config.tableFiles
        ? undefined
        : read?.find((scan) => scan.namespace === namespace && scan.table === table);
      scans.push({
        files: planned ? planned.files : await bucket.files(bucket.dir, namespace, table),
        columns: translation.selectsAll ? null : translation.identifiers,
      });
    }
    const metrics = await bucket.metrics.measure(scans);
    return {
      status: 200,
      body: { success: true, errors: [], messages: [], result: { ...result, metrics } },
    };
  }

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
    const bucket = bucketFor(bucketName);
    if (!bucket) {
      return r2SqlFailure(
        404,
        R2SQL_ERROR_CODES.unsupported,
        `bucket "${bucketName}" does not exist (or has no R2 Data Catalog): create it, or query one that does`,
      );
    }
    try {
      return await run(await bucket, request.query);
    } catch (cause) {
      return failure(toR2SqlError(cause, request.query));
    }
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
    async close() {
      const open = [...buckets.values()];
      buckets.clear();
      await Promise.all(
        open.map((bucket) =>
          bucket.then(
            (b) => b.engine.close(),
            () => {},
          ),
        ),
      );
    },
  };
}
