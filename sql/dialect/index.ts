/**
 * R2 SQL's dialect, checked and translated without running anything (safe in Workers): what R2 SQL
 * refuses is refused here with the same codes (40003 syntax, 40004 unsupported), every function name
 * is resolved against R2 SQL's function list, and the functions whose names or semantics differ in
 * DuckDB are rewritten.
 *
 * @module
 */
export {
  type AnalyzeR2SqlOptions,
  analyzeR2Sql,
  type CheckedR2Sql,
  checkR2Sql,
  R2SQL_LIMITS,
  type R2SqlStatement,
} from './check-r2-sql.ts';
export {
  AGGREGATE_ONLY_RENAMES,
  type CallArgument,
  type FunctionRewrite,
  R2SQL_FUNCTIONS,
} from './r2-sql-functions.ts';
export { R2SQL_SAMPLE_TABLE, type R2SqlFunction, type R2SqlFunctionSource } from './r2-sql-function.ts';
export { lookupR2SqlFunction, R2SQL_FUNCTION_LIST } from './r2-sql-function-list.ts';
export type { FunctionCall, SqlReferences } from './resolve-references.ts';
export {
  type DuckDbTranslation,
  type DuckDbTranslationResult,
  R2SQL_DEFAULT_LIMIT,
  type TableReference,
  type ToDuckDbSqlOptions,
  toDuckDbSql,
} from './to-duckdb-sql.ts';
export {
  hullOfMentions,
  mentionBounds,
  type TableMention,
  type TableOccurrence,
  type TimeBound,
  type TimeBoundsOptions,
  tableOccurrences,
  timeBounds,
} from './time-bounds.ts';
export { parseUtcTimestamp } from './where-restrictions.ts';
export { parenthesizeJsonArrows } from './parenthesize-json-arrows.ts';
