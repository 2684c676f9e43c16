import type { StorageLike } from '../storage-like.ts';

/** One event the sink refused for good: kept locally, with the sink's reason, until it is re-sent. */
export interface DeadLetter {
  seq: number;
  /** Why the sink refused it, in the sink's words. */
  reason: string;
  /** The sink's error code, e.g. `schema_mismatch`, `too_large`. */
  code: string | null;
  /** Size of the serialized row. */
  bytes: number;
  /** When it was dead-lettered (µs). */
  at: number;
}

/** Per-call options of {@link listDeadLetters}. */
export interface ListDeadLettersOptions {
  /** At most this many (default 100). */
  limit?: number;
  /** Only those with a seq above this. */
  after?: number;
}

/**
 * Records (or, for one dead-lettered again, updates) a dead letter.
 *
 * @example
 * ```ts
 * import { addDeadLetter } from './dead-letters.ts';
 * addDeadLetter(ctx.storage, { seq: 7, reason: 'target: must be an absolute URL', code: 'schema_mismatch', bytes: 812, at: nowMicros() });
 * ```
 */
export function addDeadLetter(storage: StorageLike, letter: DeadLetter): void {
  storage.sql.exec(
    'INSERT OR REPLACE INTO _dotdo_dead_letters (seq, reason, code, bytes, at) VALUES (?, ?, ?, ?, ?)',
    letter.seq,
    letter.reason.slice(0, 2000),
    letter.code,
    letter.bytes,
    letter.at,
  );
}

/**
 * The dead letters in seq order.
 *
 * @example
 * ```ts
 * import { listDeadLetters } from './dead-letters.ts';
 * listDeadLetters(ctx.storage, { limit: 20 }); // [{ seq: 7, reason: '...', code: 'schema_mismatch', ... }]
 * ```
 */
export function listDeadLetters(storage: StorageLike, options: ListDeadLettersOptions = {}): DeadLetter[] {
  return storage.sql
    .exec<{ seq: number; reason: string; code: string | null; bytes: number; at: number }>(
      'SELECT seq, reason, code, bytes, at FROM _dotdo_dead_letters WHERE seq > ? ORDER BY seq LIMIT ?',
      options.after ?? 0,
      options.limit ?? 100,
    )
    .toArray()
    .map((row) => ({ ...row }));
}

/**
 * How many events are dead-lettered.
 *
 * @example
 * ```ts
 * import { countDeadLetters } from './dead-letters.ts';
 * countDeadLetters(ctx.storage); // 10
 * ```
 */
export function countDeadLetters(storage: StorageLike): number {
  return storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM _dotdo_dead_letters').one().n;
}

/** Removes the dead letters of the given seqs (they were accepted on a re-send). */
export function removeDeadLetters(storage: StorageLike, seqs: readonly number[]): void {
  // One JSON parameter, however many seqs: bound parameters are limited to 100 per statement.
  if (seqs.length === 0) return;
  storage.sql.exec(
    'DELETE FROM _dotdo_dead_letters WHERE seq IN (SELECT value FROM json_each(?))',
    JSON.stringify(seqs),
  );
}
