import { z } from 'zod';
import type { TableFilesResolver } from './table-files.ts';

/**
 * Construction options of the R2 SQL stand-in.
 *
 * @example
 * ```ts
 * import { r2SqlConfig } from './r2sql-config.ts';
 * r2SqlConfig.parse({ dataDir: '.data', token: 'dev' });
 * ```
 */
export const r2SqlConfig = z.object({
  /** Buckets are read from `<dataDir>/r2/<bucket>`. */
  dataDir: z.string().min(1),
  /** When set, queries require `Authorization: Bearer <token>` (403 otherwise, as the platform answers). */
  token: z.string().min(1).optional(),
  /** The namespace tables are exposed under (`namespace.table`). */
  namespace: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('analytics'),
  /** Lists a table's live data files, for the metrics; defaults to the engine's live files (catalog) or the r2 sink's directory. */
  tableFiles: z
    .custom<TableFilesResolver>(
      (value) => typeof value === 'function',
      'a function (bucketDir, namespace, table) => paths',
    )
    .optional(),
});

/** Input form of the R2 SQL stand-in's configuration. */
export type R2SqlConfig = z.input<typeof r2SqlConfig>;
