import { appendFileSync, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Construction options of {@link createRejectsFile}. */
export interface RejectsFileConfig {
  dir: string;
  stream: string;
  /** Rotate once the current file would grow past this many bytes. */
  maxFileBytes: number;
  /** Files kept in all: `<stream>.ndjson` and the rotated `<stream>.1.ndjson` … `<stream>.<n-1>.ndjson`. */
  maxFiles: number;
}

/** A stream's rejects file: NDJSON, bounded in size, rotated. */
export interface RejectsFile {
  readonly path: string;
  /**
   * Appends one entry (one line; a string is taken as its JSON already); an entry larger than a whole
   * file is refused, answering false.
   */
  keep(entry: unknown): boolean;
}

/**
 * Opens a stream's rejects file. Its total size on disk stays under `maxFileBytes × maxFiles`: when
 * the current file would grow past `maxFileBytes` it becomes `<stream>.1.ndjson` (the older ones move
 * up, the oldest is deleted).
 *
 * @example
 * ```ts
 * import { createRejectsFile } from './rejects-file.ts';
 * const rejects = createRejectsFile({ dir: '.data/pipelines/rejects', stream: 'events', maxFileBytes: 2 ** 24, maxFiles: 4 });
 * rejects.keep({ at: new Date().toISOString(), rejected: 1 });
 * ```
 */
export function createRejectsFile(config: RejectsFileConfig): RejectsFile {
  mkdirSync(config.dir, { recursive: true });
  const path = join(config.dir, `${config.stream}.ndjson`);
  const rotated = (n: number) => join(config.dir, `${config.stream}.${n}.ndjson`);
  let size = existsSync(path) ? statSync(path).size : 0;

  function rotate(): void {
    const oldest = rotated(config.maxFiles - 1);
    if (config.maxFiles > 1 && existsSync(oldest)) unlinkSync(oldest);
    for (let n = config.maxFiles - 2; n >= 1; n--)
      if (existsSync(rotated(n))) renameSync(rotated(n), rotated(n + 1));
    if (config.maxFiles > 1) renameSync(path, rotated(1));
    else unlinkSync(path);
    size = 0;
  }

  return {
    path,
    keep(entry) {
      const line = `${typeof entry === 'string' ? entry : JSON.stringify(entry)}\n`;
      const bytes = Buffer.byteLength(line);
      if (bytes > config.maxFileBytes) return false;
      if (size > 0 && size + bytes > config.maxFileBytes) rotate();
      appendFileSync(path, line);
      size += bytes;
      return true;
    },
  };
}
