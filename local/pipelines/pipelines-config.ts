import { z } from 'zod';
import { TABLES } from '../../schemas/index.ts';

const tableName = z.enum(Object.keys(TABLES) as [keyof typeof TABLES, ...(keyof typeof TABLES)[]]);

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case identifier');

/**
 * The sink a stream feeds: `r2` writes partitioned Parquet files under `<bucket>/<table>/`;
 * `r2-data-catalog` appends to the Iceberg table `<namespace>.<table>` of the bucket's catalog
 * (the table name defaults to the stream's table).
 *
 * @example
 * ```ts
 * import { sinkConfig } from './pipelines-config.ts';
 * sinkConfig.parse({ kind: 'r2-data-catalog' }); // { kind: 'r2-data-catalog', namespace: 'analytics' }
 * ```
 */
export const sinkConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('r2') }),
  z.object({
    kind: z.literal('r2-data-catalog'),
    namespace: identifier.default('analytics'),
    table: identifier.optional(),
  }),
]);

/**
 * One stream and the sink it feeds.
 *
 * @example
 * ```ts
 * import { streamConfig } from './pipelines-config.ts';
 * streamConfig.parse({ table: 'events', sink: { kind: 'r2-data-catalog', namespace: 'analytics' } });
 * ```
 */
export const streamConfig = z.object({
  /** The table whose schema validates the records (and, for the r2 sink, the bucket prefix). */
  table: tableName,
  /** strftime partitioning of the r2 sink, as `wrangler pipelines sinks create --partitioning` takes it. */
  partitioning: z.string().default('year=%Y/month=%m/day=%d'),
  sink: sinkConfig.default({ kind: 'r2' }),
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
    .default({ events: { table: 'events', partitioning: 'year=%Y/month=%m/day=%d', sink: { kind: 'r2' } } }),
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

/** Input form of one stream's configuration. */
export type StreamConfig = z.input<typeof streamConfig>;
/** Input form of the stand-in's configuration. */
export type PipelinesConfig = z.input<typeof pipelinesConfig>;
/** The stand-in's configuration with defaults applied. */
export type ResolvedPipelinesConfig = z.output<typeof pipelinesConfig>;
