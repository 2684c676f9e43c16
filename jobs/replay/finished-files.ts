import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file a replay finished and checked: what it was in the source and what it is on disk. */
export interface FinishedFile {
  /** Path under the target. */
  path: string;
  key: string;
  size: number;
  /** MD5 of the bytes written, hex. */
  md5: string;
  etag?: string;
  records?: number;
}

/** The record of finished files in a replay target (`<to>/.replay/finished.jsonl`), append-only. */
export interface FinishedFiles {
  readonly path: string;
  get(path: string): FinishedFile | undefined;
  entries(): FinishedFile[];
  /** Records one more finished file (one line, appended: a crash loses at most the line being written). */
  add(file: FinishedFile): void;
  forget(path: string): void;
  /** Rewrites the record with exactly the current entries (atomically, by rename). */
  compact(): void;
}

const isFinished = (value: unknown): value is FinishedFile => {
  const v = value as FinishedFile;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.path === 'string' &&
    typeof v.key === 'string' &&
    Number.isSafeInteger(v.size) &&
    typeof v.md5 === 'string'
  );
};

/**
 * Opens (or starts) the record of finished files of a replay target. A line that does not parse (the
 * one a crash cut short) is ignored: that file is fetched again.
 *
 * @example
 * ```ts
 * import { openFinishedFiles } from './finished-files.ts';
 * const finished = openFinishedFiles('/tmp/lake');
 * finished.get('events/day=1/a.parquet')?.md5;
 * ```
 */
export function openFinishedFiles(target: string): FinishedFiles {
  const dir = join(target, '.replay');
  const path = join(dir, 'finished.jsonl');
  mkdirSync(dir, { recursive: true });
  const byPath = new Map<string, FinishedFile>();
  if (existsSync(path)) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry: unknown = JSON.parse(line);
        if (isFinished(entry)) byPath.set(entry.path, entry);
        else if ((entry as { forget?: string })?.forget) byPath.delete((entry as { forget: string }).forget);
      } catch {
        // A torn last line: the file it named is fetched again.
      }
    }
  }
  return {
    path,
    get: (file) => byPath.get(file),
    entries: () => [...byPath.values()],
    add(file) {
      byPath.set(file.path, file);
      appendFileSync(path, `${JSON.stringify(file)}\n`);
    },
    forget(file) {
      if (!byPath.delete(file)) return;
      appendFileSync(path, `${JSON.stringify({ forget: file })}\n`);
    },
    compact() {
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, [...byPath.values()].map((e) => `${JSON.stringify(e)}\n`).join(''));
      renameSync(temp, path);
    },
  };
}
