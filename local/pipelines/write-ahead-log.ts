import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** A segment set aside for a roll: its records go into the data file named by `fileId`. */
export interface SealedSegment {
  fileId: string;
  path: string;
  records: Record<string, unknown>[];
}

/** Parses a segment's lines (each a JSON array of records); a torn last line is skipped. */
export const parseLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((line) => line.length > 0)
    .flatMap((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>[];
      } catch {
        // A torn last line was never acknowledged (the fsync did not complete): skip it.
        return [];
      }
    });

/**
 * The stream's write-ahead log: each accepted request is appended and fsynced before it is
 * acknowledged. A roll seals the open segment under the id of the file it will become; the segment is
 * deleted only once that file is in place, so recovery can tell whether a sealed segment landed.
 */
export class WriteAheadLog {
  private fd: number;
  private readonly openPath: string;

  constructor(
    private readonly dir: string,
    private readonly stream: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.openPath = join(dir, `${stream}.open.ndjson`);
    this.fd = openSync(this.openPath, 'a');
  }

  append(records: readonly unknown[]): void {
    this.appendJson(JSON.stringify(records));
  }

  /**
   * Appends a request body that parsed as a JSON array, as it came (no re-encoding of a megabyte).
   * A raw newline can only be whitespace between JSON tokens, so it becomes a space: one line each.
   */
  appendJson(arrayText: string): void {
    // The leading newline ends a torn tail left by a crash.
    writeSync(this.fd, `\n${arrayText.includes('\n') ? arrayText.replaceAll('\n', ' ') : arrayText}\n`);
    fsyncSync(this.fd);
  }

  /** Records of the open segment, for recovery after a restart. */
  readOpen(): Record<string, unknown>[] {
    return existsSync(this.openPath) ? parseLines(readFileSync(this.openPath, 'utf8')) : [];
  }

  /** Seals the open segment as the future file `fileId` and starts a new one. */
  seal(fileId: string): string {
    closeSync(this.fd);
    const sealed = join(this.dir, `${this.stream}.sealed.${fileId}.ndjson`);
    renameSync(this.openPath, sealed);
    this.fd = openSync(this.openPath, 'a');
    return sealed;
  }

  /** Segments sealed by a roll that may not have finished. */
  sealed(): SealedSegment[] {
    return this.sealedPaths().map(({ fileId, path }) => ({
      fileId,
      path,
      records: parseLines(readFileSync(path, 'utf8')),
    }));
  }

  /** Sealed segments by file id, without reading them. */
  sealedPaths(): { fileId: string; path: string }[] {
    const prefix = `${this.stream}.sealed.`;
    return readdirSync(this.dir)
      .filter((name) => name.startsWith(prefix) && name.endsWith('.ndjson'))
      .map((name) => {
        return { fileId: name.slice(prefix.length, -'.ndjson'.length), path: join(this.dir, name) };
      });
  }

  release(path: string): void {
    unlinkSync(path);
  }

  close(): void {
    closeSync(this.fd);
  }
}
