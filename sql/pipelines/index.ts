/**
 * The Pipelines SQL checker: `INSERT INTO sink SELECT … FROM stream [WHERE …]`, stateless only, with
 * the platform's refusals named where they stand. Runs nothing, so it is safe in Workers.
 *
 * @module
 */
export { PipelineSqlError, type PipelineSqlErrorKind, pipelineSqlError } from './pipeline-sql-error.ts';
export { type PipelineStatement, parsePipelineSql } from './parse-pipeline-sql.ts';
