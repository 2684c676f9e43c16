/**
 * R2 SQL's dialect, checked and translated without running anything (safe in Workers): what R2 SQL
 * refuses is refused here with the same codes (40003 syntax, 40004 unsupported), and the functions
 * whose names or semantics differ in DuckDB are rewritten.
 *
 * @module
 */
export { analyzeR2Sql, type CheckedR2Sql, checkR2Sql, type R2SqlStatement } from './check-r2-sql.ts';
export {
  AGGREGATE_ONLY_RENAMES,
  type CallArgument,
  type FunctionRewrite,
  R2SQL_FUNCTIONS,
} from './r2-sql-functions.ts';
export {
  type DuckDbTranslation,
  type DuckDbTranslationResult,
  R2SQL_DEFAULT_LIMIT,
  type TableReference,
  type ToDuckDbSqlOptions,
  toDuckDbSql,
} from './to-duckdb-sql.ts';
export { parenthesizeJsonArrows } from './parenthesize-json-arrows.ts';
