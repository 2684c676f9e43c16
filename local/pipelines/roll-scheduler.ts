import { summarize } from './check-records.ts';
import type { RollWorkerClient } from './roll-worker-client.ts';
import { fromWorkerError } from './roll-worker-client.ts';
import type { RollReply } from './roll-worker.ts';
import type { RolledFile } from './sinks/index.ts';
import type { PendingRoll, StreamState } from './stream-state.ts';

/** How a stream's rolls are driven through the roll worker: waited on, awaited, or left to run. */
export interface RollScheduler {
  /** Seals the buffer and blocks until every pending roll is committed; throws if one fails. */
  rollSync(state: StreamState): RolledFile[];
  /** The same without blocking the event loop. */
  rollAsync(state: StreamState): Promise<RolledFile[]>;
  /** Seals the buffer and starts the pending rolls; a failure is counted, never thrown. */
  inBackground(state: StreamState): void;
  /** Starts the pending rolls (those a restart found), leaving the buffer as it is. */
  resume(state: StreamState): void;
}

const failure = (cause: unknown) => `${new Date().toISOString()} ${summarize(String(cause), 500)}`;

/**
 * Drives rolls through the worker. A stream's rolls are committed one at a time, in order; a reply
 * changes the state right where it is handled (on the event loop, or inside a synchronous wait), never
 * in a later microtask, so a synchronous roll and a background one can meet safely. A segment is
 * released only after its files are committed and the counters saved (with `lastRolled`, so a crash in
 * between neither loses nor double-counts it).
 *
 * @example
 * ```ts
 * import { createRollScheduler } from './roll-scheduler.ts';
 * const rolls = createRollScheduler(worker);
 * rolls.inBackground(state);
 * ```
 */
export function createRollScheduler(worker: RollWorkerClient): RollScheduler {
  function pump(state: StreamState): void {
    if (state.inFlight || state.pending.length === 0) return;
    const roll = state.pending[0]!;
    state.inFlight = true;
    const uncertain = roll.uncertain;
    roll.uncertain = true;
    worker.submit({ stream: state.name, fileId: roll.fileId, segment: roll.segment, uncertain }, (reply) => {
      try {
        settle(state, roll, reply);
      } catch (cause) {
        // Saving the counters or releasing the segment failed: the roll is retried (the sinks are
        // asked first, so nothing lands twice) and nothing escapes into the event loop.
        state.inFlight = false;
        state.counters.rollFailures += 1;
        state.counters.lastRollError = failure(cause);
        state.finish(cause instanceof Error ? cause : new Error(String(cause)));
      }
    });
  }

  function settle(state: StreamState, roll: PendingRoll, reply: RollReply): void {
    state.inFlight = false;
    const counters = state.counters;
    if (!reply.ok) {
      const error = fromWorkerError(reply.error);
      counters.rollFailures += 1;
      counters.lastRollError = failure(error.message);
      state.saveCounters();
      state.finish(error);
      return;
    }
    counters.rolled += roll.records;
    counters.files += reply.files.length;
    counters.transformRejected += reply.transformRejected;
    counters.lastRolled = roll.fileId;
    const at = new Date().toISOString();
    for (const reject of reply.rejects) state.rejects.keep({ at, ...reject });
    // Counted (and fsynced) before the segment goes: a crash in between is recognised by lastRolled.
    state.saveCounters();
    state.wal.release(roll.segment);
    state.pending.shift();
    state.collect(reply.files);
    if (state.pending.length === 0) state.finish(null);
    else pump(state);
  }

  return {
    rollSync(state) {
      state.seal();
      if (state.pending.length === 0) return [];
      let outcome: { error: Error | null } | null = null;
      const files = state.listen((error) => {
        outcome = { error };
      });
      pump(state);
      while (!outcome) worker.waitOne();
      const { error } = outcome as { error: Error | null };
      if (error) throw error;
      return files;
    },
    rollAsync(state) {
      state.seal();
      if (state.pending.length === 0) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        const files = state.listen((error) => (error ? reject(error) : resolve(files)));
        pump(state);
      });
    },
    resume: pump,
    inBackground(state) {
      try {
        state.seal();
        pump(state);
      } catch (cause) {
        state.counters.rollFailures += 1;
        state.counters.lastRollError = failure(cause);
      }
    },
  };
}
