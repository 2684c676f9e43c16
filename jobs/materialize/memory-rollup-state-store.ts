import type { RollupState } from './materialize-state.ts';
import type { RefreshRecord, RollupStateStore } from './rollup-state-store.ts';

/**
 * A refresher's state in memory, for a refresher run from Node (a one-off job, a benchmark); a
 * Durable Object keeps it in its SQLite with `createRollupStateStore(ctx.storage)` instead.
 *
 * @example
 * ```ts
 * import { createMemoryRollupStateStore } from './memory-rollup-state-store.ts';
 * const store = createMemoryRollupStateStore();
 * store.serve('revenue', 2); store.serving('revenue'); // 2
 * ```
 */
export function createMemoryRollupStateStore(): RollupStateStore {
  const states = new Map<string, string>();
  const serving = new Map<string, number>();
  const history: RefreshRecord[] = [];
  return {
    get: (view) => (states.has(view) ? (JSON.parse(states.get(view)!) as RollupState) : null),
    put: (state) => void states.set(state.view, JSON.stringify(state)),
    drop: (view) => void states.delete(view),
    serving: (name) => serving.get(name) ?? null,
    serve: (name, version) => void serving.set(name, version),
    record(entry) {
      history.push({ ...entry });
      if (history.length > 1000) history.shift();
    },
    history: (limit = 50) => history.slice(-limit).reverse(),
  };
}
