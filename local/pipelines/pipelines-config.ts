import { z } from 'zod';
import { LAKE_TOPOLOGY, TABLES } from '../../schemas/index.ts';

const tableName = z.enum(Object.keys(TABLES) as [keyof typeof TABLES, ...(keyof typeof TABLES)[]]);

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case identifier');

/**
 * The rows of a named sink: a table of `schemas/TABLES` by name, or columns of their own (a stream
 * view's sink), each with its lake type.
 *
 * @example
 * ```ts
 * import { sinkSchemaConfig } from './pipelines-config.ts';
 * sinkSchemaConfig.parse({ columns: [{ name: 'id', lakeType: 'string', nullable: false }] });
 * ```
 */
export const sinkSchemaConfig = z.union([
  tableName,
  z.object({
    columns: z
      .array(
        z.object({
          name: identifier,
          lakeType: z.enum(['string', 'int32', 'int64', 'float64', 'bool', 'timestamp', 'json']),
          nullable: z.boolean().default(true),
        }),
      )
      .min(1),
  }),
]);

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
 * A named sink that pipelines write to. `schema` names the table in `schemas/TABLES` that types its
 * rows (or lists columns of its own, see {@link sinkSchemaConfig}): the sink takes the columns of that table its pipeline's SELECT produces (a projection) and
 * checks every row against them. `r2` writes Parquet under `<bucket>/<path>/` (path defaults to the
 * sink's name); `r2-data-catalog` appends to the Iceberg table `<namespace>.<table>` (table defaults to
 * the sink's name).
 *
 * @example
 * ```ts
 * import { namedSinkConfig } from './pipelines-config.ts';
 * namedSinkConfig.parse({ kind: 'r2', schema: 'events' }); // path: the sink's name
 * ```
 */
export const namedSinkConfig = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('r2'),
    schema: sinkSchemaConfig,
    path: identifier.optional(),
    partitioning: z.string().default('year=%Y/month=%m/day=%d'),
  }),
  z.object({
    kind: z.literal('r2-data-catalog'),
    schema: sinkSchemaConfig,
    namespace: identifier.default('analytics'),
    table: identifier.optional(),
  }),
]);

/**
 * A pipeline: SQL of one or more `;`-separated `INSERT INTO <sink> SELECT ... FROM <stream> [WHERE
 * ...]` statements, stateless as the platform's are.
 *
 * @example
 * ```ts
 * import { pipelineConfig } from './pipelines-config.ts';
 * pipelineConfig.parse({ name: 'audit', sql: "INSERT INTO audit_sink SELECT id, seq FROM events WHERE durability = 'do'" });
 * ```
 */
export const pipelineConfig = z.object({ name: identifier, sql: z.string().min(1) });

/**
 * The streams, sinks and pipelines of the lake (`LAKE_TOPOLOGY`, the set `schema setup` prints) in the
 * stand-in's config form: the default when a config names none of them.
 *
 * @example
 * ```ts
 * import { lakeTopologyConfig } from './pipelines-config.ts';
 * Object.keys(lakeTopologyConfig().sinks); // ['events_sink', 'things_sink', 'actions_sink', 'checkpoints_sink']
 * ```
 */
export function lakeTopologyConfig(): Pick<PipelinesConfig, 'streams' | 'sinks' | 'pipelines'> {
  return {
    streams: Object.fromEntries(LAKE_TOPOLOGY.streams.map((s) => [s.name, { table: s.table }])),
    sinks: Object.fromEntries(
      LAKE_TOPOLOGY.sinks.map((s) => [s.name, { kind: 'r2' as const, schema: s.table, path: s.table }]),
    ),
    pipelines: LAKE_TOPOLOGY.pipelines.map((p) => ({ name: p.name, sql: p.sql })),
  };
}

const withTopologyDefault = (input: unknown): unknown => {
  if (typeof input !== 'object' || input === null) return input;
  const given = input as Record<string, unknown>;
  if (given.streams !== undefined || given.sinks !== undefined || given.pipelines !== undefined) return input;
  return { ...given, ...lakeTopologyConfig() };
};

/** The largest `rollBytes`: JavaScript strings end at 2^29 − 24 characters; a roll stays at half that. */
export const MAX_ROLL_BYTES = 256 * 1024 * 1024;

/** The stand-in's configuration fields (see {@link pipelinesConfig}). */
const pipelinesObject = z.object({
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
  /** Named sinks, written only by `pipelines`. */
  sinks: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), namedSinkConfig).default({}),
  /**
   * Explicit pipelines. A stream no pipeline reads keeps its own `sink`, as if configured with
   * `INSERT INTO <stream>_sink SELECT * FROM <stream>`; a stream a pipeline reads feeds only the sinks
   * its pipelines name.
   */
  pipelines: z.array(pipelineConfig).default([]),
  /** Roll buffered records into a file this often (the platform's default is 300 s). */
  rollIntervalMs: z.number().int().positive().default(300_000),
  /** Roll once this many records are buffered. */
  rollRows: z.number().int().positive().default(100_000),
  /**
   * Roll once this many bytes (as received) are buffered; at most 256 MiB, so that a roll's segment
   * (and the batch a transform stages) stays well inside what one string can hold.
   */
  rollBytes: z
    .number()
    .int()
    .positive()
    .max(MAX_ROLL_BYTES, 'must be at most 268435456 (256 MiB): a roll reads its segment whole')
    .default(64 * 1024 * 1024),
  /** Largest request body accepted (the platform takes 1 MB). */
  maxRequestBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Deepest nesting of objects and arrays a record may have (the record is level 1). */
  maxDepth: z.number().int().min(2).max(1000).default(64),
  /** A stream's rejects file rotates past this size; `rejectsFiles` files are kept in all. */
  rejectsFileBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  rejectsFiles: z.number().int().min(1).max(100).default(4),
});
/**
 * Construction options of the Pipelines stand-in, validated: a bad value names its path. Without
 * streams, sinks or pipelines it runs the lake's own set ({@link lakeTopologyConfig}).
 *
 * @example
 * ```ts
 * import { pipelinesConfig } from './pipelines-config.ts';
 * pipelinesConfig.parse({ dataDir: '.data' });
 * ```
 */
export const pipelinesConfig = z.preprocess(withTopologyDefault, pipelinesObject);

/** Input form of one stream's configuration. */
export type StreamConfig = z.input<typeof streamConfig>;
/** Input form of a named sink's configuration. */
export type NamedSinkConfig = z.input<typeof namedSinkConfig>;
/** Input form of a pipeline's configuration. */
export type PipelineConfig = z.input<typeof pipelineConfig>;
/** Input form of the stand-in's configuration. */
export type PipelinesConfig = z.input<typeof pipelinesObject>;
/** The stand-in's configuration with defaults applied. */
export type ResolvedPipelinesConfig = z.output<typeof pipelinesObject>;
