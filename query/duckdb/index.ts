export { createDuckDbEngine, type DuckDbEngine } from './duckdb-engine.ts';
export {
  type DuckDbEngineConfig,
  type DuckDbQueryLimits,
  type DuckDbReaderLike,
  type ResolvedDuckDbQueryLimits,
  resolveQueryLimits,
} from './duckdb-engine-config.ts';
export { fromDuckDbError } from './duckdb-query-error.ts';
export { createIsolatedDuckDbEngine, type IsolatedDuckDbEngineConfig } from './isolated-duckdb-engine.ts';
export {
  createFilePruner,
  type FilePruner,
  type RelationColumn,
  type TableScanPlan,
} from './prune-table-files.ts';
