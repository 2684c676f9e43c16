import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A directory tree's Parquet files, listed again only where a directory changed. */
export interface ParquetFileLister {
  /** Every `*.parquet` under the root (sorted); none when the root does not exist. */
  list(): Promise<string[]>;
}

/** Construction options of {@link createParquetFileLister}. */
export interface ParquetFileListerConfig {
  /** The clock (ms since the epoch) a listing is stamped with (default `Date.now`). */
  now?: () => number;
  /**
   * A directory's entries are reused only when it was listed at least this long after its last
   * change (default 2 s): a file system stamps changes with a coarse clock, so a change within that
   * window of a listing could leave the stamp unchanged.
   */
  settleMs?: number;
}

interface Listed {
  /** The directory's modification and change times (ns) when it was listed. */
  mtime: bigint;
  ctime: bigint;
  /** When it was listed (ns). */
  at: bigint;
  files: string[];
  dirs: string[];
}

const MS = 1_000_000n;

/**
 * Lists a lake table's Parquet files (`<dir>/<partition>/<uuid>.parquet`) with one `stat` per
 * directory: a directory whose modification and change times are what they were when it was listed
 * (and that was listed well after its last change, see `settleMs`) keeps its entries; any other is
 * read again. A file landing (written or renamed into a directory) changes that directory's times,
 * a new partition its parent's, so every listing holds every file landed before it started.
 *
 * @example
 * ```ts
 * import { createParquetFileLister } from './list-parquet-files.ts';
 * const lister = createParquetFileLister('.data/r2/lake/events');
 * (await lister.list()).length; // 0 before the first roll
 * ```
 */
export function createParquetFileLister(
  root: string,
  config: ParquetFileListerConfig = {},
): ParquetFileLister {
  const now = config.now ?? Date.now;
  const settle = BigInt(config.settleMs ?? 2_000) * MS;
  let listed = new Map<string, Listed>();

  // Synchronous: a few microseconds per directory, where a trip through the thread pool costs more.
  function visit(dir: string, next: Map<string, Listed>, files: string[]): void {
    const times = statSync(dir, { bigint: true, throwIfNoEntry: false });
    if (!times?.isDirectory()) return;
    let entry = listed.get(dir);
    const same = entry && entry.mtime === times.mtimeNs && entry.ctime === times.ctimeNs;
    if (!entry || !same || entry.at - times.mtimeNs < settle || entry.at - times.ctimeNs < settle) {
      // Stamped before reading: a change while it is read makes the next listing read it again.
      const at = BigInt(now()) * MS;
      let dirents: Dirent[] = [];
      try {
        dirents = readdirSync(dir, { withFileTypes: true });
      } catch {}
      entry = {
        mtime: times.mtimeNs,
        ctime: times.ctimeNs,
        at,
        files: dirents.filter((d) => !d.isDirectory() && d.name.endsWith('.parquet')).map((d) => d.name),
        dirs: dirents.filter((d) => d.isDirectory()).map((d) => d.name),
      };
    }
    next.set(dir, entry);
    for (const name of entry.files) files.push(join(dir, name));
    for (const name of entry.dirs) visit(join(dir, name), next, files);
  }

  return {
    async list() {
      const next = new Map<string, Listed>();
      const files: string[] = [];
      visit(root, next, files);
      listed = next;
      return files.sort();
    },
  };
}
