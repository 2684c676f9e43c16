import { LOCAL_MIGRATIONS, LOCAL_SCHEMA_VERSION, META_TABLE } from '../../schemas/index.ts';
import type { StorageLike } from '../storage-like.ts';
import { readMeta, writeMeta } from './meta.ts';

/** What the meta table says about this storage. */
export interface StoreMeta {
  schemaVersion: number;
  /** Created with the storage; part of every global event id so a re-created DO never collides. */
  incarnation: string;
}

const migrated = new WeakMap<StorageLike, StoreMeta>();

/**
 * Brings the local schema up to date. Idempotent and cheap to call on every wake: a schema-version row
 * gates each migration, and all pending migrations apply in one transaction.
 *
 * @example
 * ```ts
 * import { migrate } from './migrate.ts';
 * const { incarnation } = migrate(ctx.storage); // in the DO constructor
 * ```
 */
export function migrate(storage: StorageLike): StoreMeta {
  const known = migrated.get(storage);
  if (known) return known;
  storage.sql.exec(`CREATE TABLE IF NOT EXISTS ${META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const meta = storage.transactionSync((): StoreMeta => {
    const current = Number(readMeta(storage, 'schema_version') ?? 0);
    if (current > LOCAL_SCHEMA_VERSION) {
      throw new Error(
        `local schema is at version ${current}, newer than this code's ${LOCAL_SCHEMA_VERSION}: deploy the newer code`,
      );
    }
    for (const migration of LOCAL_MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements) storage.sql.exec(statement);
      writeMeta(storage, 'schema_version', String(migration.version));
    }
    let incarnation = readMeta(storage, 'incarnation');
    if (!incarnation) {
      incarnation = crypto.randomUUID();
      writeMeta(storage, 'incarnation', incarnation);
    }
    return { schemaVersion: LOCAL_SCHEMA_VERSION, incarnation };
  });
  migrated.set(storage, meta);
  return meta;
}

/** Replaces the incarnation of a fresh storage with one carried over by a move. */
export function adoptIncarnation(storage: StorageLike, incarnation: string): void {
  writeMeta(storage, 'incarnation', incarnation);
  migrated.set(storage, { schemaVersion: LOCAL_SCHEMA_VERSION, incarnation });
}
