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

const parseLines = (text: string): Record<string, unknown>[] =>
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
    writeSync(this.fd, `\n${JSON.stringify(records)}\n`); // the leading newline ends a torn tail left by a crash
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
    const prefix = `${this.stream}.sealed.`;
    return readdirSync(this.dir)
      .filter((name) => name.startsWith(prefix) && name.endsWith('.ndjson'))
      .map((name) => {
        const path = join(this.dir, name);
        return {
          fileId: name.slice(prefix.length, -'.ndjson'.length),
          path,
          records: parseLines(readFileSync(path, 'utf8')),
        };
      });
  }

  release(path: string): void {
    unlinkSync(path);
  }

  close(): void {
    closeSync(this.fd);
  }
}
