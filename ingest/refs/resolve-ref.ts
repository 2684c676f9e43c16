import type { StorageLike } from '../storage-like.ts';
import { storeState } from '../store/store-state.ts';
import { currentVersion } from '../store/write-action.ts';
import { type ParsedRef, parseRef } from '../../schemas/parse-ref.ts';

/** One version of a thing, as a ref resolves to it. */
export interface ThingVersion {
  id: string;
  version: number;
  branch: string | null;
  data: unknown;
  deleted: boolean;
  createdAt: number;
}

/** A well-formed ref that names no version here. */
export class RefNotFoundError extends Error {
  override name = 'RefNotFoundError';
}

/**
 * Resolves a ref to the version of the thing it names, in this Durable Object's storage.
 *
 * @example
 * ```ts
 * import { resolveRef } from './resolve-ref.ts';
 * resolveRef(ctx.storage, 'acme@~1').version; // the version before the current one
 * ```
 */
export function resolveRef(storage: StorageLike, ref: string | ParsedRef): ThingVersion {
  const parsed = typeof ref === 'string' ? parseRef(ref) : ref;
  const text = typeof ref === 'string' ? ref : parsed.thing;
  let id = parsed.thing;
  if (parsed.absolute) {
    const ns = storeState(storage).ns;
    if (!ns || !id.startsWith(`${ns}/`))
      throw new RefNotFoundError(`ref "${text}" is outside this namespace (${ns ?? 'unbound'})`);
    id = id.slice(ns.length + 1);
  }
  const sql = storage.sql;
  const selector = parsed.selector;
  let version: number | null | undefined;
  switch (selector.kind) {
    case 'current':
      version = currentVersion(storage, id, null);
      break;
    case 'branch':
      version = currentVersion(storage, id, selector.name === 'main' ? null : selector.name);
      break;
    case 'version':
      version = sql
        .exec<{ version: number }>(
          'SELECT version FROM things WHERE version = ? AND id = ?',
          selector.version,
          id,
        )
        .toArray()[0]?.version;
      break;
    case 'relative':
      version = sql
        .exec<{ version: number }>(
          'SELECT version FROM things WHERE id = ? AND branch IS NULL ORDER BY version DESC LIMIT 1 OFFSET ?',
          id,
          selector.back,
        )
        .toArray()[0]?.version;
      break;
    case 'at':
      version = sql
        .exec<{ version: number }>(
          'SELECT version FROM things WHERE id = ? AND branch IS NULL AND createdAt <= ? ORDER BY createdAt DESC, version DESC LIMIT 1',
          id,
          selector.micros,
        )
        .toArray()[0]?.version;
      break;
  }
  if (version === null || version === undefined)
    throw new RefNotFoundError(`ref "${text}" names no version of "${id}"`);
  return toThingVersion(
    sql
      .exec<ThingRow>(
        'SELECT id, version, branch, data, deleted, createdAt FROM things WHERE version = ?',
        version,
      )
      .one(),
  );
}

/** A `things` row as SQLite stores it (data as JSON text, deleted as 0/1). */
export interface ThingRow extends Record<string, string | number | null> {
  id: string;
  version: number;
  branch: string | null;
  data: string | null;
  deleted: number;
  createdAt: number;
}

/** A stored `things` row as the version callers see. */
export function toThingVersion(row: ThingRow): ThingVersion {
  return {
    id: row.id,
    version: row.version,
    branch: row.branch,
    data: row.data === null ? null : JSON.parse(row.data),
    deleted: row.deleted === 1,
    createdAt: row.createdAt,
  };
}
