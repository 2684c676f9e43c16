import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileUri } from './catalog-layout.ts';
import type { ColumnStats } from './column-stats.ts';
import type { IcebergSchema } from './iceberg-schema.ts';
import type { IcebergTable, IcebergTableConfig, LiveDataFile, NewDataFile } from './iceberg-table-config.ts';
import {
  type DataFile,
  decodeManifest,
  decodeManifestList,
  encodeManifest,
  encodeManifestList,
  type ManifestEntry,
  type ManifestFile,
} from './manifest-files.ts';
import { footerColumnStats, parquetFooter } from './parquet-footer-stats.ts';
import { commitMetadata, type MetadataVersion, readCurrentMetadata } from './metadata-store.ts';
import { addedColumns, withSchema } from './schema-evolution.ts';
import {
  currentSchema,
  currentSnapshot,
  newSnapshotId,
  newTableMetadata,
  type Snapshot,
  type SnapshotOperation,
  withSnapshot,
} from './table-metadata.ts';

const MAX_ATTEMPTS = 20;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
const toUri = fileUri;

/**
 * The column statistics of a Parquet data file on disk, from its footer (value and null counts;
 * bounds of the fixed-width columns, timestamps included); none (unknown, as the spec allows) when the
 * file cannot be read as Parquet. A writer that has the rows may pass full statistics instead.
 */
