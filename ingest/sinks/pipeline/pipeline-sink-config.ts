/**
 * The part of a Pipelines (stream) binding the sink drives: `env.EVENTS` as declared by
 * `pipelines = [{ binding = "EVENTS", pipeline = "<stream id>" }]` in wrangler config. Declared
 * structurally, so the core does not depend on @cloudflare/workers-types.
 */
export interface PipelineBindingLike<Row = Record<string, unknown>> {
  /** Resolves once the stream has ingested the records. */
  send(records: Row[]): Promise<void>;
}
