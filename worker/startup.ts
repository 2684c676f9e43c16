import { DurableObject } from 'cloudflare:workers';
import {
  type ActionCall,
  type ActionOutcome,
  type Actions,
  backoffDelay,
  bindNamespace,
  compact,
  createActions,
  createBranch,
  createEmitter,
  createHttpSink,
  type DeadLetter,
  type Emitter,
  exportState,
  type FlushResult,
  type ImportMode,
  importFork,
  importState,
  markMoved,
  migrate,
  type RecordInput,
  type ResendResult,
  type Sink,
  type Recorded,
  record,
  resolveRef,
  type StateBundle,
  type ThingVersion,
} from '../ingest/index.ts';
import type { CheckpointRow, EventRow } from '../schemas/index.ts';
import { demoWorkload } from './demo-workload.ts';

/** The bindings and vars in wrangler.toml. */
export interface Env {
  STARTUP: DurableObjectNamespace<Startup>;
  LAKE: R2Bucket;
  /** Pipelines HTTP ingest of the events stream (the local stand-in in dev). */
  INGEST_URL?: string;
  INGEST_TOKEN?: string;
  /** A Pipelines binding; preferred over INGEST_URL when bound (not in local dev: Miniflare discards). */
  EVENTS?: Sink<EventRow>;
  /** The checkpoints stream's binding; with INGEST_URL alone, checkpoints go to `<INGEST_URL>/checkpoints`. */
  CHECKPOINTS?: Sink<CheckpointRow>;
  /** How long after a write the alarm flushes the outbox (ms, default 1000). */
  FLUSH_DELAY_MS?: string;
  /** Rows per send (default 1000). */
  EMITTER_BATCH_ROWS?: string;
  /** R2 SQL: the account, the lake bucket and a token with R2 SQL read access (a secret in production). */
  R2_ACCOUNT_ID?: string;
  LAKE_BUCKET?: string;
  R2_SQL_TOKEN?: string;
  /** Unset in production (Cloudflare's endpoint); the local stand-in in dev. */
  R2_SQL_ENDPOINT?: string;
}

/**
 * The example Durable Object: one namespace, its things and actions in SQLite, and an emitter that
 * streams its events to Pipelines (or the local stand-in) from the alarm, retrying with backoff.
 * Thin by design: all logic lives in ingest/.
 *
 * @example
 * ```ts
 * const ns = 'https://acme.startups.studio';
 * const stub = env.STARTUP.getByName(ns);
 * await stub.record(ns, { verb: 'create', type: 'Startup', target: 'acme' });
 * await stub.flush(ns);
 * ```
 */
