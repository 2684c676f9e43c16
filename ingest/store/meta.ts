import { META_TABLE } from '../../schemas/index.ts';
import type { StorageLike } from '../storage-like.ts';

/** Reads one value of the meta table. */
export const readMeta = (storage: StorageLike, key: string): string | undefined =>
  storage.sql.exec<{ value: string }>(`SELECT value FROM ${META_TABLE} WHERE key = ?`, key).toArray()[0]
    ?.value;

/** Writes one value of the meta table. */
export const writeMeta = (storage: StorageLike, key: string, value: string): void => {
  storage.sql.exec(
    `INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    key,
    value,
  );
};
