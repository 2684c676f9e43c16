/**
 * The one interface every query engine implements: R2 SQL in production, DuckDB locally.
 *
 * @module
 */

/** A column of a result, in order. */
export interface ResultColumn {
  name: string;
  type?: string;
}

/** What a query read, as R2 SQL reports it. */
export interface QueryMetrics {
  files_scanned?: number;
  bytes_scanned?: number;
  r2_requests_count?: number;
}

/** Rows as plain JSON values: integers within 2^53 as numbers, beyond as strings; timestamps as ISO text. */
export interface QueryResult<Row = Record<string, unknown>> {
  schema: ResultColumn[];
  rows: Row[];
  metrics?: QueryMetrics;
}

/**
 * Runs SQL in R2 SQL's dialect.
 *
 * @example
 * ```ts
 * import type { QueryEngine } from './query-engine.ts';
 * async function count(engine: QueryEngine) {
 *   const { rows } = await engine.query<{ n: number }>('SELECT count(*) AS n FROM analytics.events');
 *   return rows[0]?.n;
 * }
 * ```
 */
export interface QueryEngine {
  query<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>>;
  close?(): Promise<void> | void;
}
