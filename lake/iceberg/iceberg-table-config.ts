import type { ColumnStats } from './column-stats.ts';
import type { IcebergSchema } from './iceberg-schema.ts';
import type { DataFile } from './manifest-files.ts';
import type { MetadataVersion } from './metadata-store.ts';
import type { Snapshot } from './table-metadata.ts';

/** Construction options of `createIcebergTable`. */
export interface IcebergTableConfig {
  /** The table directory on local disk (holds `metadata/` and `data/`). */
  dir: string;
  /**
   * Needed only to create the table. When the table exists it must match, or append optional columns,
   * which commits it as the new current schema.
   */
  schema?: IcebergSchema;
  properties?: Record<string, string>;
}

/** A data file to commit: written in full, at a local path inside or outside the table directory. */
export interface NewDataFile {
  path: string;
  recordCount: number;
  /** Taken from the file system when omitted. */
  sizeInBytes?: number;
  /** Column statistics for the manifest; read from the file (by the table's schema) when omitted. */
  stats?: ColumnStats;
}

/** A data file live in the current snapshot. */
export interface LiveDataFile extends DataFile {
  localPath: string;
  snapshotId: number;
  sequenceNumber: number;
  fileSequenceNumber: number;
}

/** An Iceberg v2 table on local disk. Every read follows metadata → manifest list → manifests. */
export interface IcebergTable {
  readonly dir: string;
  /** The table's location as an absolute `file://` URI. */
  readonly location: string;
  current(): MetadataVersion;
  schema(): IcebergSchema;
  /** Data files of the current snapshot (never found by listing `data/`). */
  liveFiles(): LiveDataFile[];
  /** URIs of every data file any snapshot still in the metadata references, live or deleted. */
  committedPaths(): Set<string>;
  /**
   * Which of these data file URIs some snapshot still in the metadata references, live or deleted.
   * Searches newest first and stops once all are found, so a file committed just before a crash is
   * found in the current snapshot without reading the whole history.
   */
  committed(uris: readonly string[]): Set<string>;
  /** Appends files as one new snapshot (operation `append`). */
  append(files: readonly NewDataFile[]): Snapshot;
  /** Replaces live files by new ones holding the same rows, as one snapshot (operation `replace`). */
  replace(removed: readonly LiveDataFile[], added: readonly NewDataFile[]): Snapshot;
}
