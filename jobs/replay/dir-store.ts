import { createReadStream, existsSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ReplayError } from './replay-error.ts';
import type { ReplayStore, StoredObject } from './replay-store.ts';
import { safeRelativeKey } from './safe-path.ts';

/**
 * A store over a local directory laid out as a bucket (`<dir>/<table>/…`, `<dir>/__r2_data_catalog/…`).
 * Node only. Symbolic links are not followed out of it: only regular files are listed.
 *
 * @example
 * ```ts
 * import { createDirStore } from './dir-store.ts';
 * const store = createDirStore('.data/r2/lake');
 * (await store.list('')).map((o) => o.key);
 * ```
 */
export function createDirStore(dir: string): ReplayStore {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ReplayError('invalid_source', `"${dir}" is not a directory`, dir);
  }
  return {
    describe: dir,
    async list(prefix) {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      const objects: StoredObject[] = [];
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const key = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
        if (!key.startsWith(prefix)) continue;
        objects.push({ key, size: (await stat(join(dir, key))).size });
      }
      return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async get(key) {
      const path = join(dir, safeRelativeKey(key));
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) throw new ReplayError('not_found', 'no such file', path);
      return { size: info.size, body: createReadStream(path) };
    },
  };
}
