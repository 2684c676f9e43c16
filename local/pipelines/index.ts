export { type PipelinesConfig, pipelinesConfig, type ResolvedPipelinesConfig } from './pipelines-config.ts';
export {
  createPipelinesStandIn,
  type PipelinesStandIn,
  type RolledFile,
  type StreamStats,
} from './pipelines-stand-in.ts';
export { type RecordProblem, validateRecords } from './validate-records.ts';
