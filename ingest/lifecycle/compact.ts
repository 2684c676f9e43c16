import type { StorageLike } from '../storage-like.ts';
import { pendingEvents } from '../store/outbox.ts';
import { nowMicros } from '../store/record.ts';
import { writeMeta } from '../store/meta.ts';
import { inTransaction, lastIds, storeState } from '../store/store-state.ts';
import { writeAction } from '../store/write-action.ts';
import { lifecycleWrite } from './transfer.ts';

/** What a compaction removed locally (the lake keeps all of it). */
export interface CompactResult {
  seq: number;
  removed: { versions: number; actions: number; events: number };
}

const count = (storage: StorageLike, sql: string): number => storage.sql.exec<{ n: number }>(sql).one().n;

/**
 * Collapses local history: keeps the newest version of each thing per branch (and any version a branch
 * points at), actions still in flight, and the chain head; drops the rest. Refused while any event is
 * unstreamed, because the lake must already hold the full history. Records a `compacted` event that
 * continues the chain, so the namespace's seq stays gapless.
 *
 * @example
 * ```ts
 * import { compact } from './compact.ts';
 * await emitter.flush();
 * compact(ctx.storage); // { seq, removed: { versions, actions, events } }
 * ```
 */
export function compact(storage: StorageLike, options: { actor?: string | null } = {}): CompactResult {
  const state = storeState(storage);
  if (state.ns === null) throw new Error('compact: bind a namespace first');
  const pending = pendingEvents(storage);
  if (pending > 0)
    throw new Error(`compact: ${pending} events are not streamed yet; flush before compacting`);
  return inTransaction(storage, () => {
    const sql = storage.sql;
    const sizes = () => ({
      versions: count(storage, 'SELECT count(*) AS n FROM things'),
      actions: count(storage, 'SELECT count(*) AS n FROM actions'),
      events: count(storage, 'SELECT count(*) AS n FROM events'),
    });
    const before = sizes();
    const written = writeAction(storage, state, {
      ...lifecycleWrite(state.ns!, 'compact', nowMicros(), { before }),
      actor: options.actor ?? null,
    });
    // Ids are handed out after the highest one ever used; remember it before rows may go.
    const ids = lastIds(storage, state);
    writeMeta(storage, 'last_version', String(ids.version));
    writeMeta(storage, 'last_action', String(ids.action));
    // Older streamed events go (the compacted event is the new chain head; dead letters stay for
    // inspection), then finished actions no event points at, then versions nothing points at.
    sql.exec(
      'DELETE FROM events WHERE id < ? AND id <= (SELECT streamedThrough FROM _dotdo_outbox WHERE id = 1) AND id NOT IN (SELECT seq FROM _dotdo_dead_letters)',
      written.seq,
    );
    sql.exec(
      "DELETE FROM actions WHERE status IN ('completed', 'failed', 'undone') AND id NOT IN (SELECT action FROM events WHERE action IS NOT NULL)",
    );
    // DO SQLite caps compound SELECTs at a few terms, so each kept set is its own condition.
    sql.exec(`DELETE FROM things
      WHERE version NOT IN (SELECT max(version) FROM things GROUP BY id, branch)
        AND version NOT IN (SELECT head FROM branches WHERE head IS NOT NULL)
        AND version NOT IN (SELECT base FROM branches WHERE base IS NOT NULL)
        AND version NOT IN (SELECT max(t.version) FROM things t JOIN branches b ON t.branch IS NULL AND t.version <= b.base GROUP BY t.id, b.name)
        AND version NOT IN (SELECT input FROM actions WHERE input IS NOT NULL)
        AND version NOT IN (SELECT output FROM actions WHERE output IS NOT NULL)`);
    const after = sizes();
    return {
      seq: written.seq,
      removed: {
        versions: before.versions - after.versions,
        actions: before.actions + 1 - after.actions,
        events: before.events + 1 - after.events,
      },
    };
  });
}
