import { closeSync, fdatasyncSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

/**
 * How much of a file is written before it is flushed. A roll's file is flushed in steps of this size,
 * not in one go at the end: an ingest request's WAL fsync that queues behind the roll's flush on the
 * same disk (one journal) then waits for one step, not for the whole file.
 */
const FLUSH_STEP_BYTES = 4 * 1024 * 1024;

/**
 * Writes `bytes` to `<path>.tmp`, fsyncs it, and renames it to `path`: a file that exists is complete
 * and on disk, so the log segment it came from may be released. A large file is flushed in steps of
 * {@link FLUSH_STEP_BYTES} on the way.
 *
 * @example
 * ```ts
 * import { writeDurably } from './write-durably.ts';
 * writeDurably('/tmp/example.parquet', new Uint8Array([80, 65, 82, 49]));
 * ```
 */
export function writeDurably(path: string, bytes: Uint8Array): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    let written = 0;
    let flushed = 0;
    while (written < bytes.byteLength) {
      const end = Math.min(bytes.byteLength, written + FLUSH_STEP_BYTES);
      while (written < end) written += writeSync(fd, bytes, written, end - written);
      if (written - flushed >= FLUSH_STEP_BYTES && written < bytes.byteLength) {
        fdatasyncSync(fd);
        flushed = written;
      }
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
