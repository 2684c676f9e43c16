import { existsSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  catalogTableDir,
  createIcebergTable,
  encodeDataFile,
  fileUri,
  toIcebergSchema,
} from '../../../lake/iceberg/index.ts';
import { rowsToArrow } from '../../../lake/parquet/rows-to-arrow.ts';
import type { RolledFile, StreamSink } from './stream-sink.ts';
import { writeDurably } from './write-durably.ts';

/** Construction options of {@link createCatalogSink}. */
export interface CatalogSinkConfig {
  stream: string;
  bucketDir: string;
  namespace: string;
  /** The Iceberg table's name. */
  table: string;
  /** The schema of the rows, from which the Iceberg schema (and its field ids) derives. */
  schema: z.ZodObject;
}

/**
 * The Pipelines `r2-data-catalog` sink: an Apache Iceberg v2 table. Each roll writes
 * `data/<fileId>.parquet` (zstd, with field ids) and appends one snapshot. A file counts as committed
 * once a snapshot references it, so recovery looks in the table's manifests, not in `data/`.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../../schemas/index.ts';
 * import { createCatalogSink } from './catalog-sink.ts';
 * const sink = createCatalogSink({ stream: 'events', bucketDir: '.data/r2/lake', namespace: 'analytics', table: 'events', schema: eventRow });
 * sink.write(rows, crypto.randomUUID()).snapshotId;
 * ```
 */
export function createCatalogSink(config: CatalogSinkConfig): StreamSink {
  const table = createIcebergTable({
    dir: catalogTableDir(config.bucketDir, config.namespace, config.table),
    schema: toIcebergSchema(config.schema),
  });
  // The table's current schema: the stream's, with the schema id the table gave it.
  const schema = table.schema();
  const dataDir = join(table.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  for (const name of readdirSync(dataDir)) {
    if (name.endsWith('.parquet.tmp')) unlinkSync(join(dataDir, name));
  }

  return {
    kind: 'r2-data-catalog',
    write(rows, fileId): RolledFile {
      const path = join(dataDir, `${fileId}.parquet`);
      const bytes = encodeDataFile(schema, rowsToArrow(config.schema, rows));
      writeDurably(path, bytes);
      const snapshot = table.append([{ path, recordCount: rows.length, sizeInBytes: bytes.byteLength }]);
      return {
        stream: config.stream,
        path,
        rows: rows.length,
        bytes: bytes.byteLength,
        sink: 'r2-data-catalog',
        snapshotId: snapshot['snapshot-id'],
      };
    },
    committed(fileIds) {
      // The file is renamed into place before its snapshot is committed, and data files are never
      // deleted: no file means no commit, and only the others need a look in the manifests.
      const candidates = new Map(
        fileIds
          .map((id) => [fileUri(join(dataDir, `${id}.parquet`)), id] as const)
          .filter(([uri]) => existsSync(fileURLToPath(uri))),
      );
      const found = table.committed([...candidates.keys()]);
      return new Set([...found].map((uri) => candidates.get(uri)!));
    },
  };
}
