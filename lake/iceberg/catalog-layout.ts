import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The folder of a bucket that holds its local R2 Data Catalog: one folder per namespace, then table.
 *
 * @example
 * ```ts
 * import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
 * import { CATALOG_PREFIX } from './catalog-layout.ts';
 * join('.data/r2/lake', CATALOG_PREFIX); // where `listCatalogTables` looks
 * ```
 */
export const CATALOG_PREFIX = '__r2_data_catalog';

/**
 * The directory of an Iceberg table of a bucket's local R2 Data Catalog:
 * `<bucketDir>/__r2_data_catalog/<namespace>/<table>`.
 *
 * @example
 * ```ts
 * import { catalogTableDir } from './catalog-layout.ts';
 * catalogTableDir('.data/r2/lake', 'analytics', 'events'); // '.data/r2/lake/__r2_data_catalog/analytics/events'
 * ```
 */
export const catalogTableDir = (bucketDir: string, namespace: string, table: string): string =>
  join(bucketDir, CATALOG_PREFIX, namespace, table);

/**
 * The absolute `file://` URI a local path has in table metadata and manifests (as the spec requires).
 *
 * @example
 * ```ts
 * import { fileUri } from './catalog-layout.ts';
 * fileUri('/data/r2/lake/t/data/a b.parquet'); // 'file:///data/r2/lake/t/data/a%20b.parquet'
 * ```
 */
export const fileUri = (path: string): string => pathToFileURL(resolve(path)).href;
