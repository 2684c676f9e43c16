import { decodeAvroContainer, encodeAvroContainer } from './avro-container.ts';
import type { ColumnStats } from './column-stats.ts';
import type { IcebergSchema } from './iceberg-schema.ts';
import { MANIFEST_ENTRY_SCHEMA, MANIFEST_FILE_SCHEMA } from './manifest-schemas.ts';

/** A data file as a manifest describes it, with its column statistics when they are known. */
export interface DataFile extends Partial<ColumnStats> {
  /** 0 data, 1 position deletes, 2 equality deletes. */
  content: number;
  /** Absolute URI. */
  file_path: string;
  file_format: 'PARQUET' | 'AVRO' | 'ORC';
  /** Exact: readers trust it. */
  record_count: number;
  /** Exact: readers locate the Parquet footer with it. */
  file_size_in_bytes: number;
}

/** Manifest entry status: 0 EXISTING, 1 ADDED, 2 DELETED. */
export type EntryStatus = 0 | 1 | 2;

/** One entry of a manifest. Null sequence numbers (ADDED only) inherit the manifest's. */
export interface ManifestEntry {
  status: EntryStatus;
  snapshot_id: number | null;
  sequence_number: number | null;
  file_sequence_number: number | null;
  data_file: DataFile;
}

/** One entry of a manifest list: a manifest and what it holds. */
export interface ManifestFile {
  manifest_path: string;
  manifest_length: number;
  partition_spec_id: number;
  content: number;
  sequence_number: number;
  min_sequence_number: number;
  added_snapshot_id: number;
  added_files_count: number;
  existing_files_count: number;
  deleted_files_count: number;
  added_rows_count: number;
  existing_rows_count: number;
  deleted_rows_count: number;
}

const NULL_STATS = {
  column_sizes: null,
  nan_value_counts: null,
  key_metadata: null,
  split_offsets: null,
  equality_ids: null,
  sort_order_id: null,
};

const STATS = ['value_counts', 'null_value_counts', 'lower_bounds', 'upper_bounds'] as const;

// Iceberg writes an int-keyed map as an array of key/value records.
const toAvroMap = <V>(map: ReadonlyMap<number, V> | undefined) =>
  map
    ? [...map].map(([key, value]) => ({
        key,
        value: value instanceof Uint8Array ? Buffer.from(value) : value,
      }))
    : null;

function fromAvroMap<V>(entries: unknown, value: (v: unknown) => V): Map<number, V> | undefined {
  if (!Array.isArray(entries)) return undefined;
  return new Map(entries.map((e: { key: number; value: unknown }) => [Number(e.key), value(e.value)]));
}

const asCount = (v: unknown) => Number(v as number | bigint);
const asBytes = (v: unknown) => new Uint8Array(v as Uint8Array);

/** The statistics a decoded manifest entry carries (absent maps stay absent: unknown). */
function decodeStats(dataFile: Record<string, unknown>): Partial<ColumnStats> {
  const stats: Partial<ColumnStats> = {};
  const counts = { value_counts: asCount, null_value_counts: asCount };
  for (const [key, value] of Object.entries(counts)) {
    const map = fromAvroMap(dataFile[key], value);
    if (map) stats[key as 'value_counts'] = map;
  }
  for (const key of ['lower_bounds', 'upper_bounds'] as const) {
    const map = fromAvroMap(dataFile[key], asBytes);
    if (map) stats[key] = map;
  }
  return stats;
}

/**
 * Encodes a v2 data manifest of an unpartitioned table.
 *
 * @example
 * ```ts
 * import { encodeManifest } from './manifest-files.ts';
 * const bytes = encodeManifest(schema, [{ status: 1, snapshot_id: 7, sequence_number: null, file_sequence_number: null, data_file }]);
 * ```
 */
export function encodeManifest(schema: IcebergSchema, entries: readonly ManifestEntry[]): Uint8Array {
  const records = entries.map((entry) => {
    const stats = Object.fromEntries(STATS.map((key) => [key, toAvroMap<unknown>(entry.data_file[key])]));
    return { ...entry, data_file: { ...NULL_STATS, ...entry.data_file, ...stats, partition: {} } };
  });
  return encodeAvroContainer(MANIFEST_ENTRY_SCHEMA, records, {
    schema: JSON.stringify(schema),
    'schema-id': String(schema['schema-id']),
    'partition-spec': '[]',
    'partition-spec-id': '0',
    'format-version': '2',
    content: 'data',
  });
}

/**
 * Encodes a v2 manifest list.
 *
 * @example
 * ```ts
 * import { encodeManifestList } from './manifest-files.ts';
 * const bytes = encodeManifestList([manifestFile], { snapshotId: 7, sequenceNumber: 3 });
 * ```
 */
export function encodeManifestList(
  manifests: readonly ManifestFile[],
  snapshot: { snapshotId: number; parentSnapshotId?: number; sequenceNumber: number },
): Uint8Array {
  return encodeAvroContainer(
    MANIFEST_FILE_SCHEMA,
    manifests.map((m) => ({ ...m, partitions: [], key_metadata: null })),
    {
      'snapshot-id': String(snapshot.snapshotId),
      'parent-snapshot-id':
        snapshot.parentSnapshotId === undefined ? 'null' : String(snapshot.parentSnapshotId),
      'sequence-number': String(snapshot.sequenceNumber),
      'format-version': '2',
    },
  );
}

const num = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value as number | bigint);

/**
 * Decodes a manifest list.
 *
 * @example
 * ```ts
 * import { decodeManifestList } from './manifest-files.ts';
 * decodeManifestList(bytes, listUri).map((m) => m.manifest_path);
 * ```
 */
export function decodeManifestList(bytes: Uint8Array, where: string): ManifestFile[] {
  return decodeAvroContainer<ManifestFile>(bytes, where).records.map((m) => ({
    ...m,
    sequence_number: num(m.sequence_number) ?? 0,
    min_sequence_number: num(m.min_sequence_number) ?? 0,
  }));
}

/**
 * Decodes a manifest's entries, applying v2 sequence-number inheritance from its manifest-list entry:
 * only ADDED entries may leave them null; an EXISTING or DELETED entry without them is an error.
 *
 * @example
 * ```ts
 * import { decodeManifest } from './manifest-files.ts';
 * decodeManifest(bytes, manifestFile).filter((e) => e.status !== 2);
 * ```
 */
export function decodeManifest(bytes: Uint8Array, manifest: ManifestFile): ManifestEntry[] {
  const where = manifest.manifest_path;
  return decodeAvroContainer<ManifestEntry>(bytes, where).records.map((entry, index) => {
    let sequence = num(entry.sequence_number);
    let fileSequence = num(entry.file_sequence_number);
    if (sequence === null || fileSequence === null) {
      if (entry.status !== 1) {
        throw new Error(
          `${where}: entry ${index} (status ${entry.status}) has no sequence number; only ADDED may inherit`,
        );
      }
      sequence ??= manifest.sequence_number;
      fileSequence ??= manifest.sequence_number;
    }
    return {
      status: entry.status,
      snapshot_id: num(entry.snapshot_id) ?? manifest.added_snapshot_id,
      sequence_number: sequence,
      file_sequence_number: fileSequence,
      data_file: {
        content: entry.data_file.content,
        file_path: entry.data_file.file_path,
        file_format: entry.data_file.file_format,
        record_count: Number(entry.data_file.record_count),
        file_size_in_bytes: Number(entry.data_file.file_size_in_bytes),
        ...decodeStats(entry.data_file as unknown as Record<string, unknown>),
      },
    };
  });
}
