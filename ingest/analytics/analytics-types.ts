import type { CheckpointRow, EventRow } from '../../schemas/index.ts';
import type { ActionOutcome } from '../actions/action-types.ts';
import type { BackoffOptions } from '../emitter/backoff.ts';
import type { FlushResult, ResendOptions, ResendResult } from '../emitter/create-emitter.ts';
import type { DeadLetter, ListDeadLettersOptions } from '../emitter/dead-letters.ts';
import type { CompactResult } from '../lifecycle/compact.ts';
import type { StateBundle } from '../lifecycle/transfer.ts';
import type { ThingVersion } from '../refs/resolve-ref.ts';
import type { Sink } from '../sink.ts';
import type { Branch } from '../store/branches.ts';
import type { Json, RecordInput, Recorded } from '../store/record.ts';
import type { ActionName, ActionOfEvent, EventName, JsonObject, VerbsConfig } from './vocabulary.ts';
import type { WorkflowsApi } from './workflows.ts';

/** The seed design's function shape: an input, per-call options, a promised output. */
export type DOFunction<Output, Input, Options> = (input: Input, options: Options) => Promise<Output>;

/** Who and what one call is about; `target` is the thing's local path (`acme`). */
export interface CallOptions {
  target: string;
  actor?: string | null;
  /** A branch made with `$.branches.create`; absent is main. */
  branch?: string | null;
  requestId?: string | null;
  sessionId?: string | null;
  workflowId?: string | null;
  correlationId?: string | null;
}

/** What a handler sees besides its input. */
export interface ActionContext {
  /** This object's namespace URL. */
  ns: string;
  /** The thing's data at its current version on the call's branch (null before it exists). */
  current: JsonObject | null;
  target: string;
  actor: string | null;
  branch: string | null;
  /** 1 on the first attempt; a `do` retried from the alarm counts up. */
  attempt: number;
}

/** An action's work: takes the input and the current data, answers the thing's next data. */
export type ActionFn<Input = any, Output extends JsonObject | null = any> = (
  input: Input,
  context: ActionContext,
) => Output | Promise<Output>;

/** The input types of the actions that have a handler, by action name: `{ 'Startup.raise': { amount: number } }`. */
export type HandlerInputs<N extends string, V extends VerbsConfig> = { [A in ActionName<N, V>]?: unknown };

/** Handlers by action name (`Startup.raise`); each one's input type is inferred from its annotation. */
export type HandlersConfig<H> = {
  [A in keyof H]: (input: H[A], context: ActionContext) => ActionResultData | Promise<ActionResultData>;
};

/** What a handler answers: the thing's next data (nothing: unchanged). */
export type ActionResultData = JsonObject | null | undefined;

/** The input an action takes: its handler's input type, or a thing's data without one. */
export type InputOf<H, A> = A extends keyof H ? H[A] : JsonObject | null;

/** The thing's data an action produces. */
export type OutputOf<_H, _A> = JsonObject | null;

/** A completed action: its ids, the event's seq, and the versions it linked. */
export interface Completed<Output> {
  action: number;
  seq: number;
  /** The thing's new version. */
  version: number | null;
  data: Output;
}

/** Where a durable action stands: completed (its event recorded), retrying from the alarm, or failed. */
export type DoOutcome<Output> = Omit<ActionOutcome, 'data'> & { data?: Output };

/** An action as a typed method: `try` when called, `.do` and `.send` for the other durabilities. */
export type ActionMethod<Input, Output> = DOFunction<Completed<Output>, Input, CallOptions> & {
  try: DOFunction<Completed<Output>, Input, CallOptions>;
  do: DOFunction<DoOutcome<Output>, Input, CallOptions>;
  send: (input: Input, options: CallOptions) => void;
};

/** A stub of the user's class, as the lifecycle calls it (its `receive` method). */
export interface LifecycleStubLike {
  receive(message: LifecycleMessage): Promise<unknown>;
}

/**
 * A Durable Object namespace of the user's class (`env.STARTUP`), as the lifecycle uses it. Loosely
 * typed on purpose: the class's own namespace type refers back to the class, and so to its `$`.
 */
export interface ObjectNamespaceLike {
  getByName(name: string): any;
  newUniqueId(): { toString(): string };
  get(id: any, options?: { locationHint?: any }): any;
}

/** What one instance of the user's class tells another (through its `receive` method). */
export type LifecycleMessage =
  | { kind: 'move'; bundle: StateBundle }
  | { kind: 'fork'; bundle: StateBundle; ns: string }
  | { kind: 'locate'; ns: string }
  | { kind: 'relocate'; ns: string; id: string; locationHint: string | null };

