/**
 * The Workers-safe SQL core: the tokenizer, the platform's error codes and problems, R2 SQL's dialect
 * (check and translation to DuckDB) and the Pipelines SQL checker. Imports nothing Node-only.
 *
 * @module
 */
export {
  createSqlProblem,
  isSqlProblem,
  positionAt,
  R2SQL_ERROR_CODES,
  type SqlPosition,
  type SqlProblem,
} from './sql-problem.ts';
export { isSymbol, isWord, type SqlStructure, structureOf } from './sql-structure.ts';
export { type SqlToken, type SqlTokenKind, tokenizeSql } from './tokenize-sql.ts';
export * from './dialect/index.ts';
export * from './pipelines/index.ts';
export {
  isSqlFragment,
  type SqlFragment,
  type SqlLiteral,
  type SqlTag,
  SqlTemplateError,
  type SqlValue,
  sql,
} from './sql-template.ts';
