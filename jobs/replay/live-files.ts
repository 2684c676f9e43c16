import {
  currentSnapshot,
  decodeManifest,
  decodeManifestList,
  type TableMetadata,
} from '../../lake/iceberg/index.ts';
import { ReplayError } from './replay-error.ts';
import type { ReplayFile } from './replay-plan.ts';
import { readAll, type ReplayStore, type StoreGetOptions } from './replay-store.ts';
import { safeRelativeKey } from './safe-path.ts';

/** Where a catalog table is: its key in the store and its directory under the target. */
export interface CatalogTableRef {
  /** The table's root key in the store, e.g. `__r2_data_catalog/analytics/events`. */
  key: string;
  /** The table's directory under the target. */
  dir: string;
  metadata: TableMetadata;
}

function decodePath(path: string, where: string): string {
  try {
    return path.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new ReplayError('bad_metadata', 'a path in the table metadata has broken percent-encoding', where);
  }
}

/**
 * The path of `uri` relative to the table's location, checked: a metadata or manifest that names a
 * file outside its table (another table, `..`, another bucket) is refused, so a replay reads and writes
 * nothing it should not.
 *
 * @example
 * ```ts
 * import { relativeToTable } from './live-files.ts';
 * relativeToTable('s3://lake/__r2_data_catalog/a/e/data/x.parquet', 's3://lake/__r2_data_catalog/a/e'); // 'data/x.parquet'
 * ```
 */
export function relativeToTable(uri: string, location: string): string {
  const root = location.replace(/\/+$/, '');
  if (!uri.startsWith(`${root}/`)) {
    throw new ReplayError(
      'unsafe_key',
      `the metadata names a file outside the table's location ${root}`,
      uri,
    );
  }
  const rest = uri.slice(root.length + 1);
  const path = root.startsWith('file:') ? decodePath(rest, uri) : rest;
  return safeRelativeKey(path, uri);
}

/**
 * The live data files of a catalog table's current snapshot, found by following metadata → manifest
 * list → manifests (never by listing `data/`, which keeps files a compaction replaced). Each file
 * carries its exact size and record count from the manifest.
 *
 * @example
 * ```ts
 * import { liveFiles } from './live-files.ts';
 * const files = await liveFiles(store, { key: '__r2_data_catalog/analytics/events', dir: '__r2_data_catalog/analytics/events', metadata });
 * ```
 */
export async function liveFiles(
  store: ReplayStore,
  table: CatalogTableRef,
  options: StoreGetOptions = {},
): Promise<ReplayFile[]> {
  const { metadata } = table;
  let snapshot: ReturnType<typeof currentSnapshot>;
  try {
    snapshot = currentSnapshot(metadata);
  } catch (cause) {
    throw new ReplayError('bad_metadata', (cause as Error).message, table.key);
  }
  if (!snapshot) return [];
  const keyOf = (uri: string) => `${table.key}/${relativeToTable(uri, metadata.location)}`;
  const listUri = snapshot['manifest-list'];
  const listBytes = await readAll(store, keyOf(listUri), options);
  const manifests = decoded(listUri, () => decodeManifestList(listBytes, listUri));
  const files: ReplayFile[] = [];
  for (const manifest of manifests) {
    if (manifest.content !== 0) {
      throw new ReplayError(
        'bad_metadata',
        'the table has delete files; replay copies data files only',
        manifest.manifest_path,
      );
    }
    const bytes = await readAll(store, keyOf(manifest.manifest_path), options);
    const entries = decoded(manifest.manifest_path, () => decodeManifest(bytes, manifest));
    for (const entry of entries) {
      if (entry.status === 2) continue;
      if (entry.data_file.content !== 0) {
        throw new ReplayError(
          'bad_metadata',
          'the table has delete files; replay copies data files only',
          entry.data_file.file_path,
        );
      }
      const rel = relativeToTable(entry.data_file.file_path, metadata.location);
      files.push({
        key: `${table.key}/${rel}`,
        path: `${table.dir}/${rel}`,
        size: entry.data_file.file_size_in_bytes,
        records: entry.data_file.record_count,
      });
    }
  }
  return files;
}

// Decodes Avro read from the store, turning a decoding failure into a ReplayError naming the file.
function decoded<T>(where: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    throw new ReplayError('bad_metadata', `cannot decode: ${(cause as Error).message}`, where);
  }
}
