import { createSqlProblem, R2SQL_ERROR_CODES, type SqlPosition } from '../sql-problem.ts';

/** What was wrong with a pipeline's SQL: a construct the platform refuses, or a name it cannot resolve. */
export type PipelineSqlErrorKind =
  | 'syntax'
  | 'unsupported'
  | 'unknown-stream'
  | 'unknown-sink'
  | 'unknown-column';

/**
 * A pipeline's SQL refused at construction: names the pipeline, the construct, and the line and column
 * in the pipeline's SQL text.
 *
 * @example
 * ```ts
 * import { parsePipelineSql } from './parse-pipeline-sql.ts';
 * import { PipelineSqlError } from './pipeline-sql-error.ts';
 * try {
 *   parsePipelineSql('by_ns', 'INSERT INTO s SELECT ns FROM events GROUP BY ns');
 * } catch (error) {
 *   if (error instanceof PipelineSqlError) error.construct; // 'GROUP BY', at error.position.line/column
 * }
 * ```
 */
export class PipelineSqlError extends Error {
  readonly code: PipelineSqlErrorKind;
  readonly pipeline: string;
  readonly construct: string;
  readonly position: SqlPosition;

  constructor(init: {
    code: PipelineSqlErrorKind;
    pipeline: string;
    construct: string;
    position: SqlPosition;
    message: string;
  }) {
    super(init.message);
    this.name = 'PipelineSqlError';
    this.code = init.code;
    this.pipeline = init.pipeline;
    this.construct = init.construct;
    this.position = init.position;
  }
}

/**
 * Creates the error for `pipeline` at `offset` of its SQL; the message ends with the line and column.
 *
 * @example
 * ```ts
 * import { pipelineSqlError } from './pipeline-sql-error.ts';
 * throw pipelineSqlError('audit', sql, 40, 'unsupported', 'GROUP BY', 'GROUP BY is not supported');
 * ```
 */
export function pipelineSqlError(
  pipeline: string,
  sql: string,
  offset: number,
  code: PipelineSqlErrorKind,
  construct: string,
  message: string,
): PipelineSqlError {
  const problem = createSqlProblem(
    sql,
    offset,
    code === 'syntax' ? R2SQL_ERROR_CODES.syntax : R2SQL_ERROR_CODES.unsupported,
    message,
    construct,
  );
  return new PipelineSqlError({
    code,
    pipeline,
    construct,
    position: problem.position,
    message: `pipeline "${pipeline}": ${problem.message}`,
  });
}
