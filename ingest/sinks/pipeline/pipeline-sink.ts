import { type Sink, SinkError } from '../../sink.ts';
import type { PipelineBindingLike } from './pipeline-sink-config.ts';

/**
 * A {@link Sink} over a Pipelines binding. The binding already has the right shape; this only turns
 * its failures (a rejection, or a synchronous throw) into a {@link SinkError} that names the batch, so
 * every sink fails the same way. It checks nothing the stream does not: the stream validates records
 * against its schema — and silently drops those that do not match, so validate before sending (see
 * `schema check`) when a dropped record matters.
 *
 * @example
 * ```ts
 * import { createPipelineSink } from './pipeline-sink.ts';
 * const sink = createPipelineSink(env.EVENTS);
 * await sink.send([{ id: 'https://startups.studio/events/inc-1/1' }]);
 * ```
 */
export function createPipelineSink<Row = Record<string, unknown>>(
  binding: PipelineBindingLike<Row>,
): Sink<Row> {
  if (typeof binding?.send !== 'function') {
    throw new TypeError(
      'createPipelineSink: the binding has no send(records) method; pass the Pipelines binding ' +
        'declared in wrangler config (e.g. env.EVENTS), not its name',
    );
  }
  return {
    async send(rows: Row[]): Promise<void> {
      if (rows.length === 0) return;
      try {
        await binding.send(rows);
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        const error = new SinkError(
          `Pipelines send of ${rows.length} record(s) failed: ${message}; nothing of this batch is ` +
            'acknowledged, so it is sent again on the next flush',
        );
        error.cause = cause;
        throw error;
      }
    },
  };
}
