import type { StorageLike } from '../storage-like.ts';
import { nowMicros, type Recorded } from '../store/record.ts';
import { inTransaction, storeState } from '../store/store-state.ts';
import { actionWrite, currentVersion, writeAction } from '../store/write-action.ts';

interface UndoSource extends Record<string, string | number | null> {
  status: string;
  target: string;
  input: number | null;
  output: number | null;
  durability: string;
  verb: string;
  inverse: string | null;
  noun: string | null;
  branch: string | null;
}

/**
 * Undoes a completed action: records its verb's inverse (create → delete, publish → unpublish …),
 * which restores the thing's data from before the action as a new version, and marks the original
 * action `undone` — in one transaction. Only the action that wrote the thing's current version can be
 * undone; later actions must be undone first.
 *
 * @example
 * ```ts
 * import { undoAction } from './undo-action.ts';
 * const { action } = record(ctx.storage, { verb: 'publish', type: 'Post', target: 'posts/1', data: { live: true } });
 * undoAction(ctx.storage, action); // records 'unpublish' with the data before
 * ```
 */
export function undoAction(
  storage: StorageLike,
  action: number,
  options: { actor?: string | null } = {},
): Recorded {
  const state = storeState(storage);
  const source = storage.sql
    .exec<UndoSource>(
      `SELECT a.status, a.target, a.input, a.output, a.durability, v.verb, v.inverse, n.noun, t.branch
       FROM actions a JOIN verbs v ON v.id = a.verb LEFT JOIN nouns n ON n.id = a.type
       LEFT JOIN things t ON t.version = a.output
       WHERE a.id = ?`,
      action,
    )
    .toArray()[0];
  if (!source) throw new Error(`undo: no action ${action}`);
  if (source.status !== 'completed')
    throw new Error(`undo: action ${action} is ${source.status}; only a completed action can be undone`);
  if (!source.inverse)
    throw new Error(`undo: verb "${source.verb}" has no inverse, so action ${action} cannot be undone`);
  if (source.output === null || source.noun === null)
    throw new Error(`undo: action ${action} wrote no version to restore from`);
  const current = currentVersion(storage, source.target, source.branch);
  if (current !== source.output) {
    throw new Error(
      `undo: ${source.target} changed since action ${action} (it wrote v${source.output}, v${current} is current): undo the later actions first`,
    );
  }
  const before =
    source.input === null
      ? null
      : storage.sql
          .exec<{ data: string | null; deleted: number }>(
            'SELECT data, deleted FROM things WHERE version = ?',
            source.input,
          )
          .one();
  const ts = nowMicros();
  return inTransaction(storage, () => {
    const written = writeAction(
      storage,
      state,
      actionWrite({
        verb: source.inverse!,
        type: source.noun!,
        target: source.target,
        data: before?.data ?? null,
        deleted: before === null || before.deleted === 1,
        branch: source.branch,
        actor: options.actor ?? null,
        ts,
      }),
    );
    storage.sql.exec("UPDATE actions SET status = 'undone' WHERE id = ?", action);
    return written;
  });
}
