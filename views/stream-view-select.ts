/**
 * The SELECT list of a stream view: each output column is a column of the stream (kept, or renamed)
 * or an expression with its declared column type. From it come the sink table's schema, the SELECT
 * list the pipeline runs and the same list over the lake's raw table.
 *
 * @module
 */
import { z } from 'zod';
import { type ColumnInfo, columnsOf, LAKE_TOPOLOGY, TABLES, type TableName } from '../schemas/index.ts';
import { type SqlFragment, sql } from '../sql/index.ts';
import { ViewDefinitionError } from './define-view.ts';

/** An output column computed by an expression over one record, with the type it lands as (`col.*`). */
export interface StreamViewExpression {
  sql: SqlFragment;
  /** A column built with `col.*` from `schemas` (`col.float64().nullable()`). */
  type: z.ZodType;
}

/** An output column: the name of a stream column (same type), or an expression and its type. */
export type StreamViewColumn = string | StreamViewExpression;

/** A stream view's SELECT, compiled. */
export interface CompiledStreamSelect {
  /** The stream's table (the schema its records have). */
  streamTable: TableName;
  /** The sink table's row schema (every column built with `col.*`). */
  row: z.ZodObject;
  columns: ColumnInfo[];
  /** `expr AS "name", ...`, in output order. */
  list: SqlFragment;
  /** The stream column each output column copies, or null for an expression. */
  sources: ReadonlyMap<string, string | null>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** Words a bare column name may not be (SQL keywords): such a name is quoted. */
const RESERVED = new Set(
  (
    'all and any as asc between by case cast create cross current date default delete desc distinct drop else ' +
    'end except exists false fetch filter for from full group having in inner insert intersect interval into ' +
    'is join lateral left like limit natural not null offset on or order outer over partition qualify range ' +
    'right row rows select set some table then time timestamp to true union unnest update user using values ' +
    'when where window with'
  ).split(' '),
);

/** A column name as the pipeline's SQL spells it: bare when it is a plain identifier, else quoted. */
const nameSql = (name: string): SqlFragment =>
  IDENT.test(name) && !RESERVED.has(name) ? sql.raw(name) : sql.id(name);

/** The streams a stream view may read: those of the lake's topology, with their tables. */
const STREAMS: ReadonlyMap<string, TableName> = new Map(LAKE_TOPOLOGY.streams.map((s) => [s.name, s.table]));

/**
 * Resolves a stream name to the table its records follow, or throws naming the streams there are.
 *
 * @example
 * ```ts
 * import { streamTableOf } from './stream-view-select.ts';
 * streamTableOf('v@1', 'events'); // 'events'
 * ```
 */
export function streamTableOf(view: string, stream: string): TableName {
  const table = STREAMS.get(stream);
  if (!table)
    throw new ViewDefinitionError(
      view,
      `from: "${stream}" is not a stream of the lake; streams: ${[...STREAMS.keys()].join(', ')}`,
    );
  return table;
}

/**
 * Compiles a stream view's `select` over `stream`. `id` and `ns` are added (copied from the stream)
 * when not given: a reader deduplicates on `id` and scopes tenants by `ns`.
 *
 * @example
 * ```ts
 * import { sql } from '../sql/index.ts';
 * import { compileStreamSelect } from './stream-view-select.ts';
 * const select = compileStreamSelect('v@1', 'events', { thing: 'target' });
 * select.columns.map((c) => c.name); // ['id', 'ns', 'thing']
 * select.list.text; // 'id, ns, target AS thing'
 * ```
 */
export function compileStreamSelect(
  view: string,
  stream: string,
  select: Readonly<Record<string, StreamViewColumn>>,
): CompiledStreamSelect {
  const streamTable = streamTableOf(view, stream);
  const source = TABLES[streamTable].shape as Record<string, z.ZodType>;
  const given = Object.entries(select ?? {});
  if (given.length === 0) throw new ViewDefinitionError(view, 'select: name at least one column');
  const entries: [string, StreamViewColumn][] = [
    ...(['id', 'ns'] as const)
      .filter((name) => !(name in select))
      .map((name): [string, string] => [name, name]),
    ...given,
  ];
  const shape: Record<string, z.ZodType> = {};
  const parts: SqlFragment[] = [];
  const sources = new Map<string, string | null>();
  for (const [name, column] of entries) {
    if (!IDENT.test(name))
      throw new ViewDefinitionError(view, `select: column "${name}" must be a lower-case identifier`);
    if (typeof column === 'string') {
      const type = Object.hasOwn(source, column) ? source[column] : undefined;
      if (!type)
        throw new ViewDefinitionError(
          view,
          `select.${name}: "${column}" is not a column of stream "${stream}"; its columns: ${Object.keys(source).join(', ')}`,
        );
      shape[name] = type;
      parts.push(column === name ? nameSql(name) : sql`${nameSql(column)} AS ${nameSql(name)}`);
      sources.set(name, column);
    } else {
      if (!column || typeof column !== 'object' || !column.sql || typeof column.sql.text !== 'string')
        throw new ViewDefinitionError(
          view,
          `select.${name}: give a stream column name or { sql: sql\`…\`, type: col.… }`,
        );
      if (!(column.type instanceof z.ZodType))
        throw new ViewDefinitionError(view, `select.${name}: type must be a column built with col.*`);
      shape[name] = column.type;
      parts.push(sql`${column.sql} AS ${nameSql(name)}`);
      sources.set(name, null);
    }
  }
  const row = z.object(shape);
  let columns: ColumnInfo[];
  try {
    columns = columnsOf(row);
  } catch (cause) {
    throw new ViewDefinitionError(view, `select: ${(cause as Error).message}`);
  }
  return { streamTable, row, columns, list: sql.join(parts), sources };
}
