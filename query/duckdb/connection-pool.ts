import { QueryEngineError } from '../query-engine-error.ts';

/** Hands out a fixed set of items, one holder each; waiters queue up to a bound. */
export interface Pool<T> {
  /** Runs `task` with an item; refused as `busy` when `maxWaiting` tasks already wait. */
  use<R>(task: (item: T) => Promise<R>): Promise<R>;
}

/**
 * A tiny pool with a bounded queue, so a burst of queries waits its turn instead of piling onto one
 * DuckDB connection, and a flood is refused at once instead of growing without bound.
 *
 * @example
 * ```ts
 * import { createPool } from './connection-pool.ts';
 * const pool = createPool(['a', 'b'], 10);
 * await pool.use(async (item) => item.toUpperCase()); // 'A'
 * ```
 */
export function createPool<T>(items: T[], maxWaiting: number): Pool<T> {
  const free = [...items];
  const waiting: ((item: T) => void)[] = [];
  const release = (item: T): void => {
    const next = waiting.shift();
    if (next) next(item);
    else free.push(item);
  };
  return {
    async use(task) {
      let item = free.pop();
      if (item === undefined) {
        if (waiting.length >= maxWaiting) {
          throw new QueryEngineError(
            'busy',
            `${items.length} queries are running and ${waiting.length} waiting; try again shortly`,
          );
        }
        item = await new Promise<T>((resolve) => waiting.push(resolve));
      }
      try {
        return await task(item);
      } finally {
        release(item);
      }
    },
  };
}
