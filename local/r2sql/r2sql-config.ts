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
  /**
   * Buckets that exist even before anything was written to them (the Pipelines bucket); any other
   * name is a bucket only when `<dataDir>/r2/<name>` exists. A query to an unknown bucket is an error.
   */
  buckets: z.array(z.string()).default([]),
  /**
   * Bounds of every query (time, memory, threads, result bytes, concurrency) and of the engine
   * process (`maxProcessBytes`); see DuckDbQueryLimits.
   */
  limits: z
    .object({
      timeoutMs: z.number().int().positive().optional(),
      memoryLimit: z.string().min(1).optional(),
      threads: z.number().int().positive().optional(),
      maxResultBytes: z.number().int().positive().optional(),
      maxConcurrentQueries: z.number().int().positive().optional(),
      maxQueuedQueries: z.number().int().nonnegative().optional(),
      maxProcessBytes: z.number().int().positive().optional(),
      killGraceMs: z.number().int().nonnegative().optional(),
    })
    .default({}),
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
