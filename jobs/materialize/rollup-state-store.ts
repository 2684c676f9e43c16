import type { StorageLike } from '../../ingest/storage-like.ts';
import type { RollupState } from './materialize-state.ts';

/** One refresh as the refresher's history records it. */
export interface RefreshRecord {
  view: string;
  startedAt: number;
  finishedAt: number;
  chunks: number;
  rows: number;
  /** Why it failed, when it did (the state was left as it was). */
  error: string | null;
}

/** Where a refresher keeps its watermarks, the version each view serves, and its refresh history. */
export interface RollupStateStore {
  get(view: string): RollupState | null;
  put(state: RollupState): void;
  drop(view: string): void;
  /** The version `name` is served from, if one was chosen. */
  serving(name: string): number | null;
  serve(name: string, version: number): void;
  record(entry: RefreshRecord): void;
  history(limit?: number): RefreshRecord[];
}

const SCHEMA_VERSION = 1;
const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS _dotdo_rollup_state (view TEXT PRIMARY KEY, state TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS _dotdo_rollup_serving (name TEXT PRIMARY KEY, version INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS _dotdo_rollup_history (id INTEGER PRIMARY KEY AUTOINCREMENT, view TEXT NOT NULL,
    started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, chunks INTEGER NOT NULL, rows INTEGER NOT NULL, error TEXT)`,
];
const HISTORY_KEPT = 1000;

function migrate(storage: StorageLike): void {
  storage.sql.exec(
    'CREATE TABLE IF NOT EXISTS _dotdo_rollup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  );
  storage.transactionSync(() => {
    const row = storage.sql
      .exec<{ value: string }>("SELECT value FROM _dotdo_rollup_meta WHERE key = 'schema_version'")
      .toArray()[0];
    const current = Number(row?.value ?? 0);
    if (current > SCHEMA_VERSION)
      throw new Error(`rollup state is at version ${current}, newer than this code's ${SCHEMA_VERSION}`);
    if (current === SCHEMA_VERSION) return;
    for (const statement of MIGRATIONS) storage.sql.exec(statement);
    storage.sql.exec(
      "INSERT OR REPLACE INTO _dotdo_rollup_meta (key, value) VALUES ('schema_version', ?)",
      String(SCHEMA_VERSION),
    );
  });
}

/**
 * A refresher's state in Durable Object SQLite, its tables created by an idempotent migration gated
 * on a schema-version row.
 *
 * @example
 * ```ts
 * import { createRollupStateStore } from './rollup-state-store.ts';
 * const store = createRollupStateStore(ctx.storage); // in the DO constructor
 * store.get('revenue@1'); // null before the first refresh
 * ```
 */
export function createRollupStateStore(storage: StorageLike): RollupStateStore {
  migrate(storage);
  const sql = storage.sql;
  return {
    get(view) {
      const row = sql
        .exec<{ state: string }>('SELECT state FROM _dotdo_rollup_state WHERE view = ?', view)
        .toArray()[0];
      return row ? (JSON.parse(row.state) as RollupState) : null;
    },
    put(state) {
      sql.exec(
        'INSERT OR REPLACE INTO _dotdo_rollup_state (view, state) VALUES (?, ?)',
        state.view,
        JSON.stringify(state),
      );
    },
    drop(view) {
      sql.exec('DELETE FROM _dotdo_rollup_state WHERE view = ?', view);
    },
    serving(name) {
      const row = sql
        .exec<{ version: number }>('SELECT version FROM _dotdo_rollup_serving WHERE name = ?', name)
        .toArray()[0];
      return row ? Number(row.version) : null;
    },
    serve(name, version) {
      sql.exec('INSERT OR REPLACE INTO _dotdo_rollup_serving (name, version) VALUES (?, ?)', name, version);
    },
    record(entry) {
      sql.exec(
        'INSERT INTO _dotdo_rollup_history (view, started_at, finished_at, chunks, rows, error) VALUES (?, ?, ?, ?, ?, ?)',
        entry.view,
        entry.startedAt,
        entry.finishedAt,
        entry.chunks,
        entry.rows,
        entry.error,
      );
      sql.exec(
        'DELETE FROM _dotdo_rollup_history WHERE id <= (SELECT max(id) FROM _dotdo_rollup_history) - ?',
        HISTORY_KEPT,
      );
    },
    history(limit = 50) {
      return sql
        .exec<Record<string, number | string | null>>(
          'SELECT view, started_at, finished_at, chunks, rows, error FROM _dotdo_rollup_history ORDER BY id DESC LIMIT ?',
          limit,
        )
        .toArray()
        .map((r) => ({
          view: String(r.view),
          startedAt: Number(r.started_at),
          finishedAt: Number(r.finished_at),
          chunks: Number(r.chunks),
          rows: Number(r.rows),
          error: r.error === null ? null : String(r.error),
        }));
    },
  };
}
