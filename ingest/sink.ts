/**
 * The one interface every destination of global rows implements. A Pipelines binding already is one.
 *
 * @module
 */

/**
 * Anything with `send(rows)` that resolves once the rows are durably accepted.
 *
 * @example
 * ```ts
 * import type { Sink } from './sink.ts';
 * const sink: Sink = env.EVENTS; // a Pipelines binding
 * await sink.send([{ id: 'https://x.dev/e/1' }]);
 * ```
 */
export interface Sink<Row = Record<string, unknown>> {
  send(rows: Row[]): Promise<void>;
  /**
   * Optional: takes rows already serialized as one JSON array, so a sink that ships JSON (HTTP ingest)
   * spares the emitter a parse and a re-stringify per row. Same contract as `send`.
   */
  sendJson?(json: string, count: number): Promise<void>;
}

/**
 * Whether a value can be used as a {@link Sink}.
 *
 * @example
 * ```ts
 * import { isSink } from './sink.ts';
 * isSink(env.EVENTS); // true for a Pipelines binding
 * ```
 */
export function isSink(value: unknown): value is Sink {
  return typeof value === 'object' && value !== null && typeof (value as Sink).send === 'function';
}

/** A send that the sink did not acknowledge; nothing of that batch is marked streamed. */
export class SinkError extends Error {
  override name = 'SinkError';
  constructor(
    message: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
  }
}
