import { z } from 'zod';

/**
 * Construction options of the local R2 Data Catalog.
 *
 * @example
 * ```ts
 * import { catalogConfig } from './catalog-config.ts';
 * catalogConfig.parse({ dataDir: '.data', token: 'dev', buckets: ['lake'] });
 * ```
 */
export const catalogConfig = z.object({
  /** Buckets are read from `<dataDir>/r2/<bucket>`; catalog tables from `<bucket>/__r2_data_catalog/<ns>/<table>/`. */
  dataDir: z.string().min(1),
  /** When set, every catalog and file request requires `Authorization: Bearer <token>` (401 otherwise). */
  token: z.string().min(1).optional(),
  /** Buckets that exist before anything was written to them; any other is a bucket once its directory exists. */
  buckets: z.array(z.string()).default([]),
});

/** Input form of the local catalog's configuration. */
export type CatalogConfig = z.input<typeof catalogConfig>;
