export {
  type NamedSinkConfig,
  namedSinkConfig,
  type PipelineConfig,
  type PipelinesConfig,
  pipelineConfig,
  pipelinesConfig,
  type ResolvedPipelinesConfig,
  type StreamConfig,
  sinkConfig,
  streamConfig,
} from './pipelines-config.ts';
export {
  createPipelinesStandIn,
  type PipelinesStandIn,
  type RolledFile,
  type StreamStats,
} from './pipelines-stand-in.ts';
export { type RecordProblem, validateRecords } from './validate-records.ts';
export {
  type CatalogSinkConfig,
  createCatalogSink,
  createR2FileSink,
  type R2FileSinkConfig,
  type StreamSink,
} from './sinks/index.ts';
export {
  type CompiledStatement,
  createPipelineTransforms,
  type PipelineDefinition,
  PipelineSqlError,
  type PipelineSqlErrorKind,
  type PipelineStatement,
  type PipelineTransforms,
  parsePipelineSql,
  type SinkBatch,
  type TransformReject,
} from './transforms/index.ts';
