import type { IcebergSchema } from './iceberg-schema.ts';

/** What a snapshot did: `append` adds files, `replace` rewrites files without changing the data. */
export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete';

/** A snapshot as table metadata v2 records it. */
export interface Snapshot {
  'snapshot-id': number;
  'parent-snapshot-id'?: number;
  'sequence-number': number;
  'timestamp-ms': number;
  'manifest-list': string;
  summary: { operation: SnapshotOperation } & Record<string, string>;
  'schema-id': number;
}

/** Iceberg table metadata, format version 2 (the fields this project writes and reads). */
export interface TableMetadata {
  'format-version': 2;
  'table-uuid': string;
  location: string;
  'last-sequence-number': number;
  'last-updated-ms': number;
  'last-column-id': number;
  'current-schema-id': number;
  schemas: IcebergSchema[];
  'default-spec-id': number;
  'partition-specs': { 'spec-id': number; fields: unknown[] }[];
  'last-partition-id': number;
  'default-sort-order-id': number;
  'sort-orders': { 'order-id': number; fields: unknown[] }[];
  properties: Record<string, string>;
  'current-snapshot-id': number;
  refs: Record<string, { 'snapshot-id': number; type: 'branch' | 'tag' }>;
  snapshots: Snapshot[];
  'snapshot-log': { 'timestamp-ms': number; 'snapshot-id': number }[];
  'metadata-log': { 'timestamp-ms': number; 'metadata-file': string }[];
}

/** Construction options of {@link newTableMetadata}. */
export interface NewTableOptions {
  /** Absolute URI of the table directory, e.g. `file:///data/r2/lake/__r2_data_catalog/analytics/events`. */
  location: string;
  schema: IcebergSchema;
  properties?: Record<string, string>;
  uuid?: string;
  now?: number;
}

/**
 * The first metadata of an empty, unpartitioned v2 table (no snapshot yet).
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { toIcebergSchema } from './iceberg-schema.ts';
 * import { newTableMetadata } from './table-metadata.ts';
 * newTableMetadata({ location: 'file:///tmp/t', schema: toIcebergSchema(eventRow) });
 * ```
 */
export function newTableMetadata(options: NewTableOptions): TableMetadata {
  const now = options.now ?? Date.now();
  return {
    'format-version': 2,
    'table-uuid': options.uuid ?? crypto.randomUUID(),
    location: options.location.replace(/\/+$/, ''),
    'last-sequence-number': 0,
    'last-updated-ms': now,
    'last-column-id': Math.max(0, ...options.schema.fields.map((f) => f.id)),
    'current-schema-id': options.schema['schema-id'],
    schemas: [options.schema],
    'default-spec-id': 0,
    'partition-specs': [{ 'spec-id': 0, fields: [] }],
    'last-partition-id': 999,
    'default-sort-order-id': 0,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    properties: {
      'write.format.default': 'parquet',
      'write.parquet.compression-codec': 'zstd',
      ...options.properties,
    },
    'current-snapshot-id': -1,
    refs: {},
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
  };
}

/**
 * The current snapshot, or null for a table nothing was committed to yet.
 *
 * @example
 * ```ts
 * import { currentSnapshot } from './table-metadata.ts';
 * currentSnapshot(metadata)?.summary.operation; // 'append'
 * ```
 */
export function currentSnapshot(metadata: TableMetadata): Snapshot | null {
  const id = metadata['current-snapshot-id'];
  if (id === undefined || id === null || id < 0) return null;
  const snapshot = metadata.snapshots.find((s) => s['snapshot-id'] === id);
  if (!snapshot) throw new Error(`table ${metadata.location}: current snapshot ${id} is not in "snapshots"`);
  return snapshot;
}

/**
 * The current schema of a table.
 *
 * @example
 * ```ts
 * import { currentSchema } from './table-metadata.ts';
 * currentSchema(metadata).fields.map((f) => f.name);
 * ```
 */
export function currentSchema(metadata: TableMetadata): IcebergSchema {
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  if (!schema)
    throw new Error(`table ${metadata.location}: current schema ${metadata['current-schema-id']} missing`);
  return schema;
}

/**
 * The next metadata: `snapshot` becomes current on `main`, and the previous metadata file is logged.
 *
 * @example
 * ```ts
 * import { withSnapshot } from './table-metadata.ts';
 * const next = withSnapshot(metadata, snapshot, 'file:///t/metadata/v1.metadata.json');
 * ```
 */
export function withSnapshot(
  metadata: TableMetadata,
  snapshot: Snapshot,
  previousMetadataFile?: string,
): TableMetadata {
  const at = snapshot['timestamp-ms'];
  return {
    ...metadata,
    'last-sequence-number': snapshot['sequence-number'],
    'last-updated-ms': at,
    'current-snapshot-id': snapshot['snapshot-id'],
    refs: { ...metadata.refs, main: { 'snapshot-id': snapshot['snapshot-id'], type: 'branch' } },
    snapshots: [...metadata.snapshots, snapshot],
    'snapshot-log': [
      ...metadata['snapshot-log'],
      { 'timestamp-ms': at, 'snapshot-id': snapshot['snapshot-id'] },
    ],
    'metadata-log': previousMetadataFile
      ? logMetadataFile(metadata, previousMetadataFile)
      : metadata['metadata-log'],
  };
}

/** How many previous metadata files the log keeps (Iceberg's `write.metadata.previous-versions-max`). */
export const METADATA_LOG_MAX = 100;

/**
 * The metadata log with `previousMetadataFile` appended, keeping the newest {@link METADATA_LOG_MAX}.
 *
 * @example
 * ```ts
 * import { logMetadataFile } from './table-metadata.ts';
 * logMetadataFile(metadata, 'file:///t/metadata/v7.metadata.json').at(-1)?.['metadata-file'];
 * ```
 */
export function logMetadataFile(
  metadata: TableMetadata,
  previousMetadataFile: string,
): TableMetadata['metadata-log'] {
  return [
    ...metadata['metadata-log'],
    { 'timestamp-ms': metadata['last-updated-ms'], 'metadata-file': previousMetadataFile },
  ].slice(-METADATA_LOG_MAX);
}

/**
 * A new snapshot id: a random positive integer that stays exact in JSON and in Avro longs read as
 * JS numbers (below 2^53), and differs from every id already in the table.
 *
 * @example
 * ```ts
 * import { newSnapshotId } from './table-metadata.ts';
 * newSnapshotId(metadata); // e.g. 4217638945512871
 * ```
 */
export function newSnapshotId(metadata: TableMetadata): number {
  const taken = new Set(metadata.snapshots.map((s) => s['snapshot-id']));
  for (;;) {
    const [high, low] = crypto.getRandomValues(new Uint32Array(2));
    const id = (high! & 0x1fffff) * 2 ** 32 + low!;
    if (id > 0 && !taken.has(id)) return id;
  }
}
