/**
 * The boundary between a stream and where its rolls land: one file per roll, committed as a whole.
 *
 * @module
 */

/** A data file a roll wrote and committed. */
export interface RolledFile {
  stream: string;
  /** Local path of the data file. */
  path: string;
  rows: number;
  bytes: number;
  sink: 'r2' | 'r2-data-catalog';
  /** The Iceberg snapshot that committed the file (r2-data-catalog only). */
  snapshotId?: number;
}

/**
 * Where a stream's rolls go. Writing is idempotent per file id: a roll interrupted by a crash is
 * redone under the same id, and `committed` tells recovery which ids need no redo.
 *
 * @example
 * ```ts
 * import type { StreamSink } from './stream-sink.ts';
 * function recover(sink: StreamSink, segments: { fileId: string; records: Record<string, unknown>[] }[]) {
 *   const done = sink.committed(segments.map((s) => s.fileId));
 *   for (const s of segments) if (!done.has(s.fileId)) sink.write(s.records, s.fileId);
 * }
 * ```
 */
export interface StreamSink {
  readonly kind: RolledFile['sink'];
  /** Writes `rows` as the data file named `fileId` and commits it. */
  write(rows: readonly Record<string, unknown>[], fileId: string): RolledFile;
  /** The subset of `fileIds` whose files are already committed. */
  committed(fileIds: readonly string[]): Set<string>;
}
