/**
 * Stream views (`kind: 'stream'`): stateless views (filter, project, cast, compute one record at a
 * time) that the platform materializes at ingest. One definition gives the Pipelines SQL that fills
 * the view's own sink, the sink's table and columns, a view that reads that table, and a view that
 * computes the same rows from the lake's raw table (for history the pipeline never saw, and to check
 * one against the other).
 *
 * @module
 */
import { z } from 'zod';
import {
  type ColumnInfo,
  type PipelinesSchema,
  type TableName,
  toPipelinesSchema,
} from '../schemas/index.ts';
import { PipelineSqlError, parsePipelineSql, type SqlFragment, type SqlPosition, sql } from '../sql/index.ts';
import { defineView, type View, ViewDefinitionError, type ViewTable } from './define-view.ts';
import {
  type CompiledStreamSelect,
  compileStreamSelect,
  type StreamViewColumn,
} from './stream-view-select.ts';
import { limitParam, timestampParam } from './view-params.ts';

export type { StreamViewColumn, StreamViewExpression } from './stream-view-select.ts';

/** Construction options of {@link defineStreamView}. */
export interface StreamViewConfig {
  /** snake_case; with the version it names the sink's table (`<name>_v<version>`). */
  name: string;
  /** A positive integer (default 1). A sink cannot be altered: a changed SELECT is a new version. */
  version?: number;
  description: string;
  /** The stream the pipeline reads (a stream of the lake's topology, e.g. `events`). */
  from: string;
  /** The output columns: a stream column's name, or `{ sql, type }`. `id` and `ns` are added if absent. */
  select: Readonly<Record<string, StreamViewColumn>>;
  /** The filter, one record at a time (no subqueries, aggregates or windows). */
  where?: SqlFragment;
  /** The timestamp column reads are bounded and ordered on (default `ts` when selected); false: none. */
  time?: string | false;
}

/** Params of a stream view's reads: the namespace, the time range and a row limit. */
export type StreamViewParams = {
  ns?: string;
  since?: Date;
  until?: Date;
  limit: number;
};

/** The sink a stream view's pipeline writes: its name, its table and the columns that land. */
export interface StreamViewSink {
  name: string;
  /** The table the sink writes (an r2 path, or the Iceberg table in the catalog namespace). */
  table: string;
  columns: ColumnInfo[];
  /** The same columns as a Pipelines schema (what the pipeline's output is, field by field). */
  schema: PipelinesSchema;
}

/** A stream view: a {@link View} over its own sink's table, plus what creating it on the platform needs. */
export interface StreamView extends View<StreamViewParams, Record<string, unknown>> {
  readonly kind: 'stream';
  /** The stream the pipeline reads, and the lake table that stream lands in unchanged. */
  readonly stream: string;
  readonly streamTable: TableName;
  /** The sink's table, `<name>_v<version>`. */
  readonly table: string;
  readonly sink: StreamViewSink;
  /** The pipeline: `INSERT INTO <sink> SELECT … FROM <stream> WHERE …`, checked as Pipelines SQL. */
  readonly pipeline: { name: string; sql: string };
  /** The sink table's row schema (columns built with `col.*`). */
  readonly rowSchema: z.ZodObject;
  /** The same rows computed from the stream's raw lake table, deduplicated on `id` likewise. */
  readonly overRaw: View<StreamViewParams, Record<string, unknown>>;
}

/**
 * A stream view the platform would refuse: names the construct and where it stands in the pipeline SQL.
 *
 * @example
 * ```ts
 * import { StreamViewError } from './define-stream-view.ts';
 * new StreamViewError('v@1', 'GROUP BY', 'GROUP BY is not supported').construct; // 'GROUP BY'
 * ```
 */
export class StreamViewError extends ViewDefinitionError {
  constructor(
    view: string,
    readonly construct: string,
    message: string,
    sqlText?: string,
    readonly position?: SqlPosition,
  ) {
    super(view, message, sqlText);
    this.name = 'StreamViewError';
  }
}

/**
 * Is this view a stream view?
 *
 * @example
 * ```ts
 * import { isStreamView } from './define-stream-view.ts';
 * isStreamView({ kind: 'rollup' }); // false
 * ```
 */
export function isStreamView(value: unknown): value is StreamView {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as StreamView).kind === 'stream' &&
    typeof (value as StreamView).render === 'function'
  );
}

const streamViewParams = z.object({
  ns: z.url().optional().describe('only rows of this namespace'),
  since: timestampParam().optional().describe('first time included'),
  until: timestampParam().optional().describe('first time excluded'),
  limit: limitParam(1000, 10_000),
});

const SAMPLES = [{}, { ns: 'https://a.test', since: '2026-01-01', until: '2026-02-01', limit: 10 }];

function timeColumn(key: string, config: StreamViewConfig, select: CompiledStreamSelect): string | null {
  if (config.time === false) return null;
  const name = config.time ?? 'ts';
  const column = select.columns.find((c) => c.name === name);
  if (column?.lakeType === 'timestamp') return name;
  if (config.time === undefined) return null;
  throw new ViewDefinitionError(key, `time: "${name}" is not a timestamp column of the select`);
}

