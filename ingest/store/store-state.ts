import { META_TABLE } from '../../schemas/index.ts';
import type { StorageLike } from '../storage-like.ts';
import { migrate } from './migrate.ts';
import type { VerbForms } from './verb-forms.ts';

/** A registered verb as the store caches it. */
export interface VerbRow extends VerbForms {
  id: number;
}

/** The head of this storage's hash chain. */
export interface ChainHead {
  seq: number;
  hash: string | null;
}

/** What the store keeps in memory per storage; every field can be re-read from SQLite. */
export interface StoreState {
  incarnation: string;
  ns: string | null;
  checkpointEvery: number;
  verbs: Map<string, VerbRow>;
  nouns: Map<string, number>;
  head: ChainHead | undefined;
  /** Current version per `branch \u0000 id`; filled on use, dropped with the other caches. */
  versions: Map<string, number | null>;
  /** The last version and action ids handed out; never reused, even after compaction. */
  lastIds: { version: number; action: number } | undefined;
  /** Set when this storage may no longer write events: a replica, or a namespace that moved away. */
  readOnly: string | null;
}

const states = new WeakMap<StorageLike, StoreState>();

/** Default: a checkpoint row every this many events. */
export const DEFAULT_CHECKPOINT_EVERY = 1000;

/** The cached state of a storage, migrating it on first use. */
export function storeState(storage: StorageLike): StoreState {
  let state = states.get(storage);
  if (!state) {
    const { incarnation } = migrate(storage);
    const ns = storage.sql
      .exec<{ value: string }>(`SELECT value FROM ${META_TABLE} WHERE key = 'ns'`)
      .toArray()[0]?.value;
    state = {
      incarnation,
      ns: ns ?? null,
      checkpointEvery: DEFAULT_CHECKPOINT_EVERY,
      verbs: new Map(),
      nouns: new Map(),
      head: undefined,
      versions: new Map(),
      lastIds: undefined,
      readOnly:
        storage.sql
          .exec<{ value: string }>(`SELECT value FROM ${META_TABLE} WHERE key = 'read_only'`)
          .toArray()[0]?.value ?? null,
    };
    states.set(storage, state);
  }
  return state;
}

/** Forgets the whole cached state, after state was replaced wholesale (an import). */
export function dropStoreState(storage: StorageLike): void {
  states.delete(storage);
}

/** Forgets what was cached, after a transaction failed. */
function resetStoreState(storage: StorageLike): void {
  const state = states.get(storage);
  if (!state) return;
  state.verbs.clear();
  state.nouns.clear();
  state.versions.clear();
  state.head = undefined;
  state.lastIds = undefined;
}

/** The last version and action ids, read once: the highest in the tables or recorded by a compaction. */
export function lastIds(storage: StorageLike, state: StoreState): { version: number; action: number } {
  if (state.lastIds) return state.lastIds;
  const row = storage.sql
    .exec<{ version: number; action: number }>(
      `SELECT max(coalesce((SELECT max(version) FROM things), 0),
                  coalesce((SELECT CAST(value AS INTEGER) FROM ${META_TABLE} WHERE key = 'last_version'), 0)) AS version,
              max(coalesce((SELECT max(id) FROM actions), 0),
                  coalesce((SELECT CAST(value AS INTEGER) FROM ${META_TABLE} WHERE key = 'last_action'), 0)) AS action`,
    )
    .one();
  state.lastIds = { version: row.version, action: row.action };
  return state.lastIds;
}

/** The seq and hash of the newest event in this storage, if any. */
export const newestEvent = (storage: StorageLike): { id: number; hash: string } | undefined =>
  storage.sql
    .exec<{ id: number; hash: string }>(
      "SELECT id, json_extract(row, '$.hash') AS hash FROM events ORDER BY id DESC LIMIT 1",
    )
    .toArray()[0];

/** The chain head: the newest event, or what an import or compaction left in the meta table. */
export function chainHead(storage: StorageLike, state: StoreState): ChainHead {
  if (state.head) return state.head;
  const last = newestEvent(storage);
  if (last) {
    state.head = { seq: last.id, hash: last.hash };
    return state.head;
  }
  const meta = Object.fromEntries(
    storage.sql
      .exec<{ key: string; value: string }>(
        `SELECT key, value FROM ${META_TABLE} WHERE key IN ('chain_head_seq', 'chain_head_hash')`,
      )
      .toArray()
      .map((r) => [r.key, r.value]),
  );
  state.head = { seq: Number(meta.chain_head_seq ?? 0), hash: meta.chain_head_hash ?? null };
  return state.head;
}

/**
 * Runs `fn` in one synchronous transaction; if it throws, the in-memory caches are dropped so they can
 * never describe rows that were rolled back.
 */
export function inTransaction<T>(storage: StorageLike, fn: () => T): T {
  return dropCachesOnError(storage, () => storage.transactionSync(fn));
}

/** Runs `fn`; if it throws, the in-memory caches are dropped (for a single statement, atomic by itself). */
export function dropCachesOnError<T>(storage: StorageLike, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    resetStoreState(storage);
    throw error;
  }
}
