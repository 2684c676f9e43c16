import type { StorageLike } from '../storage-like.ts';
import { readMeta, writeMeta } from './meta.ts';
import { storeState } from './store-state.ts';

/** Options of {@link bindNamespace}. */
export interface BindOptions {
  /** Write a checkpoint row every this many events (default 1000). */
  checkpointEvery?: number;
}

/**
 * Binds this storage to its namespace URL on first use; a later call with another namespace throws,
 * because every global id already emitted from this storage carries the first one.
 *
 * @example
 * ```ts
 * import { bindNamespace } from './migrate.ts';
 * bindNamespace(ctx.storage, 'https://startups.studio');
 * ```
 */
export function bindNamespace(storage: StorageLike, ns: string, options: BindOptions = {}): string {
  const state = storeState(storage);
  const clean = ns.replace(/\/+$/, '');
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s/]+(\/[^\s]*)?$/i.test(clean)) {
    throw new Error(`namespace "${ns}" must be an absolute URL such as https://startups.studio`);
  }
  if (options.checkpointEvery !== undefined) {
    if (!Number.isSafeInteger(options.checkpointEvery) || options.checkpointEvery < 1) {
      throw new Error(`checkpointEvery must be a positive integer, got ${options.checkpointEvery}`);
    }
    state.checkpointEvery = options.checkpointEvery;
  }
  if (state.ns === clean) return clean;
  const bound = readMeta(storage, 'ns');
  if (bound === undefined) {
    writeMeta(storage, 'ns', clean);
    state.ns = clean;
    return clean;
  }
  if (bound !== clean) throw new Error(`this storage belongs to namespace ${bound}, not ${clean}`);
  state.ns = bound;
  return bound;
}
