import { canonicalJson } from '../../lake/chain/index.ts';
import { type BackoffOptions, backoffDelay } from '../emitter/backoff.ts';
import type { StorageLike } from '../storage-like.ts';
import { type Json, nowMicros, type Recorded } from '../store/record.ts';
import { chainHead, dropCachesOnError, inTransaction, lastIds, storeState } from '../store/store-state.ts';
import {
  type ActionWrite,
  actionWrite,
  currentVersion,
  nounId,
  verbRow,
  writeAction,
} from '../store/write-action.ts';
import type { ActionCall, ActionHandler, ActionOutcome } from './action-types.ts';
import { undoAction } from './undo-action.ts';

/** Construction options of {@link createActions}. */
export interface ActionsConfig {
  /** Handlers by verb. A verb without one sets the thing's data to the call's input. */
  handlers?: Record<string, ActionHandler>;
  /** Retries of a `do` action after its first attempt (default 3), spaced by exponential backoff. */
  retry?: BackoffOptions & { retries?: number };
  /** Sets the Durable Object's alarm; called with the time (ms) the earliest retry is due. */
  scheduleAlarm?: (atMs: number) => void | Promise<void>;
  /** Keeps a `send` running after the request that started it returns (`ctx.waitUntil`). */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Told about a `send` that failed; the failure is recorded as a `failed` event either way. */
  onSendError?: (error: unknown, call: ActionCall) => void;
}

/** The durability dial. */
export interface Actions {
  /**
   * Fire and forget: returns at once, never waits for the handler or the sink. Best-effort: the
   * action runs in memory, and only once its handler finishes is it recorded (then it is as durable as
   * any event). If the object is evicted, restarted or crashes before that — a deploy, an exceeded
   * limit, an uncaught error elsewhere — the action and its event are lost without a trace.
   */
  send(call: ActionCall): void;
  /** Runs the handler and waits: completed → event; a failure is recorded as a `failed` event and rethrown. */
  try(call: ActionCall): Promise<ActionOutcome>;
  /**
   * Durable: the action is persisted (running) before its handler runs; a failure is retried from the
   * alarm with backoff, also after a restart; its event — completed, or failed once retries are
   * exhausted — is guaranteed.
   */
  do(call: ActionCall): Promise<ActionOutcome>;
  /** Runs every `do` action that is due (and any orphaned by a restart); call it from `alarm()`. */
  runDue(nowMs?: number): Promise<ActionOutcome[]>;
  /** When the next `do` retry is due (ms), or null. */
  nextDueAt(): number | null;
  /** Undoes a completed action through its verb's inverse; the original becomes `undone`. */
  undo(action: number, options?: { actor?: string | null }): Recorded;
}

const errorJson = (error: unknown): string =>
  canonicalJson(
    error instanceof Error
      ? { name: error.name, message: error.message }
      : { name: 'Error', message: String(error) },
  );

/**
 * Creates the action runner of one Durable Object.
 *
 * @example
 * ```ts
 * import { createActions } from './create-actions.ts';
 * const actions = createActions(ctx.storage, {
 *   handlers: { charge: async ({ call, current }) => ({ ...(current as object), paid: await pay(call.input) }) },
 *   scheduleAlarm: (at) => ctx.storage.setAlarm(at),
 * });
 * await actions.do({ verb: 'charge', type: 'Order', target: 'orders/7', input: { cents: 1200 } });
 * ```
 */
