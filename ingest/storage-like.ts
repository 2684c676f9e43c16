/**
 * Structural types for Durable Object storage, so ingest never depends on a driver package:
 * `ctx.storage` satisfies {@link StorageLike} as it is.
 *
 * @module
 */

/** A value SQLite hands back or takes as a binding. */
export type SqlValue = string | number | null | ArrayBuffer;

/** The part of a DO `SqlStorageCursor` that ingest uses. */
export interface SqlCursorLike<T> extends Iterable<T> {
  toArray(): T[];
  one(): T;
  raw<U extends SqlValue[] = SqlValue[]>(): IterableIterator<U>;
}

/** The part of `ctx.storage.sql` that ingest uses. */
export interface SqlStorageLike {
  exec<T extends Record<string, SqlValue> = Record<string, SqlValue>>(
    query: string,
    ...bindings: unknown[]
  ): SqlCursorLike<T>;
}

/**
 * The part of `ctx.storage` that ingest uses: SQL plus synchronous transactions.
 *
 * @example
 * ```ts
 * import type { StorageLike } from './storage-like.ts';
 * const storage: StorageLike = ctx.storage; // inside a Durable Object
 * ```
 */
export interface StorageLike {
  sql: SqlStorageLike;
  transactionSync<T>(closure: () => T): T;
}
