import type { z } from 'zod';

/** The part of a `@duckdb/node-api` result reader the engine uses. */
export interface DuckDbReaderLike {
  columnNames(): string[];
  columnTypes(): { toString(): string }[];
  getRowObjectsJson(): Record<string, unknown>[];
}

/** The part of a `@duckdb/node-api` connection the engine uses. */
export interface DuckDbConnectionLike {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<DuckDbReaderLike>;
  closeSync?(): void;
}

/** Construction options of {@link createDuckDbEngine}. */
export interface DuckDbEngineConfig {
  /**
   * A directory laid out as the R2 bucket is: `<lake>/<table>/<partition>/<uuid>.parquet` for the r2
   * sink, `<lake>/__r2_data_catalog/<namespace>/<table>/` for Iceberg tables.
   */
  lake: string;
  /** The local R2 Data Catalog directory; defaults to `<lake>/__r2_data_catalog`. */
  catalog?: string;
  /** The namespace tables are exposed under, as R2 SQL names them (`namespace.table`). */
  namespace?: string;
  /** Tables to expose in `namespace` even before the catalog has them, by name; defaults to every global table. */
  tables?: Record<string, z.ZodObject>;
  /** Use this connection instead of opening an in-memory DuckDB. */
  connection?: DuckDbConnectionLike;
}
