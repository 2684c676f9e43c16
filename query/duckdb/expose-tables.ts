import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { z } from 'zod';
import { sql } from '../../sql/index.ts';
import { createParquetSchemas } from './parquet-schemas.ts';
import type { RelationColumn } from './prune-table-files.ts';
import {
  directorySource,
  icebergSource,
  listCatalogTables,
  type TableSource,
  type TableState,
} from './table-sources.ts';

/** One table the engine exposes as a view: where it reads from, and what the view reads now. */
export interface ExposedTable {
  namespace: string;
  name: string;
  source: TableSource;
  state?: TableState;
  /** The view's columns, described when its state last changed. */
  columns?: RelationColumn[];
  /** Whether every file of the state has the same columns (read without unifying names). */
  uniform?: boolean;
  /** A newer state than the view's, applied before the next statement that names the table. */
  pending?: TableState;
}

/** What {@link exposeTables} exposes, and where from. */
export interface ExposeTablesConfig {
  /** The engine's namespace: the directory tables are exposed in it. */
  namespace: string;
  /** The directory tables (`<lake>/<name>/**.parquet`) and their schemas. */
  tables: Record<string, z.ZodObject>;
  lake: string;
  /** The local R2 Data Catalog's directory (`<lake>/__r2_data_catalog`). */
  catalogDir: string;
}

/** The exposed tables, and how a statement brings the ones it reads up to date. */
export interface ExposedTables {
  exposed: Map<string, ExposedTable>;
  /** Polls every source; replaces the view of each table `reads` accepts whose state moved. */
  refresh(reads?: (table: ExposedTable) => boolean): Promise<void>;
  /** Which tables a statement's text may read (it names them). */
  named(text: string): (table: ExposedTable) => boolean;
}

/**
 * Exposes the lake's tables on DuckDB's admin connection as views (`namespace.table`): the catalog's
 * Iceberg tables and the configured directory tables not in it, each a view over an explicit list of
 * files, replaced when that list changes (so a statement reads one snapshot of each table).
 *
 * @example
 * ```ts
 * import { exposeTables } from './expose-tables.ts';
 * const { refresh, named } = await exposeTables(db.admin, { namespace: 'analytics', tables: TABLES, lake, catalogDir });
 * await refresh(named('SELECT count(*) FROM analytics.events'));
 * ```
 */
export async function exposeTables(
  admin: DuckDBConnection,
  config: ExposeTablesConfig,
): Promise<ExposedTables> {
  const { namespace, tables, lake, catalogDir } = config;
  const namespaces = new Set<string>();
  const exposed = new Map<string, ExposedTable>();
  const schemas = createParquetSchemas((text) => admin.runAndReadAll(text));

  async function ensureSchema(name: string): Promise<void> {
    if (namespaces.has(name)) return;
    await admin.run(sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(name)}`.text);
    namespaces.add(name);
  }

  function pickSources(): void {
    for (const [ns, name, dir] of listCatalogTables(catalogDir)) {
      const key = `${ns}.${name}`;
      if (exposed.get(key)?.source.kind !== 'iceberg') {
        exposed.set(key, { namespace: ns, name, source: icebergSource(dir) });
      }
    }
    for (const [name, schema] of Object.entries(tables)) {
      const key = `${namespace}.${name}`;
      if (!exposed.has(key)) {
        exposed.set(key, { namespace, name, source: directorySource(join(lake, name), schema) });
      }
    }
  }

  async function apply(table: ExposedTable, state: TableState): Promise<void> {
    await ensureSchema(table.namespace);
    const view = sql.id(table.namespace, table.name);
    const uniform = state.files.length > 0 && (await schemas.uniform(state.files));
    const relation = uniform ? state.read(state.files, true) : state.relation;
    await admin.run(sql`CREATE OR REPLACE VIEW ${view} AS ${relation}`.text);
    const described = await admin.runAndReadAll(sql`DESCRIBE ${view}`.text);
    table.columns = described
      .getRowObjectsJson()
      .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
    table.state = state;
    table.uniform = uniform;
    table.pending = undefined;
  }

  // One refresh at a time: two would race to replace the same view. Every source is polled; a
  // table's view is replaced only when `reads` says the statement may read it (it names the table),
  // else its new state waits for the first statement that does.
  let refreshing: Promise<void> = Promise.resolve();
  function refresh(reads: (table: ExposedTable) => boolean = () => true): Promise<void> {
    refreshing = refreshing
      .catch(() => {})
      .then(async () => {
        pickSources();
        for (const table of exposed.values()) {
          const state = await table.source.poll();
          if (state) table.pending = state;
          if (table.pending && (!table.state || reads(table))) await apply(table, table.pending);
        }
      });
    return refreshing;
  }
  const named = (text: string) => {
    const lower = text.toLowerCase();
    return (table: ExposedTable) => lower.includes(table.name.toLowerCase());
  };
  await ensureSchema(namespace);
  await refresh();
  return { exposed, refresh, named };
}
