import { z } from 'zod';
import type { RenderedView, View, ViewRenderOptions } from './define-view.ts';

/** What a query read, as R2 SQL reports it. */
export interface ViewMetrics {
  files_scanned?: number;
  bytes_scanned?: number;
  r2_requests_count?: number;
}

/** What a registry runs views on: any engine that answers R2-dialect SQL (R2 SQL, DuckDB, a stand-in). */
export interface ViewEngine {
  query(sql: string): Promise<{
    schema: { name: string; type?: string }[];
    rows: Record<string, unknown>[];
    metrics?: ViewMetrics;
  }>;
}

/** A view's entry in the catalog: what a caller needs to call it. */
export interface ViewCatalogEntry {
  name: string;
  version: number;
  key: string;
  description: string;
  /** The params as JSON Schema (the input form: what a caller sends). */
  params: Record<string, unknown>;
  /** The row as JSON Schema, when the view declares one. */
  row?: Record<string, unknown>;
  time?: View['time'];
  /** Whether `name` alone resolves to this version. */
  current: boolean;
}

/** A view's result: the engine's rows after the view's own step, with the SQL that ran. */
export interface ViewResult<Row = Record<string, unknown>> {
  view: string;
  sql: string;
  schema: { name: string; type?: string }[];
  rows: Row[];
  metrics?: ViewMetrics;
}

/**
 * A lookup that found no view; its message lists the views there are.
 *
 * @example
 * ```ts
 * import { ViewNotFoundError } from './view-registry.ts';
 * new ViewNotFoundError('nope', ['one', 'two']).message; // 'no view "nope" (views: one, two)'
 * ```
 */
export class ViewNotFoundError extends Error {
  readonly code = 'unknown_view';
  constructor(
    readonly ref: string,
    known: readonly string[],
  ) {
    super(`no view "${ref}" (views: ${known.join(', ') || 'none'})`);
    this.name = 'ViewNotFoundError';
  }
}

/** Construction options of {@link createViewRegistry}. */
export interface ViewRegistryConfig {
  /** The version `name` alone resolves to, per view (default: its highest version). */
  current?: Record<string, number>;
}

/** Views by `name` or `name@version`, their catalog, and running them. */
export interface ViewRegistry {
  /** The view `ref` names (`name` is its current version), or undefined. */
  get(ref: string): View | undefined;
  /** The view `ref` names; throws ViewNotFoundError. */
  require(ref: string): View;
  /** Every view, every version, by name then version. */
  list(): View[];
  catalog(): ViewCatalogEntry[];
  /** Validates params and renders the view's SQL. */
  render(ref: string, params?: unknown, options?: ViewRenderOptions): RenderedView<unknown>;
  /** Renders the view, runs it on `engine` and applies the view's own step. */
  run<Row = Record<string, unknown>>(
    engine: ViewEngine,
    ref: string,
    params?: unknown,
    options?: ViewRenderOptions,
  ): Promise<ViewResult<Row>>;
}

const jsonSchemaOf = (schema: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

function indexViews(views: readonly View[], config: ViewRegistryConfig) {
  const byKey = new Map<string, View>();
  const current = new Map<string, View>();
  for (const view of views) {
    if (byKey.has(view.key)) throw new Error(`view ${view.key} is registered twice`);
    byKey.set(view.key, view);
  }
  for (const view of views) {
    const wanted = config.current?.[view.name];
    const best = current.get(view.name);
    if (wanted === undefined ? !best || view.version > best.version : view.version === wanted)
      current.set(view.name, view);
  }
  for (const [name, version] of Object.entries(config.current ?? {})) {
    if (current.get(name)?.version !== version)
      throw new Error(`current ${name}@${version} is not registered`);
  }
  return { byKey, current };
}

/**
 * A registry of views: lookup by `name` or `name@version`, the catalog (params as JSON Schema, by
 * zod's own conversion) and `run` on any engine. It imports no engine.
 *
 * @example
 * ```ts
 * import { defineView } from './define-view.ts';
 * import { createViewRegistry } from './view-registry.ts';
 * import { sql } from '../sql/index.ts';
 * const one = defineView({ name: 'one', description: 'one row', sql: () => sql`SELECT 1 AS n` });
 * const registry = createViewRegistry([one]);
 * registry.require('one@1').key; // 'one@1'
 * registry.catalog()[0]?.params.type; // 'object'
 * ```
 */
export function createViewRegistry(views: readonly View[], config: ViewRegistryConfig = {}): ViewRegistry {
  const { byKey, current } = indexViews(views, config);
  const sorted = [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
  const get = (ref: string) => byKey.get(ref) ?? current.get(ref);
  const require = (ref: string): View => {
    const view = get(ref);
    if (!view) throw new ViewNotFoundError(ref, [...current.keys()].sort());
    return view;
  };
  return {
    get,
    require,
    list: () => [...sorted],
    catalog: () =>
      sorted.map((view) => ({
        name: view.name,
        version: view.version,
        key: view.key,
        description: view.description,
        params: jsonSchemaOf(view.params),
        ...(view.row ? { row: jsonSchemaOf(view.row) } : {}),
        ...(view.time ? { time: view.time } : {}),
        current: current.get(view.name) === view,
      })),
    render: (ref, params, options) => require(ref).render(params, options),
    async run<Row>(engine: ViewEngine, ref: string, params?: unknown, options?: ViewRenderOptions) {
      const view = require(ref);
      const rendered = view.render(params, options);
      const result = await engine.query(rendered.sql);
      return {
        view: view.key,
        sql: rendered.sql,
        schema: result.schema,
        rows: view.finish(result.rows, rendered.params) as Row[],
        ...(result.metrics ? { metrics: result.metrics } : {}),
      };
    },
  };
}
