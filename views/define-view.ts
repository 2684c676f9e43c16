/** What a view's SQL is rendered against: table references as the engine names them. */
export interface ViewContext {
  /** `namespace.table`, quoted as R2 SQL takes it. */
  table(name: string): string;
}

/** A declarative view: a name, a description, and SQL in R2 SQL's dialect. */
export interface View {
  readonly name: string;
  readonly description: string;
  /** Renders the view's SQL for a namespace. */
  sql(context: ViewContext): string;
}

/**
 * Declares a view. Views produce SQL; they never run anything.
 *
 * @example
 * ```ts
 * import { defineView } from './define-view.ts';
 * const total = defineView({ name: 'total', description: 'all events', sql: (t) => `SELECT count(DISTINCT id) AS n FROM ${t.table('events')}` });
 * total.sql(viewContext('analytics')); // 'SELECT count(DISTINCT id) AS n FROM analytics.events'
 * ```
 */
export function defineView(view: View): View {
  if (!/^[a-z][a-z0-9_]*$/.test(view.name)) throw new Error(`view name "${view.name}" must be snake_case`);
  return Object.freeze({ ...view });
}

/**
 * The context for a lake namespace.
 *
 * @example
 * ```ts
 * import { viewContext } from './define-view.ts';
 * viewContext('analytics').table('events'); // 'analytics.events'
 * ```
 */
export function viewContext(namespace: string): ViewContext {
  const ident = /^[a-z_][a-z0-9_]*$/;
  if (!ident.test(namespace)) throw new Error(`namespace "${namespace}" must be a lower-case identifier`);
  return {
    table(name: string): string {
      if (!ident.test(name)) throw new Error(`table "${name}" must be a lower-case identifier`);
      return `${namespace}.${name}`;
    },
  };
}