/** Construction options of `analytics()`. */
export interface AnalyticsConfig<N extends string, V extends VerbsConfig, H> {
  /** The nouns of this object's things, PascalCase. */
  nouns: readonly N[];
  /** The verbs, by imperative, with their event form: `{ create: 'created' }`. */
  verbs: V;
  /** Handlers by action name; an action without one sets the thing's data to its input. */
  handlers?: HandlersConfig<H>;
  /**
   * The namespace URL. Default: the object's name when it was reached with `getByName(url)`, or the
   * namespace already bound in storage (a moved instance).
   */
  ns?: string | (() => string | undefined);
  /** Where events go: a Pipelines binding or any Sink, or a Pipelines HTTP ingest endpoint. */
  sink?: Sink<EventRow> | { url: string; token?: string };
  checkpoints?: Sink<CheckpointRow>;
  /**
   * The audit signing key (a secret: an Ed25519 private key as JWK JSON or base64 PKCS8): checkpoints
   * are signed with it inside the object. Without it they are sent unsigned.
   */
  signingKey?: string;
  /** A checkpoint row every this many events (default 1000). */
  checkpointEvery?: number;
  /** The key id checkpoints name (default: the JWK's `kid`, else derived from the public key). */
  signingKeyId?: string;
  /** This class's own namespace binding: needed by `fork`, `moveTo` and the objects table. */
  binding?: ObjectNamespaceLike;
  /** How long after a write the alarm flushes (ms, default 1000). */
  flushDelayMs?: number;
  /** Rows per send (default 1000). */
  batchRows?: number;
  /** Retries of a `do` action (default 3) and their spacing; flush retries use the same backoff. */
  retry?: BackoffOptions & { retries?: number };
  /** Told about a `send` whose handler failed (it is recorded as a `failed` event either way). */
  onSendError?: (error: unknown, action: string) => void;
  /** Told about a flush the alarm will retry. */
  onFlushError?: (error: unknown) => void;
}

/** One version of a thing in its history, with the action that wrote it. */
export interface ThingHistoryEntry extends ThingVersion {
  action: number | null;
  verb: string | null;
  actor: string | null;
}

/** What one `alarm()` did. */
export interface AlarmResult {
  ran: ActionOutcome[];
  flushed: FlushResult | null;
  /** The flush failure the next alarm retries (with backoff). */
  flushError?: string;
}

/** The `$` of a Durable Object. */
export interface Analytics<N extends string, V extends VerbsConfig, H> {
  /** The namespace URL (throws `no_namespace` until one is known). */
  readonly ns: string;
  /** Binds the namespace explicitly (for callers that pass it) and answers `$`; throws if this object holds another. */
  bind(ns: string): Analytics<N, V, H>;
  /** Fire and forget: returns at once; the event is recorded once the action's handler finishes. */
  send<E extends EventName<N, V>>(
    event: E,
    data: InputOf<H, ActionOfEvent<N, V, E>>,
    options: CallOptions,
  ): void;
  /** Runs the action and waits; a failure is recorded as a `failed` event and rethrown. */
  try<A extends ActionName<N, V>>(
    action: A,
    input: InputOf<H, A>,
    options: CallOptions,
  ): Promise<Completed<OutputOf<H, A>>>;
  /** Persisted before it runs, retried from the alarm with backoff (also after a restart); its event is guaranteed. */
  do<A extends ActionName<N, V>>(
    action: A,
    input: InputOf<H, A>,
    options: CallOptions,
  ): Promise<DoOutcome<OutputOf<H, A>>>;
  /** Registers a handler and answers it as a typed method (call it from a class field). */
  action<A extends ActionName<N, V>, Input, Output extends JsonObject | null>(
    action: A,
    fn: (input: Input, context: ActionContext) => Output | Promise<Output>,
  ): ActionMethod<Input, Output>;
  /** Undoes a completed action through its verb's inverse. */
  undo(action: number, options?: { actor?: string | null }): Recorded;
  /** The low-level write, for imports and untyped callers: no vocabulary check. */
  record(input: RecordInput): Recorded;
  things: {
    /** The version a ref names (`acme`, `acme@~1`, `acme@v3`, `acme@experiment`, `acme@2026-01-08`), or null. */
    get(ref: string): ThingVersion | null;
    /** Every version of a thing on a branch (main by default), oldest first. */
    history(id: string, options?: { branch?: string | null; limit?: number }): ThingHistoryEntry[];
  };
  branches: {
    create(name: string, options?: { from?: number; forkedFrom?: string }): Branch;
    list(): Branch[];
  };
  workflows: WorkflowsApi;
  /** Sends every unstreamed event now. */
  flush(): Promise<FlushResult>;
  /** Events waiting to be streamed. */
  pending(): number;
  /** Events the sink refused for good, each with its reason; re-sent after a fix. */
  deadLetters: {
    count(): number;
    list(options?: ListDeadLettersOptions): DeadLetter[];
    resend(options?: ResendOptions): Promise<ResendResult>;
  };
  /** Call from the object's `alarm()`: due `do` retries, the outbox flush with backoff, the next alarm. */
  alarm(): Promise<AlarmResult>;
  /** Flushes, then squashes local history (same identity); refused while any event is unstreamed. */
  compact(options?: { actor?: string | null }): Promise<CompactResult>;
  /** Copies the current things into a new namespace with its own identity and fresh history. */
  fork(options: { to: string }): Promise<{ ns: string; events: number }>;
  /** Moves to a new instance near `locationHint`; the URL, seq and chain continue there. */
  moveTo(locationHint?: string): Promise<{ id: string; seq: number | null }>;
  /** Answers another instance (the class's `receive` method delegates here). */
  receive(message: LifecycleMessage): Promise<unknown>;
}

export type { Json };
