import { join } from 'node:path';
import { createDuckDbEngine, type DuckDbEngine } from '../../query/duckdb/index.ts';
import type { StandInResponse } from '../stand-in-response.ts';
import { type R2SqlConfig, r2SqlConfig } from './r2sql-config.ts';

/** Platform error codes: 40003 syntax, 40004 invalid or unsupported. */
export const R2SQL_ERRORS = { syntax: 40003, unsupported: 40004 } as const;

/** The R2 SQL stand-in, independent of any HTTP server. */
export interface R2SqlStandIn {
  query(bucket: string, body: string | null, authorization: string | undefined): Promise<StandInResponse>;
  close(): void;
}

const failure = (status: number, code: number, message: string): StandInResponse => ({
  status,
  body: { success: false, errors: [{ code, message }] },
});

const READ_STATEMENT = /^\s*(select|with|explain|show|describe)\b/i;
const stripComments = (sql: string): string =>
  sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');

/**
 * Creates the stand-in for the R2 SQL REST API: `{ "query": "..." }` in, the platform's response
 * shape out, run by DuckDB over the bucket's directory.
 *
 * @example
 * ```ts
 * import { createR2SqlStandIn } from './r2sql-stand-in.ts';
 * const r2sql = createR2SqlStandIn({ dataDir: '.data' });
 * await r2sql.query('lake', JSON.stringify({ query: 'SELECT 1' }), undefined);
 * ```
 */
export function createR2SqlStandIn(input: R2SqlConfig): R2SqlStandIn {
  const config = r2SqlConfig.parse(input);
  const engines = new Map<string, Promise<DuckDbEngine>>();
  const engineFor = (bucket: string): Promise<DuckDbEngine> => {
    let engine = engines.get(bucket);
    if (!engine) {
      engine = createDuckDbEngine({ lake: join(config.dataDir, 'r2', bucket), namespace: config.namespace });
      engines.set(bucket, engine);
    }
    return engine;
  };

  return {
    async query(bucket, body, authorization) {
      if (config.token && authorization !== `Bearer ${config.token}`) {
        return failure(
          403,
          10000,
          'Authentication error: the token is missing or has no access to this bucket',
        );
      }
      if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) {
        return failure(400, R2SQL_ERRORS.unsupported, `"${bucket}" is not a bucket name`);
      }
      if (body === null) return failure(413, R2SQL_ERRORS.unsupported, 'request body too large');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (cause) {
        return failure(400, R2SQL_ERRORS.unsupported, `malformed JSON body: ${(cause as Error).message}`);
      }
      const sql = (parsed as { query?: unknown })?.query;
      if (typeof sql !== 'string' || sql.trim() === '') {
        return failure(400, R2SQL_ERRORS.unsupported, 'body must be {"query": "<sql>"}');
      }
      if (!READ_STATEMENT.test(stripComments(sql))) {
        return failure(
          400,
          R2SQL_ERRORS.unsupported,
          'R2 SQL is read-only: only SELECT, WITH, EXPLAIN, SHOW and DESCRIBE run',
        );
      }
      try {
        const result = await (await engineFor(bucket)).query(sql);
        return { status: 200, body: { success: true, errors: [], result } };
      } catch (cause) {
        const message = (cause as Error).message;
        const code = /Parser Error|syntax error/i.test(message)
          ? R2SQL_ERRORS.syntax
          : R2SQL_ERRORS.unsupported;
        return failure(400, code, message);
      }
    },
    close() {
      for (const engine of engines.values()) void engine.then((e) => e.close?.());
    },
  };
}
