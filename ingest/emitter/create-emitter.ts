import type { EventRow } from '../../schemas/index.ts';
import type { Sink } from '../sink.ts';
import type { StorageLike } from '../storage-like.ts';
import { bindNamespace, migrate } from '../store/migrate.ts';
import { type LocalEventRow, toGlobalRow, UNSTREAMED_EVENTS_SQL } from './to-global-row.ts';

/** Construction options of {@link createEmitter}. */
export interface EmitterConfig {
  /** The namespace URL prepended to every local path, e.g. `https://startups.studio`. */
  ns: string;
  sink: Sink<EventRow>;
  /** Rows per send at most. */
  batchRows?: number;
  /** Serialized bytes per send at most (Pipelines takes 1 MB per request). */
  batchBytes?: number;
}

/** What one flush did. */
export interface FlushResult {
  sent: number;
  batches: number;
}

/** Reads the outbox and hands global rows to the sink. */
export interface Emitter {
  /** Sends every unstreamed event; rejects (marking nothing of the failed batch) if the sink does. */
  flush(): Promise<FlushResult>;
  /** How many events wait to be streamed. */
  pending(): number;
}

// One flush at a time per storage, whichever emitter instance asks: two overlapping flushes would
// read the same unstreamed rows and send them twice.
const tails = new WeakMap<StorageLike, Promise<unknown>>();

const DEFAULT_BATCH_ROWS = 1000;
const DEFAULT_BATCH_BYTES = 1_000_000;

/**
 * Creates the emitter of one Durable Object: unstreamed events, read in seq order, become global rows
 * that go to the sink; they are marked streamed only after the sink acknowledged them. Delivery is
 * at-least-once with deterministic ids, so views dedupe on `id`.
 *
 * @example
 * ```ts
 * import { createEmitter } from './create-emitter.ts';
 * import { createHttpSink } from '../sinks/http/index.ts';
 * const emitter = createEmitter(ctx.storage, { ns: 'https://startups.studio', sink: createHttpSink({ url }) });
 * await emitter.flush();
 * ```
 */
export function createEmitter(storage: StorageLike, config: EmitterConfig): Emitter {
  const batchRows = config.batchRows ?? DEFAULT_BATCH_ROWS;
  const batchBytes = config.batchBytes ?? DEFAULT_BATCH_BYTES;
  const ns = config.ns.replace(/\/+$/, '');
  const { incarnation } = migrate(storage);
  bindNamespace(storage, ns);

  async function flushAll(): Promise<FlushResult> {
    let sent = 0;
    let batches = 0;
    for (;;) {
      // Read the cursor completely before any await: DO cursors are not valid across I/O.
      const local = storage.sql.exec<LocalEventRow>(UNSTREAMED_EVENTS_SQL, batchRows).toArray();
      if (local.length === 0) break;
      const rows: EventRow[] = [];
      let bytes = 2;
      for (const event of local) {
        const row = toGlobalRow(ns, incarnation, event);
        const size = JSON.stringify(row).length + 1;
        if (rows.length > 0 && bytes + size > batchBytes) break;
        rows.push(row);
        bytes += size;
      }
      await config.sink.send(rows);
      const first = rows[0]!.seq;
      const last = rows.at(-1)!.seq;
      storage.sql.exec(
        'UPDATE events SET streamed = 1, streamedAt = ? WHERE id BETWEEN ? AND ? AND streamed = 0',
        Date.now() * 1000,
        first,
        last,
      );
      sent += rows.length;
      batches += 1;
      if (local.length < batchRows && rows.length === local.length) break;
    }
    return { sent, batches };
  }

  return {
    flush(): Promise<FlushResult> {
      const previous = tails.get(storage) ?? Promise.resolve();
      const run = previous.then(flushAll, flushAll);
      tails.set(
        storage,
        run.catch(() => undefined),
      );
      return run;
    },
    pending(): number {
      return storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM events WHERE streamed = 0').one().n;
    },
  };
}
