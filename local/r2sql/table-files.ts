import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Lists the live data files of `table` in a bucket directory. */
export type TableFilesResolver = (bucketDir: string, table: string) => Promise<string[]>;

/**
 * The data files of a table laid out as the Pipelines r2 sink writes it: every `*.parquet` under
 * `<bucketDir>/<table>/` (Iceberg `metadata/` excluded). A table kept as Iceberg should pass a resolver
 * that follows the current snapshot instead, since compaction leaves replaced files on disk.
 *
 * @example
 * ```ts
 * import { listParquetFiles } from './table-files.ts';
 * const files = await listParquetFiles('.data/r2/lake', 'events');
 * ```
 */
export const listParquetFiles: TableFilesResolver = async (bucketDir, table) => {
  const dir = join(bucketDir, table);
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries
    .filter((entry) => entry.endsWith('.parquet') && !entry.split(/[\\/]/).includes('metadata'))
    .sort()
    .map((entry) => join(dir, entry));
};