function statsOfFile(path: string, schema: IcebergSchema): Partial<ColumnStats> {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 8));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const length = tail.length === 8 ? tail.readUInt32LE(0) + 8 : 0;
    if (length <= 8 || length > size) return {};
    const bytes = Buffer.alloc(length);
    readSync(fd, bytes, 0, length, size - length);
    const footer = parquetFooter(bytes);
    return footer ? footerColumnStats(schema, footer) : {};
  } catch {
    return {};
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function toLocalPath(uri: string, where: string): string {
  if (!uri.startsWith('file:'))
    throw new Error(`${where}: "${uri}" is not a file:// URI; only local tables are supported`);
  return fileURLToPath(uri);
}

/**
 * Opens the Iceberg table in `dir`, creating it (format v2, unpartitioned) when `schema` is given and
 * nothing is committed there yet. Commits are optimistic: a writer that loses the race for the next
 * metadata version re-reads and retries.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { createIcebergTable, toIcebergSchema } from './index.ts';
 * const table = createIcebergTable({ dir: '/tmp/events', schema: toIcebergSchema(eventRow) });
 * table.append([{ path: '/tmp/events/data/a.parquet', recordCount: 10 }]);
 * table.liveFiles().length; // 1
 * ```
 */
export function createIcebergTable(config: IcebergTableConfig): IcebergTable {
  const dir = resolve(config.dir);
  const location = toUri(dir);
  const manifests = new Map<string, ManifestEntry[]>();

  let existing = readCurrentMetadata(dir);
  if (!existing) {
    if (!config.schema) throw new Error(`${dir}: no Iceberg table here (no metadata/v1.metadata.json)`);
    const initial = newTableMetadata({ location, schema: config.schema, properties: config.properties });
    commitMetadata(dir, 1, initial);
    existing = readCurrentMetadata(dir)!;
  }
  // A schema that appends optional columns is committed as a new current schema (racing writers
  // re-check on the newer base); any other difference is an error.
  while (config.schema) {
    const base: MetadataVersion = existing;
    if (addedColumns(dir, currentSchema(base.metadata), config.schema).length === 0) break;
    const next = withSchema(base.metadata, config.schema, toUri(base.path));
    if (commitMetadata(dir, base.version + 1, next)) break;
    existing = readCurrentMetadata(dir)!;
  }

  // The schema last read, for the statistics of files to append: field ids never change, so a column
  // another writer added since only lacks statistics (unknown), and no extra metadata read is needed.
  let lastSchema = currentSchema(existing.metadata);
  const current = (): MetadataVersion => {
    const found = readCurrentMetadata(dir);
    if (!found) throw new Error(`${dir}: the table's metadata disappeared`);
    lastSchema = currentSchema(found.metadata);
    return found;
  };

  function manifestList(snapshot: Snapshot): ManifestFile[] {
    const path = toLocalPath(snapshot['manifest-list'], `snapshot ${snapshot['snapshot-id']}`);
    return decodeManifestList(readFileSync(path), snapshot['manifest-list']);
  }

  function entries(manifest: ManifestFile): ManifestEntry[] {
    let cached = manifests.get(manifest.manifest_path);
    if (!cached) {
      const bytes = readFileSync(toLocalPath(manifest.manifest_path, 'manifest list'));
      cached = decodeManifest(bytes, manifest);
      manifests.set(manifest.manifest_path, cached);
    }
    return cached;
  }

  function live(snapshot: Snapshot | null): LiveDataFile[] {
    if (!snapshot) return [];
    return manifestList(snapshot)
      .filter((m) => m.content === 0)
      .flatMap(entries)
      .filter((e) => e.status !== 2 && e.data_file.content === 0)
      .map((e) => ({
        ...e.data_file,
        localPath: toLocalPath(e.data_file.file_path, 'manifest entry'),
        snapshotId: e.snapshot_id!,
        sequenceNumber: e.sequence_number!,
        fileSequenceNumber: e.file_sequence_number!,
      }));
  }

  // Data file URIs the manifests of `snapshots` reference (each manifest read once), in the order
  // given, until `enough` says the paths collected so far suffice.
  function referenced(snapshots: Snapshot[], enough: (paths: Set<string>) => boolean): Set<string> {
    const paths = new Set<string>();
    const seen = new Set<string>();
    for (const snapshot of snapshots) {
      for (const manifest of manifestList(snapshot)) {
        if (seen.has(manifest.manifest_path)) continue;
        seen.add(manifest.manifest_path);
        for (const entry of entries(manifest)) paths.add(entry.data_file.file_path);
      }
      if (enough(paths)) break;
    }
    return paths;
  }

  function writeAvro(name: string, bytes: Uint8Array): string {
    const path = join(dir, 'metadata', name);
    mkdirSync(join(dir, 'metadata'), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  }

  const toDataFile = (file: NewDataFile): DataFile => ({
    content: 0,
    file_path: toUri(file.path),
    file_format: 'PARQUET',
    record_count: file.recordCount,
    file_size_in_bytes: file.sizeInBytes ?? statSync(file.path).size,
    ...(file.stats ?? statsOfFile(file.path, lastSchema)),
  });

  // Writes one manifest with `entries` plus a manifest list of it and `carried`, then commits the
  // snapshot; returns null when another writer committed that version first.
  function commit(
    base: MetadataVersion,
    operation: SnapshotOperation,
    build: (snapshotId: number, sequence: number) => { entries: ManifestEntry[]; carried: ManifestFile[] },
    summary: Record<string, string>,
  ): Snapshot | null {
    const { metadata } = base;
    const parent = currentSnapshot(metadata);
    const snapshotId = newSnapshotId(metadata);
    const sequence = metadata['last-sequence-number'] + 1;
    const built = build(snapshotId, sequence);
    const schema = currentSchema(metadata);
    const manifestPath = writeAvro(`${crypto.randomUUID()}-m0.avro`, encodeManifest(schema, built.entries));
    const count = (status: number) => built.entries.filter((e) => e.status === status);
    const rows = (list: ManifestEntry[]) => list.reduce((n, e) => n + e.data_file.record_count, 0);
    const liveSequences = built.entries
      .filter((e) => e.status !== 2)
      .map((e) => e.sequence_number ?? sequence);
    const manifest: ManifestFile = {
      manifest_path: toUri(manifestPath),
      manifest_length: statSync(manifestPath).size,
      partition_spec_id: 0,
      content: 0,
      sequence_number: sequence,
      min_sequence_number: Math.min(sequence, ...liveSequences),
      added_snapshot_id: snapshotId,
      added_files_count: count(1).length,
      existing_files_count: count(0).length,
      deleted_files_count: count(2).length,
      added_rows_count: rows(count(1)),
      existing_rows_count: rows(count(0)),
      deleted_rows_count: rows(count(2)),
    };
    const listBytes = encodeManifestList([manifest, ...built.carried], {
      snapshotId,
      parentSnapshotId: parent?.['snapshot-id'],
      sequenceNumber: sequence,
    });
    const listPath = writeAvro(`snap-${snapshotId}-1-${crypto.randomUUID()}.avro`, listBytes);
    const snapshot: Snapshot = {
      'snapshot-id': snapshotId,
      ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
      'sequence-number': sequence,
      'timestamp-ms': Math.max(Date.now(), metadata['last-updated-ms']),
      'manifest-list': toUri(listPath),
      summary: { operation, ...summary },
      'schema-id': schema['schema-id'],
    };
    const next = withSnapshot(metadata, snapshot, toUri(base.path));
    return commitMetadata(dir, base.version + 1, next) ? snapshot : null;
  }

  function retry(what: string, attempt: () => Snapshot | null): Snapshot {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const snapshot = attempt();
      if (snapshot) return snapshot;
      // Another writer won this version: back off a random while (growing) before rebasing.
      Atomics.wait(PAUSE, 0, 0, Math.random() * Math.min(100, 2 ** i));
    }
    throw new Error(`${dir}: ${what} lost the commit race ${MAX_ATTEMPTS} times; giving up`);
  }

  return {
    dir,
    location,
    current,
    schema: () => currentSchema(current().metadata),
    liveFiles: () => live(currentSnapshot(current().metadata)),
    committedPaths() {
      return referenced(current().metadata.snapshots, () => false);
    },
    committed(uris) {
      const wanted = new Set(uris);
      const found = new Set<string>();
      if (wanted.size === 0) return found;
      const newestFirst = [...current().metadata.snapshots].reverse();
      for (const path of referenced(newestFirst, (paths) => [...wanted].every((uri) => paths.has(uri)))) {
        if (wanted.has(path)) found.add(path);
      }
      return found;
    },
    append(files) {
      if (files.length === 0) throw new Error(`${dir}: append needs at least one data file`);
      const added = files.map(toDataFile);
      return retry('append', () => {
        const base = current();
        const parent = currentSnapshot(base.metadata);
        const totals: Record<string, string> = parent?.summary ?? {};
        const addedRows = added.reduce((n, f) => n + f.record_count, 0);
        const addedSize = added.reduce((n, f) => n + f.file_size_in_bytes, 0);
        const total = (key: string, plus: number) => String(Number(totals[key] ?? 0) + plus);
        return commit(
          base,
          'append',
          (snapshotId) => ({
            entries: added.map((data_file) => ({
              status: 1,
              snapshot_id: snapshotId,
              sequence_number: null,
              file_sequence_number: null,
              data_file,
            })),
            carried: parent ? manifestList(parent) : [],
          }),
          {
            'added-data-files': String(added.length),
            'added-records': String(addedRows),
            'added-files-size': String(addedSize),
            'total-data-files': total('total-data-files', added.length),
            'total-records': total('total-records', addedRows),
            'total-files-size': total('total-files-size', addedSize),
            'total-delete-files': '0',
            'total-position-deletes': '0',
            'total-equality-deletes': '0',
          },
        );
      });
    },
    replace(removed, addedFiles) {
      const added = addedFiles.map(toDataFile);
      const removedPaths = new Set(removed.map((f) => f.file_path));
      return retry('replace', () => {
        const base = current();
        const liveNow = live(currentSnapshot(base.metadata));
        const livePaths = new Set(liveNow.map((f) => f.file_path));
        for (const path of removedPaths) {
          if (!livePaths.has(path))
            throw new Error(`${dir}: cannot replace ${path}: it is not live any more`);
        }
        const gone = liveNow.filter((f) => removedPaths.has(f.file_path));
        const kept = liveNow.filter((f) => !removedPaths.has(f.file_path));
        const sum = (list: DataFile[], key: 'record_count' | 'file_size_in_bytes') =>
          list.reduce((n, f) => n + f[key], 0);
        if (sum(gone, 'record_count') !== sum(added, 'record_count')) {
          throw new Error(
            `${dir}: replace must keep the rows: removing ${sum(gone, 'record_count')} but adding ${sum(added, 'record_count')}`,
          );
        }
        const strip = ({
          localPath: _path,
          snapshotId: _snapshot,
          sequenceNumber: _sequence,
          fileSequenceNumber: _fileSequence,
          ...file
        }: LiveDataFile): DataFile => file;
        const survivors = [...kept, ...added];
        return commit(
          base,
          'replace',
          (snapshotId) => ({
            entries: [
              ...added.map((data_file) => ({
                status: 1 as const,
                snapshot_id: snapshotId,
                sequence_number: null,
                file_sequence_number: null,
                data_file,
              })),
              // Entries that are not ADDED must carry their sequence numbers explicitly.
              ...gone.map((f) => ({
                status: 2 as const,
                snapshot_id: snapshotId,
                sequence_number: f.sequenceNumber,
                file_sequence_number: f.fileSequenceNumber,
                data_file: strip(f),
              })),
              ...kept.map((f) => ({
                status: 0 as const,
                snapshot_id: f.snapshotId,
                sequence_number: f.sequenceNumber,
                file_sequence_number: f.fileSequenceNumber,
                data_file: strip(f),
              })),
            ],
            carried: [],
          }),
          {
            'added-data-files': String(added.length),
            'deleted-data-files': String(gone.length),
            'added-records': String(sum(added, 'record_count')),
            'deleted-records': String(sum(gone, 'record_count')),
            'added-files-size': String(sum(added, 'file_size_in_bytes')),
            'removed-files-size': String(sum(gone, 'file_size_in_bytes')),
            'total-data-files': String(survivors.length),
            'total-records': String(sum(survivors, 'record_count')),
            'total-files-size': String(sum(survivors, 'file_size_in_bytes')),
            'total-delete-files': '0',
            'total-position-deletes': '0',
            'total-equality-deletes': '0',
          },
        );
      });
    },
  };
}
