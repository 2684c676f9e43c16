import type { PipelinesSchema } from '../../../schemas/index.ts';

/**
 * The part of a Pipelines (stream) binding the sink drives: `env.EVENTS` as declared by
 * `pipelines = [{ binding = "EVENTS", pipeline = "<stream id>" }]` in wrangler config. Declared
 * structurally, so the core does not depend on @cloudflare/workers-types.
 */
export interface PipelineBindingLike<Row = Record<string, unknown>> {
  /** Resolves once the stream has ingested the records. */
  send(records: Row[]): Promise<void>;
}

/** Construction options of `createPipelineSink`. */
export interface PipelineSinkConfig {
  /**
   * The stream's schema (the committed `schemas/pipelines/<table>.json`): records that do not match
   * are refused before sending, instead of being dropped silently by the stream.
   */
  schema?: PipelinesSchema;
}
