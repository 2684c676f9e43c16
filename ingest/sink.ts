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

/** Why a send failed. */
export type SinkErrorCode =
  /** The sink refused records that do not match its schema (per-record reasons in `rejected`). */
  | 'schema_mismatch'
  /** The request or a record is larger than the sink takes. */
  | 'too_large'
  /** The sink refused the credentials. */
  | 'unauthorized'
  /** Another refusal (4xx) that sending again will not change. */
  | 'refused'
  /** The sink is throttling (429) or timed out (408). */
  | 'throttled'
  /** The sink failed (5xx). */
  | 'sink_unavailable'
  /** The request never got an answer: network error or timeout. */
  | 'network'
  /** Anything else: a binding that threw, a failed write. */
  | 'send_failed';

/** One record a sink refused, by its index in the send, with the sink's reason. */
export interface RejectedRecord {
  index: number;
  reason: string;
}

/** What a {@link SinkError} carries besides its message. */
export interface SinkErrorInit {
  code?: SinkErrorCode;
  status?: number;
  body?: string;
  /** The records refused one by one (a permanent refusal); the others of the send were not kept either. */
  rejected?: RejectedRecord[];
  /** Whether sending the same records again cannot succeed; defaults from `status` (a 4xx but 408/429). */
  permanent?: boolean;
  cause?: unknown;
}

const PERMANENT_CODES = new Set<SinkErrorCode>(['schema_mismatch', 'too_large', 'unauthorized', 'refused']);

/**
 * The code of an HTTP status a sink answered: a 4xx other than 408 and 429 is permanent, the rest transient.
 *
 * @example
 * ```ts
 * import { sinkErrorCodeOf } from './sink.ts';
 * sinkErrorCodeOf(413); // 'too_large'
 * sinkErrorCodeOf(503); // 'sink_unavailable'
 * ```
 */
export function sinkErrorCodeOf(status: number): SinkErrorCode {
  if (status === 408 || status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 413) return 'too_large';
  if (status >= 400 && status < 500) return 'refused';
  return 'sink_unavailable';
}

/**
 * A send that the sink did not acknowledge; nothing of that batch is marked streamed. `permanent`
 * says whether the same records can ever be taken (a 4xx but 408/429: the emitter isolates the bad
 * records); a transient failure (5xx, 408, 429, network) is retried with backoff.
 *
 * @example
 * ```ts
 * import { SinkError } from './sink.ts';
 * const error = new SinkError('2 of 10 records do not match', {
 *   code: 'schema_mismatch', status: 400, rejected: [{ index: 3, reason: 'target: must be an absolute URL' }],
 * });
 * error.permanent; // true
 * ```
 */
export class SinkError extends Error {
  override name = 'SinkError';
  readonly code: SinkErrorCode;
  readonly status?: number;
  readonly body?: string;
  readonly rejected?: RejectedRecord[];
  readonly permanent: boolean;
  constructor(message: string, init: SinkErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.body = init.body;
    this.code = init.code ?? (init.status !== undefined ? sinkErrorCodeOf(init.status) : 'send_failed');
    if (init.rejected) this.rejected = init.rejected;
    this.permanent = init.permanent ?? PERMANENT_CODES.has(this.code);
  }
}

/**
 * Whether a value is a {@link SinkError} that sending the same records again cannot fix.
 *
 * @example
 * ```ts
 * import { isPermanentSinkError } from './sink.ts';
 * isPermanentSinkError(new SinkError('bad', { status: 400 })); // true
 * ```
 */
export function isPermanentSinkError(value: unknown): value is SinkError {
  return value instanceof SinkError && value.permanent;
}
