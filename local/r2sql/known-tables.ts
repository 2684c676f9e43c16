import type { DuckDbEngine } from '../../query/duckdb/index.ts';
import { type DuckDbTranslationResult, type TableReference, toDuckDbSql } from '../../sql/index.ts';

/**
 * The `namespace.table`s a bucket's engine exposes (its catalog).
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

const catalogs = new WeakMap<object, Set<string>>();
const key = (t: TableReference) => `${t.namespace}.${t.table}`;

/**
 * Translates a query for a bucket, refusing (40004) a table the bucket does not hold, by name and with
 * the list of those it does. The catalog is cached per engine and read again only when a query names
 * a table not in it (a table can appear after a roll), so a query of known tables costs nothing more.
 *
 * @example
 * ```ts
 * import { translateForBucket } from './known-tables.ts';
 * const result = await translateForBucket(engine, 'SELECT count(*) FROM analytics.nope');
 * result.ok; // false: "table analytics.nope not found: the bucket has analytics.actions, ..."
 * ```
 */
export async function translateForBucket(
  engine: Pick<DuckDbEngine, 'query'>,
  query: string,
): Promise<DuckDbTranslationResult> {
  const translated = toDuckDbSql(query);
  if (!translated.ok) return translated;
  const cached = catalogs.get(engine);
  if (cached && translated.value.tables.every((t) => cached.has(key(t)))) return translated;
  const tables = await knownTables(engine);
  catalogs.set(engine, new Set(tables.map(key)));
  return toDuckDbSql(query, { tables });
}
