import { z } from 'zod';
import { TABLES } from '../../schemas/index.ts';

const tableName = z.enum(Object.keys(TABLES) as [keyof typeof TABLES, ...(keyof typeof TABLES)[]]);

/** One stream and the r2 sink it feeds. */
export const streamConfig = z.object({
  /** The table (and bucket prefix) its records land in. */
  table: tableName,
  /** strftime partitioning, as `wrangler pipelines sinks create --partitioning` takes it. */
  partitioning: z.string().default('year=%Y/month=%m/day=%d'),
});

/**
 * Construction options of the Pipelines stand-in, validated: a bad value names its path.
 *
 * @example
 * ```ts
 * import { pipelinesConfig } from './pipelines-config.ts';
 * pipelinesConfig.parse({ dataDir: '.data' });
 * ```
 */
export const pipelinesConfig = z.object({
  /** Root of local state: `<dataDir>/r2/<bucket>/...` for data, `<dataDir>/pipelines/` for the WAL. */
  dataDir: z.string().min(1),
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'an R2 bucket name')
    .default('lake'),
  /** When set, ingest requires `Authorization: Bearer <token>`. */
  token: z.string().min(1).optional(),
  streams: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/), streamConfig)
    .default({ events: { table: 'events', partitioning: 'year=%Y/month=%m/day=%d' } }),
  /** Roll buffered records into a file this often (the platform's default is 300 s). */
  rollIntervalMs: z.number().int().positive().default(300_000),
  /** Roll once this many records are buffered. */
  rollRows: z.number().int().positive().default(100_000),
  /** Roll once this many bytes (as received) are buffered. */
  rollBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Largest request body accepted (the platform takes 1 MB). */
  maxRequestBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
});

/** Input form of the stand-in's configuration. */
export type PipelinesConfig = z.input<typeof pipelinesConfig>;
/** The stand-in's configuration with defaults applied. */
export type ResolvedPipelinesConfig = z.output<typeof pipelinesConfig>;
