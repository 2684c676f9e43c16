import { z } from 'zod';
import { checkR2Sql, type SqlFragment, sql } from '../sql/index.ts';
import { toParamIssues, ViewParamsError } from './view-params.ts';

/** Renders a table reference: `table('events')` → `"analytics"."events"` (or a derived table). */
export type ViewTable = (name: string) => SqlFragment;

/** What a view's SQL is rendered from: its validated params and its table references. */
export interface ViewSqlContext<Params> {
  params: Params;
  table: ViewTable;
}

/** Per-call options of {@link View.render}: where the tables are. */
export interface ViewRenderOptions {
  /** The lake namespace the tables live in (default `analytics`). */
  namespace?: string;
  /**
   * Renders each table reference, overriding `namespace`. The query API passes one that answers a
   * derived table filtered to the caller's namespaces, so no view can read another tenant's rows.
   */
  table?: ViewTable;
}

/** A view rendered for one set of params. */
export interface RenderedView<Params> {
  /** `name@version`. */
  view: string;
  /** The query, in R2 SQL's dialect. */
  sql: string;
  /** The params after validation and defaults. */
  params: Params;
}

/** The column a view is bounded on, and the params that bound it. */
export interface ViewTime {
  /** A column of the view's rows (`ts`, `bucket`). */
  column: string;
  /** The param that gives the inclusive lower bound, if any. */
  since?: string;
  /** The param that gives the exclusive upper bound, if any. */
  until?: string;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;
type RowOf<R> = R extends z.ZodType ? z.output<R> : Record<string, unknown>;

/** Construction options of {@link defineView}. */
export interface ViewConfig<P extends AnyObject, R extends z.ZodType | undefined = undefined> {
  /** snake_case, unique within a registry per version. */
  name: string;
  /** A positive integer (default 1); a changed result shape gets a new version. */
  version?: number;
  description: string;
  /** The params, as a zod object (defaults, ranges, enums); unknown params are refused. */
  params?: P;
  /** The shape of a result row, for types and the catalog. */
  row?: R;
  time?: ViewTime;
  /** The SQL, in R2 SQL's dialect, written with the `sql` template. */
  sql(context: ViewSqlContext<z.output<P>>): SqlFragment;
  /** A step over the engine's rows, identical on every engine (fill empty buckets, rank, page). */
  finish?(rows: Record<string, unknown>[], params: z.output<P>): RowOf<R>[];
  /** Params the SQL is checked with when the view is defined (default: `{}` alone). */
  samples?: readonly z.input<P>[];
}

/** A declared view: validated params in, SQL in R2 SQL's dialect out. Runs nothing itself. */
export interface View<Params = Record<string, unknown>, Row = Record<string, unknown>> {
  readonly name: string;
  readonly version: number;
  /** `name@version`. */
  readonly key: string;
  readonly description: string;
  readonly params: z.ZodType<Params>;
  readonly row?: z.ZodType<Row>;
  readonly time?: ViewTime;
  /** Params the view was checked with when defined: valid params a caller can start from. */
  readonly samples: readonly unknown[];
  /** Validates params (throwing a ViewParamsError naming each bad one) and applies defaults. */
  parseParams(input?: unknown): Params;
  /** Validates params, then renders the SQL. */
  render(input?: unknown, options?: ViewRenderOptions): RenderedView<Params>;
  /** The view's own step over an engine's rows (identity when it has none). */
  finish(rows: Record<string, unknown>[], params: Params): Row[];
}

/**
 * A view whose SQL R2 SQL would refuse, or whose definition is malformed; thrown by defineView.
 *
 * @example
 * ```ts
 * import { ViewDefinitionError } from './define-view.ts';
 * new ViewDefinitionError('v@1', 'the name must be snake_case').message; // 'view v@1: the name must be snake_case'
 * ```
 */
export class ViewDefinitionError extends Error {
  readonly code = 'invalid_view';
  constructor(
    readonly view: string,
    message: string,
    readonly sql?: string,
  ) {
    super(`view ${view}: ${message}`);
    this.name = 'ViewDefinitionError';
  }
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * The table references of a lake namespace: `"namespace"."table"`.
 *
 * @example
 * ```ts
 * import { namespaceTables } from './define-view.ts';
 * namespaceTables('analytics')('events').text; // '"analytics"."events"'
 * ```
 */
export function namespaceTables(namespace: string): ViewTable {
  if (!IDENT.test(namespace)) throw new Error(`namespace "${namespace}" must be a lower-case identifier`);
  return (name) => {
    if (!IDENT.test(name)) throw new Error(`table "${name}" must be a lower-case identifier`);
    return sql.id(namespace, name);
  };
}

function checkName(config: { name: string; version?: number }): number {
  const version = config.version ?? 1;
  if (!/^[a-z][a-z0-9_]*$/.test(config.name))
    throw new ViewDefinitionError(String(config.name), 'the name must be snake_case');
  if (!Number.isSafeInteger(version) || version < 1)
    throw new ViewDefinitionError(config.name, `version ${version} must be a positive integer`);
  return version;
}

/**
 * Declares a view. Its params are a zod object; its SQL, in R2 SQL's dialect, is written with the
 * `sql` template, so every param reaches SQL as a checked literal. The SQL is rendered and checked
 * against R2 SQL's dialect for each sample when the view is defined: a view R2 SQL would refuse
 * fails here, not when it is queried.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { sql } from '../sql/index.ts';
 * import { defineView } from './define-view.ts';
 * const byVerb = defineView({
 *   name: 'by_verb',
 *   description: 'events per verb',
 *   params: z.object({ verb: z.string().default('created') }),
 *   sql: ({ params, table }) =>
 *     sql`SELECT count(DISTINCT id) AS n FROM ${table('events')} WHERE verb = ${params.verb}`,
 * });
 * byVerb.render({ verb: 'paid' }).sql; // 'SELECT count(DISTINCT id) AS n FROM "analytics"."events" WHERE verb = \'paid\''
 * ```
 */
export function defineView<
  P extends AnyObject = z.ZodObject<Record<string, never>>,
  R extends z.ZodType | undefined = undefined,
>(config: ViewConfig<P, R>): View<z.output<P>, RowOf<R>> {
  const version = checkName(config);
  const key = `${config.name}@${version}`;
  const params = (config.params ?? z.object({})) as P;
  if (!(params instanceof z.ZodObject)) throw new ViewDefinitionError(key, 'params must be a zod object');
  const strict = params.strict();
  const parseParams = (input: unknown = {}): z.output<P> => {
    const parsed = strict.safeParse(input ?? {});
    if (!parsed.success) throw new ViewParamsError(key, toParamIssues(parsed.error));
    return parsed.data as z.output<P>;
  };
  const render = (input?: unknown, options: ViewRenderOptions = {}): RenderedView<z.output<P>> => {
    const parsed = parseParams(input);
    const table = options.table ?? namespaceTables(options.namespace ?? 'analytics');
    return { view: key, sql: config.sql({ params: parsed, table }).text, params: parsed };
  };
  const view: View<z.output<P>, RowOf<R>> = Object.freeze({
    name: config.name,
    version,
    key,
    description: config.description,
    params: strict as unknown as z.ZodType<z.output<P>>,
    ...(config.row ? { row: config.row as unknown as z.ZodType<RowOf<R>> } : {}),
    ...(config.time ? { time: { ...config.time } } : {}),
    samples: Object.freeze([...(config.samples ?? [{}])]),
    parseParams,
    render,
    finish: (rows: Record<string, unknown>[], parsed: z.output<P>) =>
      config.finish ? config.finish(rows, parsed) : (rows as RowOf<R>[]),
  });
  checkTime(view, params);
  for (const sample of config.samples ?? [{}]) checkSample(view, sample);
  return view;
}

function checkTime(view: View<unknown, unknown>, params: AnyObject): void {
  for (const name of [view.time?.since, view.time?.until]) {
    if (name !== undefined && !(name in params.shape))
      throw new ViewDefinitionError(view.key, `time bound "${name}" is not one of its params`);
  }
}

function checkSample(view: View<unknown, unknown>, sample: unknown): void {
  let rendered: RenderedView<unknown>;
  try {
    rendered = view.render(sample);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ViewDefinitionError(view.key, `cannot render with sample ${JSON.stringify(sample)}: ${why}`);
  }
  const problem = checkR2Sql(rendered.sql);
  if (problem)
    throw new ViewDefinitionError(
      view.key,
      `R2 SQL would refuse it (${problem.code}): ${problem.message}`,
      rendered.sql,
    );
}