/** The read's bounds on output columns (`ns`, the time column) as one predicate. */
function bounds(params: StreamViewParams, time: string | null): SqlFragment {
  const parts: SqlFragment[] = [];
  if (params.ns !== undefined) parts.push(sql`ns = ${params.ns}`);
  if (time && params.since) parts.push(sql`${sql.id(time)} >= ${params.since}`);
  if (time && params.until) parts.push(sql`${sql.id(time)} < ${params.until}`);
  return parts.length > 0 ? sql.join(parts, ' AND ') : sql`TRUE`;
}

/** The read around a relation of the view's rows: dedup on id, bounds, a total order, a limit. */
function readSql(
  relation: SqlFragment,
  columns: readonly ColumnInfo[],
  params: StreamViewParams,
  time: string | null,
): SqlFragment {
  const names = sql.join(columns.map((c) => sql.id(c.name)));
  const order = time ? sql`${sql.id(time)}, id` : sql`id`;
  return sql`SELECT ${names} FROM (SELECT DISTINCT ON (id) ${names} FROM ${relation} WHERE ${bounds(params, time)}) AS v ORDER BY ${order} LIMIT ${params.limit}`;
}

function checkPipeline(key: string, name: string, text: string): void {
  try {
    parsePipelineSql(name, text);
  } catch (error) {
    if (!(error instanceof PipelineSqlError)) throw error;
    throw new StreamViewError(key, error.construct, error.message, text, error.position);
  }
}

/**
 * Declares a stream view: a stateless SELECT over a stream that a pipeline runs at ingest into the
 * view's own sink. Refused at definition, naming the construct, when the platform's stateless
 * Pipelines SQL would refuse it (GROUP BY, joins, windows, aggregates, DISTINCT, subqueries, ORDER BY,
 * LIMIT). The sink lands every delivery (the stream is at-least-once); reads deduplicate on `id`.
 *
 * @example
 * ```ts
 * import { sql } from '../sql/index.ts';
 * import { col } from '../schemas/index.ts';
 * import { defineStreamView } from './define-stream-view.ts';
 * const failed = defineStreamView({
 *   name: 'failed_actions',
 *   description: 'failed actions, with their duration in seconds',
 *   from: 'events',
 *   select: { ts: 'ts', verb: 'verb', seconds: { sql: sql`duration_ms / 1000.0`, type: col.float64().nullable() } },
 *   where: sql`status = 'failed'`,
 * });
 * failed.pipeline.sql.startsWith('INSERT INTO failed_actions_v1_sink SELECT id, ns, ts, verb'); // true
 * failed.sink.table; // 'failed_actions_v1'
 * failed.render({ limit: 5 }).sql.includes('FROM "analytics"."failed_actions_v1"'); // true
 * ```
 */
export function defineStreamView(config: StreamViewConfig): StreamView {
  const version = config.version ?? 1;
  const key = `${config.name}@${version}`;
  if (!/^[a-z][a-z0-9_]*$/.test(String(config.name)))
    throw new ViewDefinitionError(String(config.name), 'the name must be snake_case');
  if (!Number.isSafeInteger(version) || version < 1)
    throw new ViewDefinitionError(key, `version ${version} must be a positive integer`);
  const select = compileStreamSelect(key, config.from, config.select);
  const time = timeColumn(key, config, select);
  const table = `${config.name}_v${version}`;
  const sinkName = `${table}_sink`;
  const pipelineName = `${table}_pipeline`;
  const where = config.where ? sql` WHERE ${config.where}` : sql``;
  const pipelineSql =
    sql`INSERT INTO ${sql.raw(sinkName)} SELECT ${select.list} FROM ${sql.raw(config.from)}${where}`.text;
  checkPipeline(key, pipelineName, pipelineSql);

  const common = {
    version,
    params: streamViewParams,
    row: select.row,
    ...(time ? { time: { column: time, since: 'since', until: 'until' } } : {}),
    samples: SAMPLES,
  };
  const view = defineView({
    ...common,
    name: config.name,
    description: config.description,
    sql: ({ params, table: tableOf }) => readSql(tableOf(table), select.columns, params, time),
  });
  const rawRelation = (tableOf: ViewTable, params: StreamViewParams): SqlFragment => {
    const source = time ? select.sources.get(time) : null;
    const pruned = source ? bounds({ ...params, ns: undefined }, source) : sql`TRUE`;
    const filter = config.where ? sql`(${config.where}) AND ${pruned}` : pruned;
    return sql`(SELECT ${select.list} FROM ${tableOf(select.streamTable)} WHERE ${filter}) AS r`;
  };
  const overRaw = defineView({
    ...common,
    name: `${config.name}_raw`,
    description: `${config.description} (computed from the raw ${select.streamTable} table)`,
    sql: ({ params, table: tableOf }) => readSql(rawRelation(tableOf, params), select.columns, params, time),
  });
  return Object.freeze({
    ...view,
    kind: 'stream' as const,
    stream: config.from,
    streamTable: select.streamTable,
    table,
    sink: Object.freeze({
      name: sinkName,
      table,
      columns: select.columns,
      schema: toPipelinesSchema(select.row),
    }),
    pipeline: Object.freeze({ name: pipelineName, sql: pipelineSql }),
    rowSchema: select.row,
    overRaw,
  });
}
