import { ReplayError } from './replay-error.ts';

// A segment a file name may have: no control characters, no backslash, not "." or "..".
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const BAD_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/**
 * Checks a key relative to the replay target (`events/day=1/a.parquet`) and returns it: refused when it
 * is empty, absolute, has an empty, `.` or `..` segment, a backslash or a control character, so no
 * listing or metadata can make a replay write outside `--to`.
 *
 * @example
 * ```ts
 * import { safeRelativeKey } from './safe-path.ts';
 * safeRelativeKey('events/a.parquet'); // 'events/a.parquet'
 * safeRelativeKey('events/../../etc/passwd'); // throws ReplayError unsafe_key
 * ```
 */
export function safeRelativeKey(key: string, where = key): string {
  const segments = key.split('/');
  const bad =
    key.length === 0 ||
    key.length > 1024 ||
    BAD_CHARACTERS.test(key) ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) {
    throw new ReplayError(
      'unsafe_key',
      `refused the key "${key.slice(0, 200)}": a replayed file must stay inside the target (no empty, "." or ".." segments, no absolute paths, backslashes or control characters)`,
      where.slice(0, 300),
    );
  }
  return key;
}
