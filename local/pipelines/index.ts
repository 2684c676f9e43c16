export {
  type PipelinesConfig,
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
