import { LOCAL_MIGRATIONS, LOCAL_SCHEMA_VERSION, META_TABLE } from '../../schemas/index.ts';
import type { StorageLike } from '../storage-like.ts';

/** What the meta table says about this storage. */
export interface StoreMeta {
  schemaVersion: number;
  /** Created with the storage; part of every global event id so a re-created DO never collides. */
  incarnation: string;
}

const migrated = new WeakMap<StorageLike, StoreMeta>();

const readMeta = (storage: StorageLike, key: string): string | undefined =>
  storage.sql.exec<{ value: string }>(`SELECT value FROM ${META_TABLE} WHERE key = ?`, key).toArray()[0]
    ?.value;

const writeMeta = (storage: StorageLike, key: string, value: string): void => {
  storage.sql.exec(
    `INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    key,
    value,
  );
};

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
export function bindNamespace(storage: StorageLike, ns: string): string {
  migrate(storage);
  const bound = readMeta(storage, 'ns');
  if (bound === undefined) {
    writeMeta(storage, 'ns', ns);
    return ns;
  }
  if (bound !== ns) throw new Error(`this storage belongs to namespace ${bound}, not ${ns}`);
  return bound;
}
