export { createPipelineSink } from './pipeline-sink.ts';
export type { PipelineBindingLike } from './pipeline-sink-config.ts';
