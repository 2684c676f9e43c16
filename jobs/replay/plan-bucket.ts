import { CATALOG_PREFIX, type TableMetadata } from '../../lake/iceberg/index.ts';
import { liveFiles } from './live-files.ts';
import { ReplayError } from './replay-error.ts';
import type { ReplayFile, ReplayTable } from './replay-plan.ts';
import { readAll, type ReplayStore, type StoredObject, type StoreGetOptions } from './replay-store.ts';
import { safeRelativeKey } from './safe-path.ts';

const METADATA_FILE = new RegExp(`^${CATALOG_PREFIX}/([^/]+)/([^/]+)/metadata/v([0-9]+)\\.metadata\\.json$`);

function parseMetadata(bytes: Uint8Array, key: string): TableMetadata {
  let metadata: TableMetadata;
  try {
    metadata = JSON.parse(Buffer.from(bytes).toString('utf8')) as TableMetadata;
  } catch (cause) {
    throw new ReplayError('bad_metadata', `not JSON: ${(cause as Error).message}`, key);
  }
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.location !== 'string') {
    throw new ReplayError('bad_metadata', 'table metadata without a "location"', key);
  }
  return metadata;
}

/**
 * The newest metadata version of each catalog table in a listing (`__r2_data_catalog/<ns>/<table>/
 * metadata/v<N>.metadata.json`), as `[namespace, table, key]`.
 */
function catalogTables(objects: readonly StoredObject[]): [string, string, string][] {
  const newest = new Map<string, [string, string, number, string]>();
  for (const { key } of objects) {
    const match = METADATA_FILE.exec(key);
    if (!match) continue;
    const [, ns, table, version] = match;
    const id = `${ns}.${table}`;
    if ((newest.get(id)?.[2] ?? 0) < Number(version)) newest.set(id, [ns!, table!, Number(version), key]);
  }
  return [...newest.values()].map(([ns, table, , key]) => [ns, table, key]);
}

// A Parquet file of an r2-sink table: `<table>/<partition…>/<name>.parquet`, not an internal folder.
const isR2DataFile = (key: string): boolean =>
  key.endsWith('.parquet') &&
  !key.startsWith(`${CATALOG_PREFIX}/`) &&
  !/^[._]/.test(key) &&
  key.includes('/');

/**
 * What a bucket-shaped store holds, as tables: every r2-sink directory (`<table>/…/*.parquet`: its
 * Parquet files are the table) and every catalog table (its current snapshot's live files, followed
 * through the manifests). Every key is checked before anything is planned: a listing that names a key
 * with `..` or an absolute path is refused as a whole.
 *
 * @example
 * ```ts
 * import { createDirStore } from './dir-store.ts';
 * import { planBucket } from './plan-bucket.ts';
 * const tables = await planBucket(createDirStore('.data/r2/lake'));
 * tables.map((t) => `${t.name}: ${t.files.length} files`);
 * ```
 */
export async function planBucket(store: ReplayStore, options: StoreGetOptions = {}): Promise<ReplayTable[]> {
  const objects = await store.list('', options);
  for (const object of objects) safeRelativeKey(object.key, `${store.describe} listing: ${object.key}`);
  const byKey = new Map(objects.map((o) => [o.key, o]));
  const tables: ReplayTable[] = [];
  const r2 = new Map<string, ReplayFile[]>();
  for (const object of objects) {
    if (!isR2DataFile(object.key)) continue;
    const table = object.key.split('/', 1)[0]!;
    const files = r2.get(table) ?? [];
    files.push({
      key: object.key,
      path: object.key,
      size: object.size,
      ...(object.etag ? { etag: object.etag } : {}),
    });
    r2.set(table, files);
  }
  for (const [name, files] of [...r2].sort(([a], [b]) => (a < b ? -1 : 1))) {
    tables.push({ kind: 'r2', name, dir: name, files });
  }
  for (const [ns, table, key] of catalogTables(objects)) {
    const metadata = parseMetadata(await readAll(store, key, options), key);
    const root = `${CATALOG_PREFIX}/${ns}/${table}`;
    const files = await liveFiles(store, { key: root, dir: root, metadata }, options);
    for (const file of files) {
      const listed = byKey.get(file.key);
      if (!listed)
        throw new ReplayError(
          'bad_metadata',
          'the current snapshot names a file the bucket does not hold',
          file.key,
        );
      if (listed.etag) file.etag = listed.etag;
    }
    tables.push({ kind: 'iceberg', name: `${ns}.${table}`, dir: root, files, metadata });
  }
  return tables;
}
