import {
  RefNotFoundError,
  resolveRef,
  type ThingRow,
  type ThingVersion,
  toThingVersion,
} from '../refs/resolve-ref.ts';
import { createBranch, listBranches } from '../store/branches.ts';
import type { StorageLike } from '../storage-like.ts';
import { AnalyticsError } from './analytics-error.ts';
import type { Analytics, ThingHistoryEntry } from './analytics-types.ts';

/** The version a ref names, or null when it names none (a malformed ref still throws a RefError). */
export function getThing(storage: StorageLike, ref: string): ThingVersion | null {
  try {
    return resolveRef(storage, ref);
  } catch (error) {
    if (error instanceof RefNotFoundError) return null;
    throw error;
  }
}

interface HistoryRow extends ThingRow {
  action: number | null;
  verb: string | null;
  actor: string | null;
}

/** Every version of a thing on one branch, oldest first, with the action that wrote it. */
export function thingHistory(
  storage: StorageLike,
  id: string,
  options: { branch?: string | null; limit?: number } = {},
): ThingHistoryEntry[] {
  if (typeof id !== 'string' || id.length === 0)
    throw new AnalyticsError('invalid_input', 'history: id must be a non-empty string', 'id');
  const limit = options.limit ?? 1000;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new AnalyticsError(
      'invalid_input',
      `history: limit must be a positive integer, got ${limit}`,
      'limit',
    );
  const rows = storage.sql
    .exec<HistoryRow>(
      `SELECT t.id, t.version, t.branch, t.data, t.deleted, t.createdAt, a.id AS action, v.verb, a.actor
       FROM things t LEFT JOIN actions a ON a.output = t.version LEFT JOIN verbs v ON v.id = a.verb
       WHERE t.id = ? AND t.branch IS ? ORDER BY t.version LIMIT ?`,
      id,
      options.branch ?? null,
      limit,
    )
    .toArray();
  return rows.map((r) => ({
    ...toThingVersion(r),
    action: r.action,
    verb: r.verb,
    actor: r.actor,
  }));
}

/** The read side of the `$`: things by ref and history, and branches. */
export function createReads(
  storage: StorageLike,
): Pick<Analytics<string, Record<string, string>, unknown>, 'things' | 'branches'> {
  return {
    things: {
      get: (ref) => getThing(storage, ref),
      history: (id, options) => thingHistory(storage, id, options),
    },
    branches: {
      create: (name, options = {}) => createBranch(storage, { name, ...options }),
      list: () => listBranches(storage),
    },
  };
}
