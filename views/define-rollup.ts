import { z } from 'zod';
import { type SqlFragment, sql } from '../sql/index.ts';
import { defineView, type View } from './define-view.ts';
import { fieldAlias, fieldSql } from './field-path.ts';
import type { Measure } from './rollup-measures.ts';
import { limitParam, timestampParam } from './view-params.ts';

/** The time bucket a rollup groups by. */
export type RollupWindow = 'minute' | 'hour' | 'day' | 'week';

/** Construction options of {@link defineRollup}, in the form dotdo's `define()` takes. */
export interface RollupConfig<C extends Record<string, Measure>> {
  /** The events rolled up, by name (`Order.created`), one or several. */
  from: string | readonly string[];
  /** Fields the groups are keyed on (`data.customer`, `actor`); each answers under its last part. */
  groupBy?: readonly string[];
  /** The measures, by output column name. */
  compute: C;
  /** A further predicate over the events, written with the `sql` template (trusted code, not input). */
  where?: SqlFragment;
  window: RollupWindow;
  version?: number;
  description?: string;
}

/** What a rollup is made of, for materialization to refresh it bucket by bucket. */
export interface RollupSpec {
  from: readonly string[];
  groupBy: readonly { field: string; column: string }[];
  measures: Readonly<Record<string, Measure>>;
  window: RollupWindow;
  where?: SqlFragment;
}

/**
 * A rollup's params: the time range of the events it reads, and a row limit.
 *
 * @example
 * ```ts
 * import { rollupParams } from './define-rollup.ts';
 * rollupParams.parse({ since: '2026-11-01' }).limit; // 10000
 * ```
 */
export const rollupParams = z.object({
  since: timestampParam().optional().describe('first event time included'),
  until: timestampParam().optional().describe('first event time excluded'),
  limit: limitParam(10_000, 100_000).describe('rows at most'),
});

/** A rollup's params, parsed. */
export type RollupParams = z.output<typeof rollupParams>;

/** A rollup row: the bucket (ISO time), the group keys and the measures. */
export type RollupRow<C> = { bucket: string } & { [K in keyof C]: number | string | null } & Record<
    string,
    unknown
  >;

/** A view made by {@link defineRollup}, carrying its spec. */
export type Rollup<C> = View<RollupParams, RollupRow<C>> & { readonly rollup: RollupSpec };

const EVENT_NAME = /^[A-Z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/;

function groupColumns(name: string, groupBy: readonly string[], measures: readonly string[]) {
  const groups = groupBy.map((field) => ({ field, column: fieldAlias(field) }));
  const seen = new Set<string>(['bucket']);
  for (const column of [...groups.map((g) => g.column), ...measures]) {
    if (seen.has(column)) throw new Error(`rollup ${name}: two output columns are named "${column}"`);
    seen.add(column);
  }
  return groups;
}

/**
 * The events columns a rollup reads: the id it deduplicates on, the time and the event name, and
 * the columns of its group keys and measures (a JSON property reads its column). Reading only those
 * spares the engine every other column of every event in range (`data` most of all); a `where` of
 * free SQL may name any column, so with one every column is read.
 *
 * @example
 * ```ts
 * import { defineRollup, rollupColumns } from './define-rollup.ts';
 * import { count, sum } from './rollup-measures.ts';
 * const revenue = defineRollup('revenue', { from: 'Order.created', groupBy: ['data.customer'], compute: { total: sum('data.amount'), n: count() }, window: 'hour' });
 * rollupColumns(revenue.rollup).text; // '"id", "ts", "event", "data"'
 * ```
 */
export function rollupColumns(spec: RollupSpec): SqlFragment {
  if (spec.where) return sql`*`;
  const fields = [
    ...spec.groupBy.map((g) => g.field),
    ...Object.values(spec.measures).flatMap((m) => (m.field === undefined ? [] : [m.field])),
  ];
  const columns = new Set(['id', 'ts', 'event', ...fields.map((f) => f.split('.')[0]!)]);
  return sql.join([...columns].map((c) => sql.id(c)));
}

/**
 * Declares a rollup the way dotdo's views are written, as a view: events deduplicated on id, grouped
 * by time bucket and keys, with sum/count/avg/min/max/first/last/countDistinct measures.
 *
 * @example
 * ```ts
 * import { defineRollup } from './define-rollup.ts';
 * import { count, countDistinct, last, sum } from './rollup-measures.ts';
 * const revenue = defineRollup('revenue', {
 *   from: 'Order.created',
 *   groupBy: ['data.customer'],
 *   compute: { total: sum('data.amount'), n: count(), last: last('ts'), buyers: countDistinct('actor') },
 *   window: 'hour',
 * });
 * revenue.key; // 'revenue@1'
 * revenue.render({ since: '2026-11-01' }).sql.includes(`"ts" >= TIMESTAMP '2026-11-01T00:00:00.000000Z'`); // true
 * ```
 */
export function defineRollup<C extends Record<string, Measure>>(
  name: string,
  config: RollupConfig<C>,
): Rollup<C> {
  const from = typeof config.from === 'string' ? [config.from] : [...config.from];
  if (from.length === 0 || from.some((e) => !EVENT_NAME.test(e)))
    throw new Error(
      `rollup ${name}: "from" takes event names like Order.created, got ${JSON.stringify(from)}`,
    );
  if (!['minute', 'hour', 'day', 'week'].includes(config.window))
    throw new Error(`rollup ${name}: window must be minute, hour, day or week`);
  const names = Object.keys(config.compute);
  if (names.length === 0) throw new Error(`rollup ${name}: compute needs at least one measure`);
  const groups = groupColumns(name, config.groupBy ?? [], names);
  const spec: RollupSpec = Object.freeze({
    from,
    groupBy: groups,
    measures: Object.freeze({ ...config.compute }),
    window: config.window,
    ...(config.where ? { where: config.where } : {}),
  });
  const bucket = sql`date_trunc(${config.window}, "ts")`;
  const keys = groups.map((g) => fieldSql(g.field));
  const view = defineView({
    name,
    ...(config.version === undefined ? {} : { version: config.version }),
    description: config.description ?? `${names.join(', ')} of ${from.join(', ')} per ${config.window}`,
    params: rollupParams,
    time: { column: 'bucket', since: 'since', until: 'until' },
    sql: ({ params, table }) => {
      const bounds = [
        sql`"event" IN ${from}`,
        ...(params.since ? [sql`"ts" >= ${params.since}`] : []),
        ...(params.until ? [sql`"ts" < ${params.until}`] : []),
      ];
      const selected = [
        sql`${bucket} AS "bucket"`,
        ...groups.map((g, i) => sql`${keys[i]!} AS ${sql.id(g.column)}`),
        ...names.map((n) => sql`${config.compute[n]!.sql} AS ${sql.id(n)}`),
      ];
      const order = [sql`"bucket"`, ...groups.map((g) => sql.id(g.column))];
      return sql`SELECT ${sql.join(selected)}
FROM (SELECT DISTINCT ON ("id") ${rollupColumns(spec)} FROM ${table('events')} WHERE ${sql.join(bounds, ' AND ')}) AS "e"${
        config.where ? sql`\nWHERE ${config.where}` : sql``
      }
GROUP BY ${sql.join([bucket, ...keys])}
ORDER BY ${sql.join(order)}
LIMIT ${params.limit}`;
    },
  });
  return Object.freeze({ ...view, rollup: spec }) as Rollup<C>;
}
