import type { z } from 'zod';

/** What a trusted statement answers: the part of a `@duckdb/node-api` result reader the engine uses. */
export interface DuckDbReaderLike {
  columnNames(): string[];
  columnTypes(): { toString(): string }[];
  getRowObjectsJson(): Record<string, unknown>[];
}

/** How much one query may take; each bound refused with a {@link QueryEngineError} that names it. */
export interface DuckDbQueryLimits {
  /** Wall time of one query, conversion included (default 30 s); DuckDB is interrupted past it. */
  timeoutMs?: number;
  /** DuckDB's `memory_limit` (default `'1GB'`); nothing spills to disk. */
  memoryLimit?: string;
  /** DuckDB's worker threads (default 2). */
  threads?: number;
  /** Rows of one result, as JSON, may take at most this many bytes (default 16 MiB). */
  maxResultBytes?: number;
  /** Queries run at once (default 2, each on its own connection); more wait in line. */
  maxConcurrentQueries?: number;
  /** Queries that may wait for a connection (default 32); beyond, a query is refused as busy. */
  maxQueuedQueries?: number;
}

/** Construction options of {@link createDuckDbEngine}. */
export interface DuckDbEngineConfig extends DuckDbQueryLimits {
  /**
   * A directory laid out as the R2 bucket is: `<lake>/<table>/<partition>/<uuid>.parquet` for the r2
   * sink, `<lake>/__r2_data_catalog/<namespace>/<table>/` for Iceberg tables. DuckDB can open files
   * under it and nowhere else.
   */
  lake: string;
  /** The local R2 Data Catalog directory; defaults to `<lake>/__r2_data_catalog`. */
  catalog?: string;
  /** The namespace tables are exposed under, as R2 SQL names them (`namespace.table`). */
  namespace?: string;
  /** Tables to expose in `namespace` even before the catalog has them, by name; defaults to every global table. */
  tables?: Record<string, z.ZodObject>;
}

/** The limits with their defaults applied. */
export type ResolvedDuckDbQueryLimits = Required<DuckDbQueryLimits>;

/**
 * The limits a configuration asks for, defaults filled in.
 *
 * @example
 * ```ts
 * import { resolveQueryLimits } from './duckdb-engine-config.ts';
 * resolveQueryLimits({ timeoutMs: 5_000 }).maxResultBytes; // 16 MiB
 * ```
 */
export function resolveQueryLimits(limits: DuckDbQueryLimits = {}): ResolvedDuckDbQueryLimits {
  return {
    timeoutMs: limits.timeoutMs ?? 30_000,
    memoryLimit: limits.memoryLimit ?? '1GB',
    threads: limits.threads ?? 2,
    maxResultBytes: limits.maxResultBytes ?? 16 * 1024 * 1024,
    maxConcurrentQueries: limits.maxConcurrentQueries ?? 2,
    maxQueuedQueries: limits.maxQueuedQueries ?? 32,
  };
}
