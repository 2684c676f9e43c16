export {
  type CompiledStatement,
  createPipelineTransforms,
  type PipelineDefinition,
  type PipelineTransforms,
  type PipelineTransformsConfig,
  type SinkBatch,
  type TransformReject,
} from './create-pipeline-transforms.ts';
export { createStreamOutputs, type StreamOutput, type StreamOutputs } from './create-stream-outputs.ts';
export {
  PipelineSqlError,
  type PipelineSqlErrorKind,
  pipelineSqlError,
} from '../../../sql/pipelines/index.ts';
export { type PipelineStatement, parsePipelineSql } from '../../../sql/pipelines/index.ts';
export { createSyncDuckDb, type SyncDuckDb, type SyncDuckDbResult } from './sync-duckdb.ts';
export { sinkTableSchema } from './sink-table-schema.ts';
export { type StreamViewsBaseConfig, withStreamViews } from './stream-views-config.ts';
