/** The Pipelines r2 sink's default partitioning. */
export const DEFAULT_PARTITIONING = 'year=%Y/month=%m/day=%d';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Expands a strftime pattern (as the Pipelines r2 sink's `--partitioning` takes) for a UTC instant.
 * Supports %Y %m %d %H %M %S and %%; any other directive is an error, not a silent literal.
 *
 * @example
 * ```ts
 * import { partitionPath } from './partition-path.ts';
 * partitionPath(new Date('2026-11-25T09:00:00Z')); // 'year=2026/month=11/day=25'
 * ```
 */
export function partitionPath(at: Date, pattern: string = DEFAULT_PARTITIONING): string {
  return pattern.replace(/%(.)/g, (_, directive: string) => {
    switch (directive) {
      case 'Y':
        return pad(at.getUTCFullYear(), 4);
      case 'm':
        return pad(at.getUTCMonth() + 1);
      case 'd':
        return pad(at.getUTCDate());
      case 'H':
        return pad(at.getUTCHours());
      case 'M':
        return pad(at.getUTCMinutes());
      case 'S':
        return pad(at.getUTCSeconds());
      case '%':
        return '%';
      default:
        throw new Error(
          `partitioning "${pattern}": unsupported directive %${directive} (use %Y %m %d %H %M %S)`,
        );
    }
  });
}

/**
 * The key of a data file in the bucket: `<prefix>/<partition>/<uuid>.parquet`, as the Pipelines sink
 * names them.
 *
 * @example
 * ```ts
 * import { dataFileKey } from './partition-path.ts';
 * dataFileKey('events', new Date()); // 'events/year=2026/month=11/day=25/0b6c….parquet'
 * ```
 */
export function dataFileKey(
  prefix: string,
  at: Date,
  pattern?: string,
  id: string = crypto.randomUUID(),
): string {
  const clean = prefix.replace(/^\/+|\/+$/g, '');
  return `${clean ? `${clean}/` : ''}${partitionPath(at, pattern)}/${id}.parquet`;
}