export function createActions(storage: StorageLike, config: ActionsConfig = {}): Actions {
  const handlers = config.handlers ?? {};
  const retries = config.retry?.retries ?? 3;
  const inflight = new Set<number>();
  const sql = storage.sql;

  // Without a handler the new data is the input: no need to read the current data first.
  const run = (call: ActionCall, attempt: number): Json | Promise<Json> => {
    const handler = handlers[call.verb];
    return handler ? handler({ call, current: currentData(call), attempt }) : (call.input ?? null);
  };

  function currentData(call: ActionCall): Json | null {
    const version = currentVersion(storage, call.target, call.branch ?? null);
    if (version === null) return null;
    const row = sql.exec<{ data: string | null }>('SELECT data FROM things WHERE version = ?', version).one();
    return row.data === null ? null : (JSON.parse(row.data) as Json);
  }

  function toWrite(call: ActionCall, durability: ActionWrite['durability'], startedAt: number): ActionWrite {
    return actionWrite({
      verb: call.verb,
      type: call.type,
      target: call.target,
      branch: call.branch ?? null,
      actor: call.actor ?? null,
      durability,
      ts: nowMicros(),
      requestId: call.requestId ?? null,
      sessionId: call.sessionId ?? null,
      workflowId: call.workflowId ?? null,
      correlationId: call.correlationId ?? null,
      startedAt,
    });
  }

  function finish(
    write: ActionWrite,
    outcome: Omit<ActionOutcome, 'action'>,
    actionId?: number,
  ): ActionOutcome {
    const state = storeState(storage);
    const run = () => writeAction(storage, state, { ...write, actionId });
    // As in record(): a new action whose verb and noun are known and that writes no branch head or
    // checkpoint is one INSERT, atomic by itself; anything more needs a transaction.
    const single =
      actionId === undefined &&
      write.branch === null &&
      state.verbs.has(write.verb) &&
      state.nouns.has(write.type) &&
      (chainHead(storage, state).seq + 1) % state.checkpointEvery !== 0;
    const written = single ? dropCachesOnError(storage, run) : inTransaction(storage, run);
    return { ...outcome, action: written.action, seq: written.seq, version: written.version };
  }

  async function attemptTry(call: ActionCall, durability: 'send' | 'try'): Promise<ActionOutcome> {
    const startedAt = nowMicros();
    let data: Json;
    try {
      data = await run(call, 1);
    } catch (error) {
      const write = {
        ...toWrite(call, durability, startedAt),
        status: 'failed' as const,
        error: errorJson(error),
      };
      finish(write, { status: 'failed', error: (error as Error).message ?? String(error) });
      throw error;
    }
    const write = { ...toWrite(call, durability, startedAt), data: canonicalJson(data) };
    return finish(write, { status: 'completed', data });
  }

  async function attemptDo(
    actionId: number,
    call: ActionCall,
    attempt: number,
    startedAt: number,
    inserted = false,
  ): Promise<ActionOutcome> {
    inflight.add(actionId);
    try {
      // A fresh action was inserted as running (attempt 1) already.
      if (!inserted)
        sql.exec(
          "UPDATE actions SET status = 'running', attempts = ?, nextAttemptAt = NULL WHERE id = ?",
          attempt,
          actionId,
        );
      let data: Json;
      try {
        data = await run(call, attempt);
      } catch (error) {
        if (attempt <= retries) {
          const at = Date.now() + backoffDelay(attempt, config.retry);
          sql.exec(
            "UPDATE actions SET status = 'retrying', error = ?, nextAttemptAt = ? WHERE id = ?",
            errorJson(error),
            at * 1000,
            actionId,
          );
          await config.scheduleAlarm?.(nextDueAtMs() ?? at);
          return { action: actionId, status: 'retrying', error: (error as Error).message, nextAttemptAt: at };
        }
        const write = {
          ...toWrite(call, 'do', startedAt),
          status: 'failed' as const,
          error: errorJson(error),
        };
        return finish(
          write,
          { status: 'failed', error: (error as Error).message ?? String(error) },
          actionId,
        );
      }
      return finish(
        { ...toWrite(call, 'do', startedAt), data: canonicalJson(data) },
        { status: 'completed', data },
        actionId,
      );
    } finally {
      inflight.delete(actionId);
    }
  }

  function nextDueAtMs(): number | null {
    const row = sql
      .exec<{ at: number | null }>(
        "SELECT min(a.nextAttemptAt) AS at FROM _dotdo_due d JOIN actions a ON a.id = d.action WHERE a.status IN ('pending', 'retrying')",
      )
      .one();
    return row.at === null ? null : Math.ceil(row.at / 1000);
  }

  return {
    send(call) {
      const running = attemptTry(call, 'send').catch((error) => config.onSendError?.(error, call));
      config.waitUntil?.(running);
    },
    try: (call) => attemptTry(call, 'try'),
    async do(call) {
      const startedAt = nowMicros();
      const options = JSON.stringify({ call });
      const actionId = inTransaction(storage, () => {
        const state = storeState(storage);
        const noun = nounId(storage, state, call.type);
        const verb = verbRow(storage, state, call.verb).id;
        const ids = lastIds(storage, state);
        const id = ids.action + 1;
        sql.exec(
          `INSERT INTO actions (id, verb, actor, target, durability, status, attempts, options, requestId, sessionId,
             workflowId, correlationId, type, createdAt, startedAt, ts)
           VALUES (?, ?, ?, ?, 'do', 'running', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          id,
          verb,
          call.actor ?? null,
          call.target,
          options,
          call.requestId ?? null,
          call.sessionId ?? null,
          call.workflowId ?? null,
          call.correlationId ?? null,
          noun,
          startedAt,
          startedAt,
          startedAt,
        );
        sql.exec('INSERT INTO _dotdo_due (action) VALUES (?)', id);
        ids.action = id;
        return id;
      });
      return attemptDo(actionId, call, 1, startedAt, true);
    },
    async runDue(nowMs = Date.now()) {
      const due = sql
        .exec<{ id: number; options: string; attempts: number; startedAt: number }>(
          `SELECT a.id, a.options, a.attempts, a.startedAt FROM _dotdo_due d JOIN actions a ON a.id = d.action
           WHERE a.status = 'running' OR a.nextAttemptAt IS NULL OR a.nextAttemptAt <= ?
           ORDER BY a.id`,
          nowMs * 1000,
        )
        .toArray()
        .filter((row) => !inflight.has(row.id));
      const outcomes: ActionOutcome[] = [];
      for (const row of due) {
        const { call } = JSON.parse(row.options) as { call: ActionCall };
        outcomes.push(await attemptDo(row.id, call, row.attempts + 1, row.startedAt));
      }
      return outcomes;
    },
    nextDueAt: nextDueAtMs,
    undo: (action, options) => undoAction(storage, action, options),
  };
}
