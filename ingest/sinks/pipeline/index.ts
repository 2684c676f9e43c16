export { createPipelineSink } from './pipeline-sink.ts';
export type { PipelineBindingLike, PipelineSinkConfig } from './pipeline-sink-config.ts';
