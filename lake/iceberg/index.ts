/**
 * Apache Iceberg v2 tables on local disk: metadata JSON, Avro manifest lists and manifests, Parquet data
 * files carrying field ids, optimistic atomic commits, a reader that follows the current snapshot's
 * manifests, and compaction. Node only (it uses the file system); the pure parts (schemas, Avro,
 * metadata) are separate modules.
 *
 * @module
 */
export { type AvroContainer, decodeAvroContainer, encodeAvroContainer } from './avro-container.ts';
export { type ColumnStats, columnStats, decodeLongBound } from './column-stats.ts';
export { footerColumnStats, parquetFooter } from './parquet-footer-stats.ts';
export { CATALOG_PREFIX, catalogTableDir, fileUri } from './catalog-layout.ts';
export { type CompactOptions, type CompactResult, compactIcebergTable } from './compact-iceberg-table.ts';
export {
  type IcebergField,
  type IcebergPrimitive,
  type IcebergSchema,
  icebergTypeOf,
  toIcebergSchema,
} from './iceberg-schema.ts';
export { createIcebergTable } from './iceberg-table.ts';
export type { IcebergTable, IcebergTableConfig, LiveDataFile, NewDataFile } from './iceberg-table-config.ts';
export {
  type DataFile,
  decodeManifest,
  decodeManifestList,
  encodeManifest,
  encodeManifestList,
  type EntryStatus,
  type ManifestEntry,
  type ManifestFile,
} from './manifest-files.ts';
export {
  commitMetadata,
  type MetadataVersion,
  metadataPath,
  peekMetadataVersion,
  readCurrentMetadata,
} from './metadata-store.ts';
export { alignToSchema, decodeDataFile, encodeDataFile } from './parquet-data-file.ts';
export { addedColumns, withSchema } from './schema-evolution.ts';
export {
  currentSchema,
  currentSnapshot,
  logMetadataFile,
  METADATA_LOG_MAX,
  newSnapshotId,
  newTableMetadata,
  type Snapshot,
  type SnapshotOperation,
  type TableMetadata,
  withSnapshot,
} from './table-metadata.ts';