export class Startup extends DurableObject<Env> {
  private emitter?: Emitter;
  private readonly actions: Actions;
  private flushFailures = 0;
  /** The alarm this instance knows is set (null: none; undefined: not read yet). */
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage);
    this.actions = createActions(ctx.storage, {
      scheduleAlarm: (at) => this.scheduleAlarm(at),
      waitUntil: (promise) => ctx.waitUntil(promise),
    });
    // After a crash or eviction mid-flush, the outbox may hold events with no alarm left to send them.
    void ctx.blockConcurrencyWhile(async () => {
      const waiting = ctx.storage.sql
        .exec<{ n: number }>(
          'SELECT (SELECT count(*) FROM events WHERE id > (SELECT streamedThrough FROM _dotdo_outbox)) + (SELECT count(*) FROM _dotdo_due) AS n',
        )
        .one().n;
      if (waiting > 0) await this.scheduleAlarm(Date.now() + Number(env.FLUSH_DELAY_MS ?? 1000));
    });
  }

  private bound(ns: string): Emitter {
    bindNamespace(this.ctx.storage, ns);
    if (!this.emitter) {
      const token = this.env.INGEST_TOKEN;
      const sink = this.env.EVENTS ?? createHttpSink({ url: ingestUrl(this.env, 'events'), token });
      const checkpoints =
        this.env.CHECKPOINTS ??
        (this.env.INGEST_URL
          ? createHttpSink({ url: ingestUrl(this.env, 'checkpoints'), token })
          : undefined);
      const batchRows = Number(this.env.EMITTER_BATCH_ROWS ?? 1000);
      this.emitter = createEmitter(this.ctx.storage, { ns, sink, checkpoints, batchRows });
    }
    return this.emitter;
  }

  /** Sets the alarm for `at` unless one is due sooner. */
  private async scheduleAlarm(at: number): Promise<void> {
    // Remember the alarm already set, so a burst of writes does not read the alarm once per write.
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  private afterWrite(): void {
    this.ctx.waitUntil(this.scheduleAlarm(Date.now() + Number(this.env.FLUSH_DELAY_MS ?? 1000)));
  }

  record(ns: string, input: RecordInput): Recorded {
    this.bound(ns);
    const recorded = record(this.ctx.storage, input);
    this.afterWrite();
    return recorded;
  }

  /** Records the demo workload: `count` actions spread over the past hours. */
  seed(ns: string, count: number): { recorded: number; lastSeq: number } {
    this.bound(ns);
    let lastSeq = 0;
    for (const input of demoWorkload(count)) lastSeq = record(this.ctx.storage, input).seq;
    this.afterWrite();
    return { recorded: count, lastSeq };
  }

  send(ns: string, call: ActionCall): void {
    this.bound(ns);
    this.actions.send(call);
    this.afterWrite();
  }

  async try(ns: string, call: ActionCall): Promise<ActionOutcome> {
    this.bound(ns);
    try {
      return await this.actions.try(call);
    } finally {
      this.afterWrite();
    }
  }

  async do(ns: string, call: ActionCall): Promise<ActionOutcome> {
    this.bound(ns);
    const outcome = await this.actions.do(call);
    this.afterWrite();
    return outcome;
  }

  undo(ns: string, action: number): Recorded {
    this.bound(ns);
    const recorded = this.actions.undo(action);
    this.afterWrite();
    return recorded;
  }

  resolve(ns: string, ref: string): ThingVersion {
    this.bound(ns);
    return resolveRef(this.ctx.storage, ref);
  }

  branch(ns: string, name: string, from?: number): void {
    this.bound(ns);
    createBranch(this.ctx.storage, { name, from });
  }

  async flush(ns: string): Promise<FlushResult> {
    return await this.bound(ns).flush();
  }

  pending(ns: string): number {
    return this.bound(ns).pending();
  }

  /** What waits in the outbox, and how many events the sink refused for good. */
  status(ns: string): { pending: number; deadLetters: number } {
    const emitter = this.bound(ns);
    return { pending: emitter.pending(), deadLetters: emitter.deadLetterCount() };
  }

  /** The dead letters, with the sink's reason for each. */
  deadLetters(ns: string, limit = 100, after = 0): DeadLetter[] {
    return this.bound(ns).deadLetters({ limit, after });
  }

  /** Sends the dead letters (or those of `seqs`) again, after a fix. */
  async resend(ns: string, seqs?: number[]): Promise<ResendResult> {
    return await this.bound(ns).resend(seqs ? { seqs } : {});
  }

  /** Flushes, then collapses local history (the lake keeps it) with a `compacted` event. */
  async compact(ns: string): Promise<{ seq: number }> {
    await this.bound(ns).flush();
    const result = compact(this.ctx.storage);
    this.afterWrite();
    return result;
  }

  /** Moves this namespace to another object: state, seq and chain head go along; this one turns read-only. */
  async moveTo(ns: string, target: string): Promise<{ seq: number | null }> {
    await this.bound(ns).flush();
    const bundle = exportState(this.ctx.storage);
    const result = await this.env.STARTUP.getByName(target).importState(bundle, 'move');
    markMoved(this.ctx.storage, target);
    return result;
  }

  /** Forks this namespace into a new one with its own identity and fresh history. */
  async forkTo(ns: string, target: string, newNs: string): Promise<{ events: number }> {
    this.bound(ns);
    return await this.env.STARTUP.getByName(target).importFork(
      exportState(this.ctx.storage, { allowUnstreamed: true }),
      newNs,
    );
  }

  importState(bundle: StateBundle, mode: ImportMode): { seq: number | null } {
    const result = importState(this.ctx.storage, bundle, mode);
    this.afterWrite();
    return result;
  }

  importFork(bundle: StateBundle, ns: string): { events: number } {
    const result = importFork(this.ctx.storage, bundle, ns);
    this.bound(ns);
    this.afterWrite();
    return result;
  }

  /** Runs due `do` retries, then flushes; a failed flush retries with exponential backoff and jitter. */
  override async alarm(): Promise<void> {
    this.alarmAt = null; // the alarm that is running is spent
    await this.actions.runDue();
    const ns = this.ctx.storage.sql
      .exec<{ value: string }>("SELECT value FROM _dotdo_meta WHERE key = 'ns'")
      .toArray()[0]?.value;
    if (ns) {
      try {
        await this.bound(ns).flush();
        this.flushFailures = 0;
      } catch {
        this.flushFailures += 1;
        await this.scheduleAlarm(Date.now() + backoffDelay(this.flushFailures));
      }
    }
    const due = this.actions.nextDueAt();
    if (due !== null) await this.scheduleAlarm(due);
  }
}

function ingestUrl(env: Env, stream: string): string {
  if (!env.INGEST_URL) {
    throw new Error(
      'no sink: bind a Pipelines stream as EVENTS, or set INGEST_URL (the local stand-in in dev)',
    );
  }
  return `${env.INGEST_URL.replace(/\/+$/, '')}/${stream}`;
}
