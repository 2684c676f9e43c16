import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { columnStats } from './column-stats.ts';
import { createIcebergTable } from './iceberg-table.ts';
import { alignToSchema, decodeDataFile, encodeDataFile } from './parquet-data-file.ts';
import type { Snapshot } from './table-metadata.ts';

/** Per-call options of {@link compactIcebergTable}. */
export interface CompactOptions {
  /** Leave the table alone unless it has at least this many live files (default 2). */
  minFiles?: number;
}

/** What a compaction did. */
export interface CompactResult {
  /** The `replace` snapshot, or null when there was nothing to compact. */
  snapshot: Snapshot | null;
  /** URIs of the files the snapshot marked DELETED (they stay on disk). */
  removed: string[];
  /** Local path of the file that replaced them. */
  added: string | null;
  rows: number;
}

/**
 * Rewrites the current snapshot's live data files into one file and commits it as a new snapshot
 * (operation `replace`): the compacted file is ADDED, the old ones DELETED. The old files stay on disk,
 * as R2 Data Catalog leaves them (it has no orphan-file cleanup), so only readers that follow the
 * manifests see the table correctly.
 *
 * @example
 * ```ts
 * import { compactIcebergTable } from './compact-iceberg-table.ts';
 * const { removed, added } = compactIcebergTable('.data/r2/lake/__r2_data_catalog/analytics/events');
 * ```
 */
export function compactIcebergTable(tableDir: string, options: CompactOptions = {}): CompactResult {
  const table = createIcebergTable({ dir: tableDir });
  const live = table.liveFiles();
  if (live.length < Math.max(1, options.minFiles ?? 2)) {
    return { snapshot: null, removed: [], added: null, rows: 0 };
  }
  const schema = table.schema();
  const parts = live.map((file) => {
    const decoded = decodeDataFile(readFileSync(file.localPath));
    if (decoded.numRows !== file.record_count) {
      throw new Error(
        `${file.file_path}: holds ${decoded.numRows} rows but its manifest says ${file.record_count}`,
      );
    }
    return alignToSchema(decoded, schema);
  });
  const merged = parts.slice(1).reduce((all, part) => all.concat(part), parts[0]!);
  const bytes = encodeDataFile(schema, merged);
  const path = join(table.dir, 'data', `${crypto.randomUUID()}.parquet`);
  mkdirSync(join(table.dir, 'data'), { recursive: true });
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
  const snapshot = table.replace(live, [
    { path, recordCount: merged.numRows, sizeInBytes: bytes.byteLength, stats: columnStats(schema, merged) },
  ]);
  return { snapshot, removed: live.map((f) => f.file_path), added: path, rows: merged.numRows };
}
