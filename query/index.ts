/**
 * Query engines behind one interface. The DuckDB engine is Node-only: import it from
 * `query/duckdb/index.ts`, not from here, so that this barrel stays safe for Workers.
 *
 * @module
 */
export type { QueryEngine, QueryMetrics, QueryResult, ResultColumn } from './query-engine.ts';
export { isQueryEngineError, QueryEngineError, type QueryEngineErrorReason } from './query-engine-error.ts';
export * from './r2sql/index.ts';
export {
  type R2SqlDialectConfig,
  type R2SqlDialectEngine,
  type R2SqlRun,
  type ScanPlanningEngine,
  type TableFileScan,
  type TableScanAnswer,
  type TableScanRequest,
  toR2SqlError,
  withR2SqlDialect,
} from './with-r2-sql-dialect.ts';
