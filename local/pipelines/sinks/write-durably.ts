import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

/**
 * Writes `bytes` to `<path>.tmp`, fsyncs it, and renames it to `path`: a file that exists is complete
 * and on disk, so the log segment it came from may be released.
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
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
