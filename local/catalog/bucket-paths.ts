import { existsSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const BAD_SEGMENT = /[\u0000-\u001f\u007f\\]/;

/**
 * The directory of a bucket of the stand-in, or null when the name is not a bucket name or the bucket
 * does not exist (neither configured nor on disk).
 *
 * @example
 * ```ts
 * import { bucketDir } from './bucket-paths.ts';
 * bucketDir('.data', ['lake'], 'lake'); // '.data/r2/lake'
 * ```
 */
export function bucketDir(dataDir: string, buckets: readonly string[], bucket: string): string | null {
  if (!BUCKET.test(bucket)) return null;
  const dir = join(dataDir, 'r2', bucket);
  return buckets.includes(bucket) || existsSync(dir) ? dir : null;
}

/**
 * A file of a bucket by its key segments (each already decoded), or null when a segment is empty,
 * `.`, `..`, holds a backslash or control character, or the path (symbolic links resolved) leaves the
 * bucket, or it is not a regular file.
 *
 * @example
 * ```ts
 * import { bucketFile } from './bucket-paths.ts';
 * bucketFile('.data/r2/lake', ['events', 'day=1', 'a.parquet']);
 * bucketFile('.data/r2/lake', ['..', 'secret']); // null
 * ```
 */
export function bucketFile(dir: string, segments: readonly string[]): string | null {
  if (segments.length === 0) return null;
  if (segments.some((s) => s === '' || s === '.' || s === '..' || BAD_SEGMENT.test(s))) return null;
  const path = join(dir, ...segments);
  try {
    const real = realpathSync(path);
    const root = realpathSync(dir);
    if (!real.startsWith(root + sep) || !statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}
