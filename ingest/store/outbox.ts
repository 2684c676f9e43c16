import type { StorageLike } from '../storage-like.ts';

/**
 * The outbox watermark: every event with a seq at or below it was acknowledged by the sink or
 * dead-lettered. One row updated per batch, instead of a flag rewritten on every event row.
 *
 * @example
 * ```ts
 * import { streamedThrough } from './outbox.ts';
 * streamedThrough(ctx.storage); // 1200
 * ```
 */
export function streamedThrough(storage: StorageLike): number {
  return storage.sql.exec<{ n: number }>('SELECT streamedThrough AS n FROM _dotdo_outbox WHERE id = 1').one()
    .n;
}

/** Moves the watermark forward to `seq` (never back). */
export function markStreamed(storage: StorageLike, seq: number, at: number): void {
  storage.sql.exec(
    'UPDATE _dotdo_outbox SET streamedThrough = max(streamedThrough, ?), streamedAt = ? WHERE id = 1',
    seq,
    at,
  );
}

/**
 * How many events wait to be streamed.
 *
 * @example
 * ```ts
 * import { pendingEvents } from './outbox.ts';
 * if (pendingEvents(ctx.storage) > 0) await emitter.flush();
 * ```
 */
export function pendingEvents(storage: StorageLike): number {
  return storage.sql
    .exec<{ n: number }>(
      'SELECT count(*) AS n FROM events WHERE id > (SELECT streamedThrough FROM _dotdo_outbox WHERE id = 1)',
    )
    .one().n;
}

/** Sets the watermark back (re-sends everything after `seq` on the next flush); for replays and tests. */
export function rewindOutbox(storage: StorageLike, seq = 0): void {
  storage.sql.exec('UPDATE _dotdo_outbox SET streamedThrough = ?, streamedAt = NULL WHERE id = 1', seq);
}
