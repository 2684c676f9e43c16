import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  createIcebergTable,
  currentSchema,
  type IcebergSchema,
  type TableMetadata,
} from '../../lake/iceberg/index.ts';

/** A replayed data file of a catalog table, on local disk. */
export interface LocalDataFile {
  path: string;
  records: number;
  size: number;
}

/**
 * Writes a replayed catalog table's metadata in `tableDir`: a fresh Iceberg v2 table over the copied
 * live files (one `append` snapshot), with the source's schemas in order (so files written before a
 * column was added still read) and properties. The local metadata replaces whatever an earlier replay
 * wrote; only the copied files are referenced, by their local `file://` URIs.
 *
 * @example
 * ```ts
 * import { writeLocalTable } from './write-local-table.ts';
 * writeLocalTable('/tmp/lake/__r2_data_catalog/analytics/events', metadata, [{ path, records: 100, size: 4096 }]);
 * ```
 */
export function writeLocalTable(
  tableDir: string,
  source: TableMetadata,
  files: readonly LocalDataFile[],
): void {
  rmSync(join(tableDir, 'metadata'), { recursive: true, force: true });
  const current = currentSchema(source);
  const schemas = source.schemas.filter((s) => s['schema-id'] <= current['schema-id']);
  let opened = false;
  for (const schema of schemas.length > 0 ? schemas : [current]) {
    try {
      createIcebergTable({ dir: tableDir, schema: schema as IcebergSchema, properties: source.properties });
      opened = true;
    } catch (cause) {
      // A schema change that is not an appended column cannot be replayed as a chain: start over with
      // the current schema alone.
      if (!opened) throw cause;
      rmSync(join(tableDir, 'metadata'), { recursive: true, force: true });
      createIcebergTable({ dir: tableDir, schema: current, properties: source.properties });
      break;
    }
  }
  const table = createIcebergTable({ dir: tableDir });
  if (files.length > 0) {
    table.append(files.map((f) => ({ path: f.path, recordCount: f.records, sizeInBytes: f.size })));
  }
}
