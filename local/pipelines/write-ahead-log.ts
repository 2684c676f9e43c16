import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlink,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A segment set aside for a roll: its records go into the data file named by `fileId`. */
export interface SealedSegment {
  fileId: string;
  path: string;
  records: Record<string, unknown>[];
}

/**
 * One open file of the log and its group commit: appends made while an fsync runs share the next one,
 * and the file is closed only once no fsync is running or due.
 */
class SyncedFile {
  private running: Promise<void> | null = null;
  private due: Promise<void> | null = null;
  private closing = false;
  constructor(readonly fd: number) {}

  /** Resolves once everything written so far is on disk. */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.fsync();
      return this.running;
    }
    this.due ??= this.running.then(
      () => this.next(),
      () => this.next(),
    );
    return this.due;
  }

  private next(): Promise<void> {
    this.running = this.fsync();
    this.due = null;
    return this.running;
  }

  // fdatasync: an append's data and the file size (what reading it back needs) reach the disk, without
  // waiting on a journal commit for the file's times.
  private fsync(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      fdatasync(this.fd, (error) => {
        if (this.running && !this.due) this.running = null;
        if (this.closing && !this.running && !this.due) closeSync(this.fd);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** Closes the file now, or once the fsyncs under way are done (so no fd is reused under them). */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    if (!this.running && !this.due) closeSync(this.fd);
  }
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
  private file: SyncedFile;
  private readonly openPath: string;

  constructor(
    private readonly dir: string,
    private readonly stream: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.openPath = join(dir, `${stream}.open.ndjson`);
    this.file = new SyncedFile(openSync(this.openPath, 'a'));
    this.deleteReleased();
  }

  append(records: readonly unknown[]): void {
    this.appendJson(JSON.stringify(records));
  }

  /**
   * Appends a request body that parsed as a JSON array, as it came (no re-encoding of a megabyte).
   * A raw newline can only be whitespace between JSON tokens, so it becomes a space: one line each.
   */
  appendJson(arrayText: string): void {
    this.write(arrayText);
    fdatasyncSync(this.file.fd);
  }

  /**
   * {@link appendJson} with the fsync off the event loop: the line is written (and counted in the open
   * segment) before this returns; the promise resolves once it is on disk. Appends made while an fsync
   * runs share the next one (group commit), so concurrent requests cost one fsync, not one each.
   */
  appendJsonDurably(arrayText: string): Promise<void> {
    this.write(arrayText);
    return this.file.sync();
  }

  private write(arrayText: string): void {
    // The leading newline ends a torn tail left by a crash.
    writeSync(this.file.fd, `\n${arrayText.includes('\n') ? arrayText.replaceAll('\n', ' ') : arrayText}\n`);
  }

  /** Records of the open segment, for recovery after a restart. */
  readOpen(): Record<string, unknown>[] {
    return existsSync(this.openPath) ? parseLines(readFileSync(this.openPath, 'utf8')) : [];
  }

  /** Seals the open segment as the future file `fileId` and starts a new one. */
  seal(fileId: string): string {
    // An fsync under way on the old file still completes (and acknowledges) after the rename.
    this.file.close();
    const sealed = join(this.dir, `${this.stream}.sealed.${fileId}.ndjson`);
    renameSync(this.openPath, sealed);
    this.file = new SyncedFile(openSync(this.openPath, 'a'));
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

  /**
   * Releases a sealed segment once its files are committed: renamed out of the sealed set at once (a
   * metadata change), and deleted in the background, since freeing a 64 MiB file can hold the caller
   * for a second on a busy disk. A released segment a crash left behind is deleted on the next start.
   */
  release(path: string): void {
    const released = join(dirname(path), basename(path).replace('.sealed.', '.released.'));
    renameSync(path, released);
    unlink(released, () => {
      // Left for the next start, which deletes every released segment.
    });
  }

  /** Deletes released segments a crash left behind (they are committed: nothing in them is needed). */
  deleteReleased(): void {
    const prefix = `${this.stream}.released.`;
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(prefix) && name.endsWith('.ndjson')) unlinkSync(join(this.dir, name));
    }
  }

  close(): void {
    this.file.close();
  }
}
