import type { StorageLike } from '../storage-like.ts';
import { nowMicros } from '../store/record.ts';

const TABLE = `CREATE TABLE IF NOT EXISTS _dotdo_objects (
  ns TEXT PRIMARY KEY, id TEXT NOT NULL, locationHint TEXT, movedAt INTEGER NOT NULL)`;

/**
 * The object a namespace lives in now, if it moved: the objects table lives in the namespace's home
 * object (the one `getByName(ns)` reaches), which stays the namespace's address after a move.
 *
 * @example
 * ```ts
 * import { locateObject } from './objects-table.ts';
 * locateObject(ctx.storage, 'https://acme.startups.studio'); // '4ad2…' after a move, null before
 * ```
 */
export function locateObject(storage: StorageLike, ns: string): string | null {
  storage.sql.exec(TABLE);
  return (
    storage.sql.exec<{ id: string }>('SELECT id FROM _dotdo_objects WHERE ns = ?', ns).toArray()[0]?.id ??
    null
  );
}

/**
 * Records that a namespace now lives in the object with this id.
 *
 * @example
 * ```ts
 * import { assignObject } from './objects-table.ts';
 * assignObject(ctx.storage, 'https://acme.startups.studio', id.toString(), 'weur');
 * ```
 */
export function assignObject(
  storage: StorageLike,
  ns: string,
  id: string,
  locationHint: string | null,
): void {
  storage.sql.exec(TABLE);
  storage.sql.exec(
    `INSERT INTO _dotdo_objects (ns, id, locationHint, movedAt) VALUES (?, ?, ?, ?)
     ON CONFLICT (ns) DO UPDATE SET id = excluded.id, locationHint = excluded.locationHint, movedAt = excluded.movedAt`,
    ns,
    id,
    locationHint,
    nowMicros(),
  );
}
