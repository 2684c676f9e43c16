import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDbEngine } from '../../query/duckdb/index.ts';
import { CATALOG_PREFIX } from '../../lake/iceberg/index.ts';

/** Lists the live data files of `namespace.table` in a bucket directory. */
export type TableFilesResolver = (bucketDir: string, namespace: string, table: string) => Promise<string[]>;

/**
 * Every `*.parquet` under `<bucketDir>/<table>/`, as the Pipelines r2 sink lays a table out.
 *
 * @example
 * ```ts
 * import { listParquetFiles } from './table-files.ts';
 * const files = await listParquetFiles('.data/r2/lake', 'analytics', 'events');
 * ```
 */
export const listParquetFiles: TableFilesResolver = async (bucketDir, _namespace, table) => {
  const dir = join(bucketDir, table);
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries
    .filter((entry) => entry.endsWith('.parquet'))
    .sort()
    .map((entry) => join(dir, entry));
};

/**
 * The files a query of `namespace.table` reads: for a table of the bucket's local R2 Data Catalog, the
 * live files of its current snapshot as the engine resolved them (files a compaction replaced stay on
 * disk but are not read, so they are not counted); for an r2-sink directory, its Parquet files.
 *
 * @example
 * ```ts
 * import { createTableFilesResolver } from './table-files.ts';
 * const resolve = createTableFilesResolver(engine);
 * await resolve('.data/r2/lake', 'analytics', 'events');
 * ```
 */
export function createTableFilesResolver(engine: Pick<DuckDbEngine, 'tableFiles'>): TableFilesResolver {
  return async (bucketDir, namespace, table) => {
    if (existsSync(join(bucketDir, CATALOG_PREFIX, namespace, table))) {
      try {
        return await engine.tableFiles(`${namespace}.${table}`);
      } catch {
        return [];
      }
    }
    return listParquetFiles(bucketDir, namespace, table);
  };
}
