import type { CheckpointRow, EventRow } from '../../schemas/index.ts';
import { type BackoffOptions, backoffDelay } from '../emitter/backoff.ts';
import { createEmitter, type Emitter } from '../emitter/create-emitter.ts';
import { type CheckpointSigner, createCheckpointSigner } from '../emitter/checkpoint-signer.ts';
import { isSink, type Sink } from '../sink.ts';
import { createHttpSink } from '../sinks/http/index.ts';
import type { StorageLike } from '../storage-like.ts';
import { bindNamespace } from '../store/bind-namespace.ts';
import { readMeta } from '../store/meta.ts';
import { migrate } from '../store/migrate.ts';
import { pendingEvents } from '../store/outbox.ts';
import { AnalyticsError } from './analytics-error.ts';
import type { AlarmResult } from './analytics-types.ts';

/** The part of `ctx.storage` the `$` uses: SQL, transactions and the alarm. */
export interface AnalyticsStorageLike extends StorageLike {
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
  deleteAlarm?(): Promise<void>;
}

/** The part of a Durable Object's `ctx` the `$` uses. */
export interface AnalyticsCtxLike {
  storage: AnalyticsStorageLike;
  id: { name?: string; toString(): string };
  waitUntil(promise: Promise<unknown>): void;
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** The per-object plumbing behind the `$`: namespace, emitter, the alarm and its flush backoff. */
export interface Runtime {
  ctx: AnalyticsCtxLike;
  storage: AnalyticsStorageLike;
  /** The bound namespace, binding it from the config or the object's name on first use. */
  ns(): string;
  bind(ns: string): string;
  /** Throws `read_only` when this object may no longer write (it moved away, or is a replica). */
  writable(): void;
  emitter(): Emitter;
  /** Arms the alarm to flush soon (or sooner, if already armed for later). */
  afterWrite(): void;
  schedule(atMs: number): Promise<void>;
  /** Runs the flush half of `alarm()`: flushes, or arms the retry with backoff. */
  flushFromAlarm(): Promise<Pick<AlarmResult, 'flushed' | 'flushError'>>;
  /** Forget cached state after the storage was replaced (an import) or retired (a move). */
  reset(): void;
}

/** What the runtime needs from the config. */
export interface RuntimeConfig {
  ns?: string | (() => string | undefined);
  sink?: Sink<EventRow> | { url: string; token?: string };
  checkpoints?: Sink<CheckpointRow>;
  signingKey?: string;
  signingKeyId?: string;
  checkpointEvery?: number;
  flushDelayMs?: number;
  batchRows?: number;
  retry?: BackoffOptions;
  onFlushError?: (error: unknown) => void;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;

function resolveSink(sink: RuntimeConfig['sink']): Sink<EventRow> {
  if (isSink(sink)) return sink as Sink<EventRow>;
  if (sink && typeof sink === 'object' && typeof sink.url === 'string')
    return createHttpSink({ url: sink.url, token: sink.token });
  throw new AnalyticsError(
    'no_sink',
    'no sink: pass sink: env.EVENTS (a Pipelines binding) or sink: { url } (a Pipelines HTTP ingest endpoint)',
    'sink',
  );
}

/** The namespace: bound in storage, else from the config, else the object's name if it is a URL. */
function configuredNs(ctx: AnalyticsCtxLike, config: RuntimeConfig): string | undefined {
  const bound = readMeta(ctx.storage, 'ns');
  if (bound) return bound;
  const given = typeof config.ns === 'function' ? config.ns() : config.ns;
  if (given) return given;
  return ctx.id.name && URL_LIKE.test(ctx.id.name) ? ctx.id.name : undefined;
}

/** After a crash or eviction mid-flush, the outbox may hold events with no alarm left to send them. */
function rearmOnWake(ctx: AnalyticsCtxLike, runtime: Runtime, delay: number): void {
  void ctx.blockConcurrencyWhile(async () => {
    const waiting = ctx.storage.sql
      .exec<{ n: number }>(
        'SELECT (SELECT count(*) FROM events WHERE id > (SELECT streamedThrough FROM _dotdo_outbox)) + (SELECT count(*) FROM _dotdo_due) AS n',
      )
      .one().n;
    if (waiting > 0) await runtime.schedule(Date.now() + delay);
  });
}

let signerOf: { secret: string; keyId?: string; signer: Promise<CheckpointSigner> } | undefined;

/** One signer per secret per isolate: importing the key once, not per object. */
function signerFor(secret: string, keyId?: string): Promise<CheckpointSigner> {
  if (signerOf?.secret !== secret || signerOf.keyId !== keyId) {
    const signer = createCheckpointSigner(secret, keyId);
    signer.catch(() => undefined); // surfaced by the flush that awaits it
    signerOf = { secret, keyId, signer };
  }
  return signerOf.signer;
}

/** Creates the runtime of one object and, at wake, re-arms an alarm that a crash may have lost. */
export function createRuntime(ctx: AnalyticsCtxLike, config: RuntimeConfig): Runtime {
  const storage = ctx.storage;
  const delay = config.flushDelayMs ?? 1000;
  if (!Number.isFinite(delay) || delay < 0)
    throw new AnalyticsError(
      'invalid_config',
      `flushDelayMs must be a number ≥ 0, got ${delay}`,
      'flushDelayMs',
    );
  migrate(storage);
  let emitter: Emitter | undefined;
  let readOnly: string | null | undefined;
  let alarmAt: number | null | undefined; // null: none set; undefined: not read yet
  let flushFailures = 0;
  let boundNs: string | undefined;

  const bindOptions = config.checkpointEvery ? { checkpointEvery: config.checkpointEvery } : {};
  const signer = () => (config.signingKey ? signerFor(config.signingKey, config.signingKeyId) : undefined);
  const runtime: Runtime = {
    ctx,
    storage,
    ns() {
      if (boundNs !== undefined) return boundNs;
      const ns = configuredNs(ctx, config);
      if (!ns)
        throw new AnalyticsError(
          'no_namespace',
          'no namespace: reach the object with getByName("https://…"), or pass ns to analytics()',
          'ns',
        );
      boundNs = bindNamespace(storage, ns, bindOptions);
      return boundNs;
    },
    bind(ns) {
      boundNs = bindNamespace(storage, ns, bindOptions);
      return boundNs;
    },
    writable() {
      if (readOnly === undefined) readOnly = readMeta(storage, 'read_only') ?? null;
      if (readOnly !== null) throw new AnalyticsError('read_only', `this object is read-only: ${readOnly}`);
    },
    emitter() {
      emitter ??= createEmitter(storage, {
        ns: runtime.ns(),
        sink: resolveSink(config.sink),
        checkpoints: config.checkpoints,
        batchRows: config.batchRows,
        signer: signer(),
      });
      return emitter;
    },
    afterWrite() {
      const at = Date.now() + delay;
      if (alarmAt != null && alarmAt <= at) return; // armed soon enough already: no promise per write
      ctx.waitUntil(runtime.schedule(at));
    },
    async schedule(at) {
      // Remember the alarm already set, so a burst of writes does not read it once per write.
      if (alarmAt === undefined) alarmAt = await storage.getAlarm();
      if (alarmAt !== null && alarmAt <= at) return;
      alarmAt = at;
      await storage.setAlarm(at);
    },
    async flushFromAlarm() {
      alarmAt = null; // the alarm that is running is spent
      if (!readMeta(storage, 'ns') || pendingEvents(storage) === 0) return { flushed: null };
      try {
        const flushed = await runtime.emitter().flush();
        flushFailures = 0;
        if (pendingEvents(storage) > 0) await runtime.schedule(Date.now() + delay); // written meanwhile
        return { flushed };
      } catch (error) {
        flushFailures += 1;
        config.onFlushError?.(error);
        await runtime.schedule(Date.now() + backoffDelay(flushFailures, config.retry));
        return { flushed: null, flushError: (error as Error).message ?? String(error) };
      }
    },
    reset() {
      emitter = undefined;
      boundNs = undefined;
      readOnly = undefined;
    },
  };

  rearmOnWake(ctx, runtime, delay);
  return runtime;
}
