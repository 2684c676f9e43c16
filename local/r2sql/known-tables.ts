import type { TableReference } from '../../sql/index.ts';
import type { DuckDbEngine } from '../../query/duckdb/index.ts';

/**
 * The `namespace.table`s a bucket's engine exposes (its catalog), for the dialect check to refuse any
 * other table by name with the list of known ones.
 *
 * @example
 * ```ts
 * import { knownTables } from './known-tables.ts';
 * await knownTables(engine); // [{ namespace: 'analytics', table: 'events' }, ...]
 * ```
 */
export async function knownTables(engine: Pick<DuckDbEngine, 'query'>): Promise<TableReference[]> {
  const { rows } = await engine.query<TableReference>(
    `SELECT table_schema AS namespace, table_name AS "table" FROM information_schema.tables
     WHERE table_schema NOT IN ('main', 'information_schema', 'pg_catalog') AND table_name NOT LIKE '\\_%' ESCAPE '\\'`,
  );
  return rows;
}
