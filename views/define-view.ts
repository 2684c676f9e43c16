import { type SqlFragment, sql } from '../sql/index.ts';

/** What a view's SQL is rendered against: table references as the engine names them. */
export interface ViewContext {
  /** `namespace.table` as a quoted identifier (`"analytics"."events"`), for the `sql` template. */
  table(name: string): SqlFragment;
}

/** A declarative view: a name, a description, and SQL in R2 SQL's dialect. */
export interface View {
  readonly name: string;
  readonly description: string;
  /** Renders the view's SQL for a namespace. */
  sql(context: ViewContext): string;
}

/**
 * Declares a view. Views produce SQL; they never run anything. Write the SQL with the `sql` template,
 * so table names and values are quoted by it.
 *
 * @example
 * ```ts
 * import { sql } from '../sql/index.ts';
 * import { defineView, viewContext } from './define-view.ts';
 * const total = defineView({
 *   name: 'total',
 *   description: 'all events',
 *   sql: (t) => sql`SELECT count(DISTINCT id) AS n FROM ${t.table('events')}`.text,
 * });
 * total.sql(viewContext('analytics')); // 'SELECT count(DISTINCT id) AS n FROM "analytics"."events"'
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
 * viewContext('analytics').table('events').text; // '"analytics"."events"'
 * ```
 */
export function viewContext(namespace: string): ViewContext {
  const ident = /^[a-z_][a-z0-9_]*$/;
  if (!ident.test(namespace)) throw new Error(`namespace "${namespace}" must be a lower-case identifier`);
  return {
    table(name: string): SqlFragment {
      if (!ident.test(name)) throw new Error(`table "${name}" must be a lower-case identifier`);
      return sql.id(namespace, name);
    },
  };
}
