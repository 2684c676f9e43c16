import type { PipelinesSchema } from '../../../schemas/index.ts';
import { validateStreamRecords } from '../../../schemas/index.ts';
import { type RejectedRecord, type Sink, SinkError } from '../../sink.ts';
import type { PipelineBindingLike, PipelineSinkConfig } from './pipeline-sink-config.ts';

/** A thrown message that says the records themselves are the problem, not the moment. */
const PERMANENT_MESSAGE = /invalid|schema|too large|exceed|limit|malformed|serializ|not supported/i;

function refusedBySchema(schema: PipelinesSchema, rows: readonly unknown[]): RejectedRecord[] {
  const wire = JSON.parse(JSON.stringify(rows)) as unknown[];
  const reasons = new Map<number, string[]>();
  for (const problem of validateStreamRecords(schema, wire)) {
    const list = reasons.get(problem.index) ?? [];
    list.push(`${problem.field}: ${problem.message}`);
    reasons.set(problem.index, list);
  }
  return [...reasons].map(([index, list]) => ({
    index,
    reason: `does not match the stream schema (the stream would drop it silently): ${list.join('; ')}`,
  }));
}

/**
 * A {@link Sink} over a Pipelines binding. The binding already has the right shape; this turns its
 * failures (a rejection, or a synchronous throw) into a {@link SinkError} that names the batch, so
 * every sink fails the same way. A stream accepts and then silently drops a record that does not match
 * its schema, so with `schema` (the committed stream schema JSON) every record is checked first and a
 * mismatch is refused here, per record, before anything is sent. A thrown error whose message points
 * at the records (too large, invalid, over a limit) is permanent; any other is transient.
 *
 * @example
 * ```ts
 * import events from '../../../schemas/pipelines/events.json' with { type: 'json' };
 * import { createPipelineSink } from './pipeline-sink.ts';
 * const sink = createPipelineSink(env.EVENTS, { schema: events });
 * await sink.send([{ id: 'https://startups.studio/events/inc-1/1' }]);
 * ```
 */
export function createPipelineSink<Row = Record<string, unknown>>(
  binding: PipelineBindingLike<Row>,
  config: PipelineSinkConfig = {},
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
      if (config.schema) {
        const rejected = refusedBySchema(config.schema, rows);
        if (rejected.length > 0) {
          throw new SinkError(
            `${rejected.length} of ${rows.length} record(s) do not match the stream schema; none sent: ` +
              rejected
                .slice(0, 3)
                .map((r) => `#${r.index} ${r.reason}`)
                .join(' | '),
            { code: 'schema_mismatch', rejected },
          );
        }
      }
      try {
        await binding.send(rows);
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        throw new SinkError(
          `Pipelines send of ${rows.length} record(s) failed: ${message}; nothing of this batch is ` +
            'acknowledged, so it is sent again on the next flush',
          { cause, permanent: PERMANENT_MESSAGE.test(message) },
        );
      }
    },
  };
}
