import { deriveGlobalRows, type EventRow } from '../../../schemas/index.ts';
import { isPermanentSinkError, type Sink, SinkError } from '../../sink.ts';

/** The per-table sinks a {@link createFanOutSink} writes. */
export interface FanOutSinkConfig {
  events: Sink<EventRow>;
  things: Sink;
  actions: Sink;
}

/** Sends `rows` and maps a per-record refusal back to the index of the event each row came from. */
async function sendDerived(sink: Sink, rows: Record<string, unknown>[], from: number[]): Promise<void> {
  if (rows.length === 0) return;
  try {
    await sink.send(rows);
  } catch (error) {
    if (isPermanentSinkError(error) && error.rejected) {
      throw new SinkError(error.message, {
        code: error.code,
        status: error.status,
        cause: error,
        rejected: error.rejected.map((r) => ({ index: from[r.index] ?? 0, reason: r.reason })),
      });
    }
    throw error;
  }
}

/**
 * A {@link Sink} of event rows that writes each send to the `events` sink and the rows derived from
 * it (`deriveGlobalRows`: one `things` row per version, one `actions` row per event) to the `things`
 * and `actions` sinks — what the Pipeline SQL of the events stream does, for sinks that write the lake
 * themselves (the direct-to-R2 Parquet sink). Resolves once all three acknowledged; a failure of any
 * rejects the whole send, which is sent again (rows dedupe on `id`). A per-record refusal names the
 * event it came from.
 *
 * @example
 * ```ts
 * import { createFanOutSink } from './fan-out-sink.ts';
 * import { createR2ParquetSink } from '../r2-parquet/index.ts';
 * const sink = createFanOutSink({
 *   events: createR2ParquetSink(env.LAKE, { table: 'events', parquetWasm }),
 *   things: createR2ParquetSink(env.LAKE, { table: 'things', parquetWasm }),
 *   actions: createR2ParquetSink(env.LAKE, { table: 'actions', parquetWasm }),
 * });
 * ```
 */
export function createFanOutSink(config: FanOutSinkConfig): Sink<EventRow> {
  return {
    async send(rows: EventRow[]): Promise<void> {
      if (rows.length === 0) return;
      await config.events.send(rows);
      const things: Record<string, unknown>[] = [];
      const thingFrom: number[] = [];
      const actions: Record<string, unknown>[] = [];
      const actionFrom: number[] = [];
      rows.forEach((row, index) => {
        const derived = deriveGlobalRows(row);
        for (const thing of derived.things) {
          things.push(thing);
          thingFrom.push(index);
        }
        for (const action of derived.actions) {
          actions.push(action);
          actionFrom.push(index);
        }
      });
      await sendDerived(config.things, things, thingFrom);
      await sendDerived(config.actions, actions, actionFrom);
    },
  };
}
